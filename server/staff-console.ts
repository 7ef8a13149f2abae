import type { ServerBuild } from "@remix-run/node";
import { matchRoutes } from "@remix-run/react";
import type { Request as ExpressRequest, RequestHandler, Response as ExpressResponse } from "express";
import { sendResponse } from "./page-cache";
import { movePortalUrl } from "./portal-host";

/** The staff console's layout route: it and every route below it are the console. */
const STAFF_ROUTE_ID = "routes/staff";
/** The catch-all 404 route (app/routes/$.tsx) that answers any path no route claims. */
const NOT_FOUND_ROUTE_ID = "routes/$";
/** A path no route but the catch-all claims, where a non-staff request for the console is sent. */
const NOT_FOUND_PATH = "/__not-found";
/** Remix's lazy route discovery endpoint ("fog of war", `future.v3_lazyRouteDiscovery`). */
const MANIFEST_PATH = "/__manifest";

type Options = {
  build: ServerBuild | (() => Promise<ServerBuild>);
  /** Remix's own answer to the request. */
  render: (req: ExpressRequest, res: ExpressResponse) => Promise<Response>;
  isStaff: (req: ExpressRequest, res: ExpressResponse) => Promise<boolean>;
};

/**
 * Rule: no response to a non-staff visitor names a staff route (issue 13, case 11; ADR 15).
 *
 * - `/__manifest?p=…`: Remix answers with the ids and module files of the routes the paths need,
 *   to anyone. For people who are not staff the staff routes are taken out of the answer and the
 *   catch-all 404 route put in their place, so a staff path reads like one that does not exist.
 *   The answer is filtered rather than the `p` values guessed at, so encodings, case and several
 *   `p` need no parsing of ours. Answers that held or hid a staff route depend on the session:
 *   `private, no-cache` with `Vary: Cookie`.
 * - Pages and their `.data` requests: a console path asked for by someone who is not staff is
 *   answered as `/__not-found`, since Remix would otherwise put the matched staff routes in the
 *   404 page's manifest (and their ids in a `.data` answer). The loaders' own 404 stays as the
 *   second line.
 */
export function staffConsoleGuard(options: Options): RequestHandler {
  return (req, res, next) => {
    const guard =
      req.path !== MANIFEST_PATH
        ? hideConsole(options, req, res).then(() => next())
        : req.method === "GET" || req.method === "HEAD"
          ? answerManifest(options, req, res)
          : Promise.resolve(next());
    guard.catch(next);
  };
}

async function hideConsole(options: Options, req: ExpressRequest, res: ExpressResponse): Promise<void> {
  const data = req.path.endsWith(".data");
  const pathname = data ? req.path.slice(0, -".data".length).replace(/^\/_root$/, "/") : req.path;
  if (!(await isStaffPath(options.build, pathname)) || (await options.isStaff(req, res))) return;
  const search = req.originalUrl.includes("?") ? req.originalUrl.slice(req.originalUrl.indexOf("?")) : "";
  req.url = req.originalUrl = `${NOT_FOUND_PATH}${data ? ".data" : ""}${search}`;
  // What Remix renders and the page cache keys on is the portal URL, so it moves with the path.
  movePortalUrl(res, req.originalUrl);
}

async function answerManifest(options: Options, req: ExpressRequest, res: ExpressResponse): Promise<void> {
  const response = await options.render(req, res);
  if (response.status !== 200 || !(response.headers.get("content-type") ?? "").includes("json"))
    return sendResponse(req, res, response);
  const build = await resolve(options.build);
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

function resolve(build: Options["build"]): Promise<ServerBuild> {
  return typeof build === "function" ? build() : Promise.resolve(build);
}

function isStaffRoute(build: ServerBuild, id: string): boolean {
  for (let route = build.routes[id]; route; route = route.parentId ? build.routes[route.parentId] : undefined)
    if (route.id === STAFF_ROUTE_ID) return true;
  return false;
}

type RouteObject = Parameters<typeof matchRoutes>[0][number];
const trees = new WeakMap<ServerBuild, RouteObject[]>();

/**
 * Whether a path opens a console page, matched as Remix matches it: react-router's `matchRoutes`
 * over the build's routes (case-insensitive, percent-decoded).
 */
async function isStaffPath(source: Options["build"], pathname: string): Promise<boolean> {
  const build = await resolve(source);
  // matchRoutes ranks every branch on each call (about 80 µs here); a path that cannot name the
  // console's segment, however cased or encoded, skips it.
  const segment = build.routes[STAFF_ROUTE_ID]?.path?.toLowerCase();
  if (segment && !decodedLowerCase(pathname).includes(segment)) return false;
  let routes = trees.get(build);
  if (!routes) trees.set(build, (routes = routeTree(build)));
  return (matchRoutes(routes, pathname) ?? []).some((match) => isStaffRoute(build, match.route.id!));
}

function decodedLowerCase(pathname: string): string {
  try {
    return decodeURIComponent(pathname).toLowerCase();
  } catch {
    return pathname.toLowerCase();
  }
}

/** The build's flat route list as the nested tree `matchRoutes` takes. */
function routeTree(build: ServerBuild, parentId?: string): RouteObject[] {
  return Object.values(build.routes)
    .filter((route) => route.parentId === parentId)
    .map((route) =>
      route.index
        ? { id: route.id, path: route.path, index: true, caseSensitive: route.caseSensitive }
        : { id: route.id, path: route.path, caseSensitive: route.caseSensitive, children: routeTree(build, route.id) },
    );
}
