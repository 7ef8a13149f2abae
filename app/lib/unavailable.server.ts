import { isDatabaseUnavailable } from "#db/unavailable";

/**
 * Retry-After, in seconds, on answers given while the database is away: a restart of PostgreSQL
 * (ours is restarted by the embedded supervisor) takes a few seconds.
 */
export const RETRY_AFTER_SECONDS = "5";

/**
 * A page whose loaders or action failed only because the database is away is an outage: 503
 * with Retry-After instead of a 500, so browsers, proxies and monitors know to come back.
 * Returns the status to answer, setting Retry-After on `headers` when it is 503.
 */
export function outageStatus(status: number, errors: Record<string, unknown> | null | undefined, headers: Headers) {
  if (!errors || !Object.values(errors).some((error) => isDatabaseUnavailable(error))) return status;
  headers.set("Retry-After", RETRY_AFTER_SECONDS);
  headers.set("Cache-Control", "no-store");
  return 503;
}
