import { data } from "@remix-run/node";
import type { SubmissionResult } from "@conform-to/react";
import { retryAfterText } from "./rate-limit.server";

/** A 400 with the submission's field errors; secrets typed by the person are not sent back. */
export function invalidSubmission(result: SubmissionResult<string[]>) {
  return data(result, { status: 400 });
}

/**
 * A 429 carrying `Retry-After` in whole seconds; the route must export `headers =
 * retryAfterHeaders` (app/lib/retry-after.ts) for the header to leave the server. The body
 * should say in words when to try again: see `tryAgainIn`.
 */
export function tooManyRequests<Body>(body: Body, retryAfterSeconds: number) {
  return data(body, { status: 429, headers: { "Retry-After": String(Math.max(1, Math.ceil(retryAfterSeconds))) } });
}

/** "Try again in 5 minutes." — the sentence a 429 ends with. */
export function tryAgainIn(retryAfterSeconds: number): string {
  return `Try again in ${retryAfterText(retryAfterSeconds)}.`;
}
