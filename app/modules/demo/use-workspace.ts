import { useRouteLoaderData } from "@remix-run/react";
import type { WorkspaceView } from "./workspace.server";

/** The workspace layout's data (routes/demo.$subdomain), for the workspace's pages below it. */
export function useWorkspace(): WorkspaceView {
  // The layout's loader answers a WorkspaceView; as JSON its dates are already ISO strings.
  return useRouteLoaderData("routes/demo.$subdomain") as WorkspaceView;
}
