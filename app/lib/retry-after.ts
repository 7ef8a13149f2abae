import type { HeadersFunction } from "@remix-run/node";

/**
 * The `headers` export of every route that can answer 429: Remix sends an action's or loader's
 * headers only through a route's `headers` function, so without it `Retry-After` (RFC 9110
 * §10.2.3, whole seconds) set by `tooManyRequests` never reaches the browser. Everything else is
 * the parent's, as for a route without `headers`.
 */
export const retryAfterHeaders: HeadersFunction = ({ actionHeaders, loaderHeaders, errorHeaders, parentHeaders }) => {
  const headers = new Headers(parentHeaders);
  for (const source of [errorHeaders, loaderHeaders, actionHeaders]) {
    const retryAfter = source?.get("Retry-After");
    if (retryAfter) headers.set("Retry-After", retryAfter);
  }
  return headers;
};
