/**
 * `npm start`: everything in one process for a newcomer. Starts the embedded PostgreSQL when
 * DATABASE_URL is unset and a local mail catcher when SMTP_URL is unset, applies migrations,
 * seeds the demo catalog and staff login, then runs the job worker and serves the portal.
 */
// First: the mode must be set before React and Express are loaded (see production-mode.ts).
import { loadedReactBuilds } from "./production-mode";
import type { Server, ServerResponse } from "node:http";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import type { ViteDevServer } from "vite";
import { EnvError, parseEnv, type Env } from "../app/lib/env.server";
import { localSecret } from "../db/local-secret";
import { createLogger } from "../app/lib/logger.server";
import { EmbeddedPostgresError } from "../db/embedded";
import { migrateDatabase } from "../db/migrate";
import { isDatabaseUnavailable, isDriverConnectionFault } from "../db/unavailable";
import { openDatabase, type OpenedDatabase } from "../db/open";
import { seedDemo } from "../db/seed";
import { ensureDemoStaff, type DemoLogin } from "./demo-staff";
import { ensureBuild } from "./build";
import { syncCatalogToStripe } from "../app/modules/billing/catalog-sync.server";
import { startMailCatcher, type MailCatcher } from "./mail-catcher";
import { connectStripe, type StripeConnection } from "./stripe-target";
import { refuseTunnels } from "./portal-host";
import { createWebApp, type WebApp } from "./web";
import { startWorker, type Worker } from "./worker";

const root = fileURLToPath(new URL("..", import.meta.url));

let env: Env;
try {
  env = parseEnv();
} catch (error) {
  if (!(error instanceof EnvError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const logger = createLogger(env.LOG_LEVEL);
const development = env.NODE_ENV === "development";

let database: OpenedDatabase | undefined;
let vite: ViteDevServer | undefined;
let web: WebApp | undefined;
let mailCatcher: MailCatcher | undefined;
let worker: Worker | undefined;
let stripe: StripeConnection | undefined;
let server: Server | undefined;
let stopping = false;
/** Kept at the end of a stop for the mail catcher, the emulator and the embedded database, in ms. */
const CLOSE_RESERVE_MS = 1_500;
/** The listener closes once no connection came for this long after a stop signal, in ms (see drainHttp)… */
const ACCEPT_GRACE_MS = 200;
/** …or this long after the signal, in ms, whatever keeps coming. */
const ACCEPT_AT_MOST_MS = 2_000;
let stoppingSince = 0;

try {
  const buildEntry = development ? null : await ensureBuild(root, (message) => logger.info(message));
  database = await openDatabase({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    log: (message) => logger.child({ component: "postgres" }).debug(message),
    notice: (message) => logger.child({ component: "postgres" }).warn(message),
  });
  await migrateDatabase(database);
  let demoStaff: DemoLogin | null = null;
  if (env.SEED_DEMO) {
    await seedDemo(database.db);
    demoStaff = await ensureDemoStaff(database.db, env.DATA_DIR);
  }
  // The emulator's catalog follows ours at every start; real Stripe is synced by `npm run catalog:sync`.
  stripe = await connectStripe(env, `http://127.0.0.1:${env.PORT}/webhooks/stripe`);
  if (stripe.emulator) await syncCatalogToStripe(database.db, stripe.stripe);
  const sessionSecret = env.SESSION_SECRET ?? (await localSecret(path.resolve(env.DATA_DIR, "session-secret")));
  if (!env.SMTP_URL) mailCatcher = await startMailCatcher({ httpPort: env.MAIL_CATCHER_PORT });
  worker = await startWorker({
    databaseUrl: database.url,
    logger,
    smtpUrl: env.SMTP_URL ?? mailCatcher!.smtpUrl,
    mailFrom: env.MAIL_FROM,
    appUrl: env.APP_URL,
    sessionSecret,
    provisionerHttpSecret: env.PROVISIONER_HTTP_SECRET,
    stripe: stripe.stripe,
  });

  if (development)
    vite = await import("vite").then(({ createServer }) => createServer({ server: { middlewareMode: true } }));
  web = await createWebApp({
    env,
    database,
    logger,
    clientDir: path.join(root, "build/client"),
    sessionSecret,
    stripe: stripe.stripe,
    stripeWebhookSecret: stripe.webhookSecret,
    checkoutOrigin: stripe.emulator ? new URL(stripe.emulator.url).origin : "https://checkout.stripe.com",
    ...(vite ? { vite } : { build: (await import(pathToFileURL(buildEntry!).href)) as ServerBuild }),
  });
  const react = loadedReactBuilds();
  // Production means React's production build; `test` and `development` run its development build on purpose.
  if (env.NODE_ENV === "production" && react.includes("development")) {
    throw new Error("React's development build was loaded: server/production-mode.ts must be start.ts's first import.");
  }
  const mode = web.app.get("env") as string;
  server = web.app.listen(env.PORT, env.HOST, () => {
    logger.info({ url: env.APP_URL, embeddedDatabase: database?.embedded, mode, react }, "portal ready");
    const lines = [`Portal ready at ${env.APP_URL}`];
    if (mailCatcher) lines.push(`Emails it sends: ${mailCatcher.webUrl}`);
    if (stripe?.emulator) lines.push(`Stripe emulator (no STRIPE_SECRET_KEY): ${stripe.emulator.url}`);
    if (demoStaff) lines.push(`Staff login: ${demoStaff.email} / ${demoStaff.password}  (${env.APP_URL}/login)`);
    console.log(`\n  ${lines.join("\n  ")}\n`);
  });
  refuseTunnels(server);
  server.on("error", (error: NodeJS.ErrnoException) => {
    fail(error.code === "EADDRINUSE" ? `Port ${env.PORT} is in use: stop what uses it, or set PORT.` : error.message);
  });
} catch (error) {
  // Failures we foresaw explain themselves in a sentence; anything else keeps its stack in the log.
  if (error instanceof EmbeddedPostgresError) fail(error.message);
  else fail(error instanceof Error ? error.message : String(error), error);
}

/** Stops with exit code 1, saying why in plain words on stderr and in the log. */
function fail(message: string, error?: unknown) {
  console.error(`\n  Could not start the portal. ${message}\n`);
  logger.fatal(error ? { err: error } : {}, message);
  process.exitCode = 1;
  void shutdown("SIGTERM");
}

async function shutdown(signal: NodeJS.Signals) {
  if (stopping) {
    // One Ctrl-C arrives more than once (from the terminal, and relayed by npm and tsx); only a later one means "now".
    if (performance.now() - stoppingSince < 1_000) return;
    logger.warn({ signal }, "second signal, exiting at once");
    process.exit(1);
  }
  stopping = true;
  stoppingSince = performance.now();
  logger.info({ signal }, "shutting down");
  // The worker and the web side stop together: the worker takes no new job while requests drain.
  const deadline = performance.now() + env.SHUTDOWN_TIMEOUT_MS - CLOSE_RESERVE_MS;
  await Promise.all([drainHttp(deadline), worker?.stop(Math.max(0, deadline - performance.now()))]);
  await web?.close();
  await vite?.close();
  await mailCatcher?.stop();
  await stripe?.close();
  await database?.shutdown();
  logger.info("stopped");
  process.exit();
}

/**
 * Answers every request already accepted, closing each connection after its answer. It keeps listening
 * until no connection came for ACCEPT_GRACE_MS (at most ACCEPT_AT_MOST_MS): connections the kernel
 * accepted just before the signal are answered, not reset. Connections still open at `deadline` (a
 * `performance.now()` time) are cut.
 */
async function drainHttp(deadline: number) {
  if (!server?.listening) return;
  const listening = server;
  listening.prependListener("request", (_request, response: ServerResponse) => {
    response.shouldKeepAlive = false;
  });
  let lastConnection = performance.now();
  listening.on("connection", () => (lastConnection = performance.now()));
  const acceptUntil = Math.min(deadline, performance.now() + ACCEPT_AT_MOST_MS);
  do {
    await delay(ACCEPT_GRACE_MS);
    // After a busy spell an expired timer runs before the event loop accepts what the kernel queued;
    // setImmediate runs after that accept, so the check below sees those connections.
    await new Promise((resolve) => setImmediate(resolve));
  } while (performance.now() - lastConnection < ACCEPT_GRACE_MS && performance.now() < acceptUntil);
  const closed = new Promise((resolve) => listening.close(resolve));
  listening.closeIdleConnections();
  const force = setTimeout(() => listening.closeAllConnections(), Math.max(0, deadline - performance.now())).unref();
  await closed;
  clearTimeout(force);
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);

/**
 * Losing the database is an outage, not a crash: a library's background work (graphile-worker's
 * failed-job and local-queue code, an idle connection) may reject or emit such an error with no
 * one listening, and the worker's supervisor and the pools recover from it. Anything else is a
 * bug: it is logged and stops the process.
 */
function survive(kind: string) {
  return (error: unknown) => {
    if (isDatabaseUnavailable(error) || isDriverConnectionFault(error)) {
      logger.warn({ reason: String(error) }, `${kind}: the database is unavailable`);
      return;
    }
    logger.fatal({ err: error }, kind);
    process.exit(1);
  };
}
process.on("unhandledRejection", survive("unhandled rejection"));
process.on("uncaughtException", survive("uncaught exception"));
