import type { AppLoadContext } from "@remix-run/node";
import { requireUser, type SessionUser } from "~/modules/accounts/sessions.server";
import type { WorkspaceViewer } from "./workspace.server";

/** The signed-in person as the demo workspace sees them. */
export function workspaceViewerOf(user: SessionUser): WorkspaceViewer {
  return { userId: user.userId, name: user.name, email: user.email, staff: user.staffRole !== null };
}

/** For the workspace's pages: any signed-in person (signed-out people go to the login page). */
export async function requireWorkspaceViewer(request: Request, context: AppLoadContext): Promise<WorkspaceViewer> {
  return workspaceViewerOf(await requireUser(request, context));
}
