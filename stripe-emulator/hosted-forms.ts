/**
 * Posts the emulator's hosted pages (Checkout, Billing Portal) the way a browser without
 * JavaScript would: a URL-encoded form, redirects not followed, so the caller sees the 303 and its
 * `Location`. Used by tests and by the benchmarks that pay orders; it imports no test runner.
 */

/** Submits the hosted Checkout form at `url` (the session's `url`), e.g. `{ card_number: "4242424242424242" }`. */
export function submitCheckoutForm(url: string, fields: Record<string, string>): Promise<Response> {
  return postForm(url, fields);
}

/** Submits one of the Billing Portal page's forms (`action` names it), as a browser without JavaScript would. */
export function submitPortalForm(url: string, fields: Record<string, string> & { action: string }): Promise<Response> {
  return postForm(url, fields);
}

function postForm(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, { method: "POST", body: new URLSearchParams(fields), redirect: "manual" });
}
