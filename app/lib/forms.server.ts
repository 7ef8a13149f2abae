import { data } from "@remix-run/node";
import type { SubmissionResult } from "@conform-to/react";

/** A 400 with the submission's field errors; secrets typed by the person are not sent back. */
export function invalidSubmission(result: SubmissionResult<string[]>) {
  return data(result, { status: 400 });
}

export function tooManyRequests(result: SubmissionResult<string[]>, retryAfterSeconds: number) {
  return data(result, { status: 429, headers: { "Retry-After": String(retryAfterSeconds) } });
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
