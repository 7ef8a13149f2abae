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

export const UNREADABLE_FORM_MESSAGE =
  "We could not read the form you sent. Reload the page and send it again from the form.";

/**
 * The submitted form of an action. The web server has already refused other content types (415)
 * and bodies over the limit (413, server/request-body.ts); a body that still cannot be parsed as
 * a form (a broken multipart body, or none at all) is thrown as a 400 with a sentence, never a 500.
 */
export async function readForm(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch {
    throw new Response(UNREADABLE_FORM_MESSAGE, { status: 400, headers: { "Content-Type": "text/plain" } });
  }
}
