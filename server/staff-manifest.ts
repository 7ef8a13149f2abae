import type { ServerBuild } from "@remix-run/node";
import type { Request as ExpressRequest, RequestHandler, Response as ExpressResponse } from "express";
import { sendResponse } from "./page-cache";

/** The staff console's layout route: it and every route below it are the console. */
const STAFF_ROUTE_ID = "routes/staff";
/** The catch-all 404 route (app/routes/$.tsx) that answers any path no route claims. */
const NOT_FOUND_ROUTE_ID = "routes/$";
/** Remix's lazy route discovery endpoint ("fog of war", `future.v3_lazyRouteDiscovery`). */
const MANIFEST_PATH = "/__manifest";

type Options = {
  build: ServerBuild | (() => Promise<ServerBuild>);
  /** Remix's own answer to the request. */
  render: (req: ExpressRequest, res: ExpressResponse) => Promise<Response>;
  isStaff: (req: ExpressRequest, res: ExpressResponse) => Promise<boolean>;
};

/**
 * Rule: no response to a non-staff visitor names a staff route. Remix answers
 * `/__manifest?p=/staff/…` with the staff routes' ids and module files to anyone; this takes them
 * out of the answer for people who are not staff and puts the catch-all 404 route in their place,
 * so a staff path reads exactly like a path that does not exist. The answer is filtered rather
 * than the `p` values guessed at, so encodings, case and several `p` at once need no parsing of
 * ours. Answers that hold or hid a staff route depend on the session: private, `Vary: Cookie`.
 */
export function staffManifestGuard(options: Options): RequestHandler {
  return (req, res, next) => {
    if (req.path !== MANIFEST_PATH || (req.method !== "GET" && req.method !== "HEAD")) return next();
    answer(options, req, res).catch(next);
  };
}

async function answer(options: Options, req: ExpressRequest, res: ExpressResponse): Promise<void> {
  const response = await options.render(req, res);
  if (response.status !== 200 || !(response.headers.get("content-type") ?? "").includes("json"))
    return sendResponse(req, res, response);
  const build = typeof options.build === "function" ? await options.build() : options.build;
  const patches = (await response.json()) as Record<string, unknown>;
  const staffIds = Object.keys(patches).filter((id) => isStaffRoute(build, id));
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  if (staffIds.length) {
    headers.set("Cache-Control", "private, no-cache");
    headers.set("Vary", "Cookie");
    if (!(await options.isStaff(req, res))) {
      for (const id of staffIds) delete patches[id];
      const notFound = build.assets.routes[NOT_FOUND_ROUTE_ID];
      if (notFound) patches[NOT_FOUND_ROUTE_ID] = notFound;
    }
  }
  await sendResponse(req, res, new Response(JSON.stringify(patches), { status: 200, headers }));
}

function isStaffRoute(build: ServerBuild, id: string): boolean {
  for (let route = build.routes[id]; route; route = route.parentId ? build.routes[route.parentId] : undefined)
    if (route.id === STAFF_ROUTE_ID) return true;
  return false;
}
