import { readdirSync } from "node:fs";
import path from "node:path";
import { createRequestHandler, type AppLoadContext, type ServerBuild } from "@remix-run/node";
import compression from "compression";
import type Stripe from "stripe";
import express, { type Request as ExpressRequest, type Response as ExpressResponse } from "express";
import { pinoHttp } from "pino-http";
import type { ViteDevServer } from "vite";
import type { Env } from "../app/lib/env.server";
import type { Logger } from "../app/lib/logger.server";
import type { DbHandle } from "../db/client";
import { attributionCookie } from "./attribution";
import { getSessionUser, SESSION_COOKIE } from "../app/modules/accounts/sessions.server";
import { isLiveKey } from "../app/modules/billing/stripe.server";
import { errorAnswer } from "./error-answer";
import { PageCache, sendResponse } from "./page-cache";
import { portalHost, portalUrlOf } from "./portal-host";
import { oneClickUnsubscribe } from "./one-click-unsubscribe";
import { sameOriginMutations } from "./same-origin";
import { bufferedBody, limitedBodies } from "./request-body";
import { staffConsoleGuard } from "./staff-console";
import { stripeWebhook } from "./stripe-webhook";
import { USAGE_API_PATHS, usageIngest } from "./usage-ingest";
import { contentSecurityPolicy, securityHeaders } from "./security-headers";

type BuildSource = { build: ServerBuild } | { vite: ViteDevServer };

type Options = {
  env: Env;
  database: DbHandle;
  logger: Logger;
  clientDir: string;
  sessionSecret: string;
  stripe: Stripe;
  stripeWebhookSecret: string;
  /** Where forms may send the browser besides the portal: Stripe's hosted pages. */
  checkoutOrigin: string;
} & BuildSource;

export type WebApp = { app: express.Express; pageCache: PageCache; close: () => Promise<void> };

/** The portal's HTTP application: security headers, logging, assets, the page cache and Remix. */
export async function createWebApp(options: Options): Promise<WebApp> {
  const { env, database, logger, clientDir } = options;
  const development = env.NODE_ENV === "development";
  const cspOptions = {
    development,
    https: env.APP_URL.startsWith("https:"),
    formActionOrigins: [options.checkoutOrigin],
  };
  const build =
    "build" in options
      ? options.build
      : () => options.vite.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>;
  // One context per HTTP request, shared by the staff console's guard and Remix's loaders: its
  // `requestScope` holds what one request looks up once (the session, `getSessionUser`).
  const contexts = new WeakMap<ExpressResponse, AppLoadContext>();
  const loadContext = (req: ExpressRequest, res: ExpressResponse): AppLoadContext => {
    let context = contexts.get(res);
    if (!context) contexts.set(res, (context = newContext(req, res)));
    return context;
  };
  const newContext = (req: ExpressRequest, res: ExpressResponse): AppLoadContext => ({
    db: database.db,
    stripe: options.stripe,
    config: {
      appUrl: env.APP_URL,
      sessionSecret: options.sessionSecret,
      provisionerHttpSecret: env.PROVISIONER_HTTP_SECRET ?? null,
    },
    clientIp: req.ip ?? "unknown",
    cspNonce: String(res.locals.cspNonce),
    requestScope: {},
  });

  const app = express();
  app.disable("x-powered-by");
  // Client addresses key the rate limits: trust X-Forwarded-For only from our own proxies.
  app.set(
    "trust proxy",
    /^\d+$/.test(env.TRUST_PROXY) ? Number(env.TRUST_PROXY) : env.TRUST_PROXY.split(",").map((entry) => entry.trim()),
  );
  // First, so Stripe's deliveries skip the request log and page headers: their inbox rows are the record.
  app.post(
    "/webhooks/stripe",
    stripeWebhook({
      sql: database.sql,
      stripe: options.stripe,
      secret: options.stripeWebhookSecret,
      livemode: isLiveKey(env.STRIPE_SECRET_KEY),
      logger,
    }),
  );
  // Likewise the usage API: a hot path whose accepted events are their own record (docs/usage-api.md).
  const usage = usageIngest({ sql: database.sql, logger });
  app.all(USAGE_API_PATHS, usage.handle);
  app.use(
    pinoHttp({
      logger,
      autoLogging: { ignore: (req) => req.url?.startsWith("/assets/") ?? false },
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  // Before anything reads the request: a Host or target not the portal's own stops here (ADR 12).
  app.use(portalHost({ appUrl: env.APP_URL, allowedHosts: env.ALLOWED_HOSTS }));
  app.use(securityHeaders({ ...cspOptions, production: env.NODE_ENV === "production" }));
  app.use(compression());

  if ("vite" in options) {
    app.use(options.vite.middlewares);
  } else {
    // Hashed file names never change content, so browsers may keep them for a year.
    app.use("/assets", express.static(path.join(clientDir, "assets"), { immutable: true, maxAge: "1y" }));
    app.use(publicFiles(clientDir));
  }

  // Control planes call back with their own signatures, not from our pages.
  const callbacks = ["/provisioning/callbacks/"];
  // Mail providers post one-click unsubscribes from their own origin (RFC 8058); the signed link is the authority.
  app.use(sameOriginMutations([...callbacks, "/unsubscribe/"]));
  // Bodies are read here, bounded per kind of route, before Remix parses them (issue 13).
  app.use(limitedBodies(callbacks));
  app.post("/unsubscribe/:token", oneClickUnsubscribe({ db: database.db, secret: options.sessionSecret }));
  app.use(attributionCookie({ secure: env.APP_URL.startsWith("https:") }));

  const renderDocument = createRequestHandler(build, env.NODE_ENV);
  const render = (req: ExpressRequest, res: ExpressResponse) =>
    renderDocument(toFetchRequest(req, res), loadContext(req, res));
  app.use(
    staffConsoleGuard({
      build,
      render,
      isStaff: async (req, res) =>
        Boolean((await getSessionUser(toFetchRequest(req, res), loadContext(req, res)))?.staffRole),
    }),
  );
  const pageCache = new PageCache({
    render,
    urlOf: (_req, res) => portalUrlOf(res),
    cspFor: (sources) => contentSecurityPolicy(sources, cspOptions),
    // Signed-in pages show the person's name; only anonymous ones are shared.
    bypass: (req) => (req.headers.cookie ?? "").includes(`${SESSION_COOKIE}=`),
  });
  if (!development) app.use(pageCache.middleware());
  app.all("*", (req, res, next) => {
    render(req, res)
      .then((response) => sendResponse(req, res, response))
      .catch(next);
  });
  app.use(errorAnswer(logger));

  // Every instance drops its cached pages when any instance changes the catalog.
  const subscription = await database.sql.listen(
    "catalog_changed",
    () => pageCache.clear(),
    () => pageCache.clear(),
  );
  return {
    app,
    pageCache,
    close: async () => {
      usage.close();
      await subscription.unlisten();
    },
  };
}

/**
 * The Fetch request Remix renders: at the URL `portalHost` built from APP_URL and the request's path,
 * never from Host or X-Forwarded-Host, so the page and its cache key are the same (ADR 12). The
 * request is aborted when the client goes away.
 */
function toFetchRequest(req: ExpressRequest, res: ExpressResponse): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const controller = new AbortController();
  res.on("close", () => controller.abort());
  return new Request(portalUrlOf(res), {
    method: req.method,
    headers,
    signal: controller.signal,
    body: bufferedBody(req),
  });
}

/**
 * The few unhashed files of the build (favicon and the like), served for their exact paths
 * only, so page requests do not cost a file-system lookup each.
 */
function publicFiles(clientDir: string): express.RequestHandler {
  const paths = new Set(
    readdirSync(clientDir, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => `/${entry.name}`),
  );
  const serve = express.static(clientDir, { maxAge: "1h", index: false });
  return (req, res, next) => (paths.has(req.path) ? serve(req, res, next) : next());
}
