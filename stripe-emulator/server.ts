import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { apiKeyOf } from "./auth";
import type { EmulatorContext } from "./context";
import { idempotencyError, invalidRequest, StripeApiError, unknownRoute } from "./errors";
import { API_VERSION } from "./events";
import { expandResponse } from "./expand";
import { formFromJson, parseForm } from "./form";
import type { FormObject } from "./form";
import { payCheckout, showCheckout } from "./hosted-checkout";
import { showInvoice, submitInvoice } from "./hosted-invoice";
import { showPortal, submitPortal } from "./hosted-portal";
import type { HtmlResponse } from "./hosted-page";
import { ID_PREFIX, newId } from "./ids";
import { matchRoute } from "./router";
import type { Route } from "./router";
import { settleDueWork } from "./time-travel";

const MAX_BODY_BYTES = 1_000_000;

/** Pages the customer's browser opens: GET shows one, a form POST submits it. */
interface HostedPage {
  path: RegExp;
  show(context: EmulatorContext, id: string): HtmlResponse;
  submit(context: EmulatorContext, id: string, form: URLSearchParams): HtmlResponse;
}

const HOSTED_PAGES: readonly HostedPage[] = [
  { path: /^\/c\/pay\/([^/]+)$/, show: showCheckout, submit: payCheckout },
  { path: /^\/p\/session\/([^/]+)$/, show: showPortal, submit: submitPortal },
  { path: /^\/i\/([^/]+)(?:\/pdf)?$/, show: showInvoice, submit: submitInvoice },
];

export interface EmulatorServerOptions {
  context: EmulatorContext;
  routes: readonly Route[];
  /** Called after every request that may have changed state. */
  onStateChanged(): void;
}

interface JsonResponse {
  status: number;
  body: object;
  replayed?: boolean;
}

export function createEmulatorServer(options: EmulatorServerOptions): Server {
  return createServer((request, response) => {
    handle(request, response, options).catch((error: unknown) => {
      sendJson(response, newId(ID_PREFIX.request), errorResponse(error), options.context.now());
    });
  });
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  options: EmulatorServerOptions,
): Promise<void> {
  const url = new URL(request.url ?? "/", "http://emulator");
  const method = request.method ?? "GET";
  const body = await readBody(request);
  // Whatever fell due since the last request (in real time) happens before this one is answered.
  const settled = settleDueWork(options.context);
  const hosted = hostedPage(url.pathname);
  if (hosted) {
    const submitted = method === "POST";
    sendHtml(
      response,
      submitted
        ? hosted.page.submit(options.context, hosted.id, new URLSearchParams(body))
        : hosted.page.show(options.context, hosted.id),
    );
    if (submitted || settled) options.onStateChanged();
    return;
  }
  const requestId = newId(ID_PREFIX.request);
  const contentType = headerValue(request.headers["content-type"]);
  const result = handleApi(
    { method, path: url.pathname, query: url.search.slice(1), body, contentType, request, requestId },
    options,
  );
  sendJson(response, requestId, result, options.context.now());
  if (method !== "GET" || settled) options.onStateChanged();
}

function hostedPage(path: string): { page: HostedPage; id: string } | undefined {
  for (const page of HOSTED_PAGES) {
    const match = page.path.exec(path);
    if (match) return { page, id: decodeURIComponent(match[1] ?? "") };
  }
  return undefined;
}

interface ApiCall {
  method: string;
  path: string;
  query: string;
  body: string;
  contentType: string | null;
  request: IncomingMessage;
  requestId: string;
}

function handleApi(call: ApiCall, options: EmulatorServerOptions): JsonResponse {
  try {
    const apiKey = apiKeyOf(call.request.headers.authorization);
    const idempotencyKey = headerValue(call.request.headers["idempotency-key"]);
    if (call.method !== "POST" || idempotencyKey === null) return runRoute(call, idempotencyKey, options);
    // Keys are scoped to the API key, and only a request with identical parameters may reuse one.
    const storeKey = `${apiKey} ${idempotencyKey}`;
    const fingerprint = `${call.method} ${call.path} ${call.body}`;
    const stored = options.context.store.idempotency.get(storeKey);
    if (stored) {
      if (stored.fingerprint !== fingerprint) throw idempotencyError(idempotencyKey);
      return { status: stored.status, body: stored.body as object, replayed: true };
    }
    const result = runRoute(call, idempotencyKey, options);
    // Like Stripe, requests rejected for their parameters do not use up the key.
    if (result.status !== 400)
      options.context.store.idempotency.set(storeKey, { fingerprint, status: result.status, body: result.body });
    return result;
  } catch (error) {
    return errorResponse(error);
  }
}

function runRoute(call: ApiCall, idempotencyKey: string | null, options: EmulatorServerOptions): JsonResponse {
  try {
    const match = matchRoute(options.routes, call.method, call.path);
    if (!match) throw unknownRoute(call.method, call.path);
    // Only the emulator's own control endpoints take JSON; Stripe's API is form-encoded.
    const json = match.route.acceptsJson === true && call.contentType?.startsWith("application/json") === true;
    const { expand, params } = splitExpand({
      ...parseForm(call.query),
      ...(json ? formFromJson(call.body) : parseForm(call.body)),
    });
    const body = match.route.handle(
      {
        params,
        pathParams: match.pathParams,
        expand,
        eventRequest: { id: call.requestId, idempotency_key: idempotencyKey },
      },
      options.context,
    );
    const lookup = (id: string) => findObject(options.context, id);
    return { status: 200, body: expand.length > 0 ? expandResponse(body, expand, lookup) : body };
  } catch (error) {
    return errorResponse(error);
  }
}

function splitExpand(form: FormObject): { expand: string[]; params: FormObject } {
  const { expand, ...params } = form;
  if (expand === undefined) return { expand: [], params };
  if (!Array.isArray(expand) || !expand.every((path) => typeof path === "string")) {
    throw invalidRequest("Invalid array", "expand");
  }
  return { expand: expand.filter((path): path is string => typeof path === "string"), params };
}

function findObject(context: EmulatorContext, id: string): object | undefined {
  const { store } = context;
  const collections = [
    store.customers,
    store.paymentMethods,
    store.products,
    store.prices,
    store.subscriptions,
    store.subscriptionSchedules,
    store.invoices,
    store.invoiceItems,
    store.checkoutSessions,
  ];
  for (const collection of collections) {
    const found = collection.get(id);
    if (found) return found;
  }
  return undefined;
}

function errorResponse(error: unknown): JsonResponse {
  if (error instanceof StripeApiError) return { status: error.status, body: error.toBody() };
  return internalError(error);
}

function internalError(error: unknown): JsonResponse {
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, body: { error: { type: "api_error", message: `The emulator failed: ${message}` } } };
}

function headerValue(value: string | string[] | undefined): string | null {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === "" ? null : first;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(invalidRequest("Request body too large."));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/** `Date` is the emulator's clock, as Stripe's answers carry Stripe's time: clients read Stripe's "now" from it. */
function sendJson(response: ServerResponse, requestId: string, result: JsonResponse, now: number): void {
  if (response.headersSent) return;
  response.writeHead(result.status, {
    date: new Date(now * 1000).toUTCString(),
    "content-type": "application/json",
    "request-id": requestId,
    "stripe-version": API_VERSION,
    ...(result.replayed ? { "idempotent-replayed": "true" } : {}),
  });
  response.end(JSON.stringify(result.body, null, 2));
}

function sendHtml(response: ServerResponse, page: HtmlResponse): void {
  response.writeHead(page.status, page.headers);
  response.end(page.body);
}
