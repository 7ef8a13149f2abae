import type Stripe from "stripe";
import type { FormObject } from "./form";
import type { EmulatorContext } from "./context";

export type HttpMethod = "GET" | "POST" | "DELETE";

export interface ApiRequest {
  params: FormObject;
  pathParams: Record<string, string>;
  /** The `expand[]` paths; the server applies them to the response, a handler may read them too. */
  expand: readonly string[];
  /** What events caused by this request record as their `request`. */
  eventRequest: Stripe.Event.Request;
}

export interface Route {
  method: HttpMethod;
  /** `/v1/prices/:id` style; `:name` matches one path segment. */
  path: string;
  /** Also take a JSON body (emulator control endpoints, for test scripts). */
  acceptsJson?: boolean;
  handle(request: ApiRequest, context: EmulatorContext): object;
}

export interface RouteMatch {
  route: Route;
  pathParams: Record<string, string>;
}

export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch | undefined {
  const segments = path.split("/");
  for (const route of routes) {
    if (route.method !== method) continue;
    const pattern = route.path.split("/");
    if (pattern.length !== segments.length) continue;
    const pathParams: Record<string, string> = {};
    const matches = pattern.every((part, index) => {
      const segment = decodeURIComponent(segments[index] ?? "");
      if (part.startsWith(":")) pathParams[part.slice(1)] = segment;
      return part.startsWith(":") ? segment !== "" : part === segment;
    });
    if (matches) return { route, pathParams };
  }
  return undefined;
}
