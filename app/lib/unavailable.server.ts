import { isDatabaseUnavailable } from "#db/unavailable";

/**
 * Retry-After, in seconds, on answers given while the database is away: a restart of PostgreSQL
 * (ours is restarted by the embedded supervisor) takes a few seconds.
 */
export const RETRY_AFTER_SECONDS = "5";

/**
 * Load contexts (one per request) of the requests whose loaders or action failed because the
 * database is away. Remix hands the document renderer sanitized errors in production, so the
 * original is judged in `handleError` and remembered here.
 */
const outages = new WeakSet<object>();

/** Remembers, for `outageStatus`, that the request of `context` failed on the database's absence. */
export function noteIfOutage(error: unknown, context: object): boolean {
  if (!isDatabaseUnavailable(error)) return false;
  outages.add(context);
  return true;
}

/**
 * A page that failed only because the database is away is an outage: 503 with Retry-After
 * instead of a 500, so browsers, proxies and monitors know to come back. Returns the status to
 * answer, setting Retry-After and no-store on `headers` when it is 503.
 */
export function outageStatus(status: number, context: object, headers: Headers): number {
  if (status < 500 || !outages.has(context)) return status;
  headers.set("Retry-After", RETRY_AFTER_SECONDS);
  headers.set("Cache-Control", "no-store");
  return 503;
}
