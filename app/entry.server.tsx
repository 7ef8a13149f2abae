import type { AppLoadContext, EntryContext, HandleErrorFunction } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { NonceProvider } from "./components/nonce";
import { coalescing } from "./lib/coalesce.server";
import { noteIfOutage, outageStatus } from "./lib/unavailable.server";

const ABORT_DELAY = 5_000;
export const streamTimeout = ABORT_DELAY;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.cspNonce;
  responseStatusCode = outageStatus(responseStatusCode, loadContext, responseHeaders);
  // Crawlers get the whole document at once; people get the shell as soon as it is ready.
  const readyEvent = isbot(request.headers.get("user-agent") ?? "") ? "onAllReady" : "onShellReady";

  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </NonceProvider>,
      {
        nonce,
        [readyEvent]() {
          shellRendered = true;
          // React's ~2 KiB writes gathered: one trip through the streams and the socket per pause, not per piece.
          const body = coalescing();
          responseHeaders.set("Content-Type", "text/html; charset=utf-8");
          resolve(
            new Response(createReadableStreamFromReadable(body), {
              headers: responseHeaders,
              status: responseStatusCode,
            }),
          );
          pipe(body);
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          // Errors after the shell are reported by the ErrorBoundary; log only ones before it.
          if (shellRendered) console.error(error);
        },
      },
    );
    setTimeout(abort, ABORT_DELAY);
  });
}

/**
 * Remix's own logging, except that the database being away is one line, not a stack (the page
 * answers 503), and a client's mistake Remix answers itself (405 for a POST to a page without an
 * action, 404) is not an error of ours.
 */
export const handleError: HandleErrorFunction = (error, { request, context }) => {
  if (request.signal.aborted || (isRouteErrorResponse(error) && error.status < 500)) return;
  if (noteIfOutage(error, context)) console.warn(`database unavailable: ${String(error)}`);
  else console.error(error);
};

/**
 * `.data` answers (client-side navigations, fetchers and form posts) that failed only because the
 * database is away are outages too: 503 with Retry-After, as documents answer (`outageStatus`).
 */
export function handleDataRequest(response: Response, { context }: { context: AppLoadContext }): Response {
  const headers = new Headers(response.headers);
  const status = outageStatus(response.status, context, headers);
  return status === response.status ? response : new Response(response.body, { status, headers });
}
