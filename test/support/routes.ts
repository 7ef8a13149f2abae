import type { ActionFunctionArgs, AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import type Stripe from "stripe";
import { createSession } from "../../app/modules/accounts/sessions.server";
import type { TestDatabase } from "./database";

export const ROUTE_APP_URL = "http://portal.test";

/** What a route answered: its status and body (thrown responses included); a thrown error is a 500. */
export type RouteAnswer = { status: number; body: unknown; location: string | null };

/** A load context like the web server's, for calling a route's loader or action in a test. */
export function routeContext(database: TestDatabase, stripe: Stripe): AppLoadContext {
  return {
    db: database.db,
    stripe,
    config: { appUrl: ROUTE_APP_URL, sessionSecret: "route-test-secret-0123456789abcdef", provisionerHttpSecret: null },
    clientIp: "127.0.0.1",
    cspNonce: "nonce",
  };
}

/** The Cookie header of a new session for the user in the organisation. */
export async function signedIn(context: AppLoadContext, userId: string, organisationId: string): Promise<string> {
  const setCookie = await createSession(context.db, context, new Request(ROUTE_APP_URL), userId, organisationId);
  return setCookie.split(";")[0]!;
}

/** Runs a loader or action as Remix would (with the route's URL `params`) and says what the browser would get. */
export async function callRoute(
  handler: (args: LoaderFunctionArgs & ActionFunctionArgs) => Promise<unknown>,
  request: Request,
  context: AppLoadContext,
  params: Record<string, string> = {},
): Promise<RouteAnswer> {
  try {
    return answerOf(await handler({ request, context, params }));
  } catch (thrown) {
    if (thrown instanceof Response) return answerOf(thrown);
    return { status: 500, body: String(thrown), location: null };
  }
}

function answerOf(value: unknown): RouteAnswer {
  if (value instanceof Response) return { status: value.status, body: null, location: value.headers.get("location") };
  if (value && typeof value === "object" && "type" in value && value.type === "DataWithResponseInit") {
    const { data, init } = value as unknown as { data: unknown; init: ResponseInit | null };
    return { status: init?.status ?? 200, body: data, location: null };
  }
  return { status: 200, body: value, location: null };
}

/** A form POST to the route's URL, signed in with `cookie`. */
export function formPost(path: string, cookie: string, fields: Record<string, string>): Request {
  return new Request(`${ROUTE_APP_URL}${path}`, {
    method: "POST",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
}
