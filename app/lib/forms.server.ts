import { data } from "@remix-run/node";
import type { SubmissionResult } from "@conform-to/react";

/** A 400 with the submission's field errors; secrets typed by the person are not sent back. */
export function invalidSubmission(result: SubmissionResult<string[]>) {
  return data(result, { status: 400 });
}

export function tooManyRequests(result: SubmissionResult<string[]>, retryAfterSeconds: number) {
  return data(result, { status: 429, headers: { "Retry-After": String(retryAfterSeconds) } });
}
