import type { AppLoadContext } from "@remix-run/node";
import { requireUser } from "~/modules/accounts/sessions.server";
import type { WorkspaceViewer } from "./workspace.server";

/** The signed-in person as the demo workspace sees them (signed-out people go to the login page). */
export async function requireWorkspaceViewer(request: Request, context: AppLoadContext): Promise<WorkspaceViewer> {
  const user = await requireUser(request, context);
  return { userId: user.userId, name: user.name, email: user.email, staff: user.staffRole !== null };
}
