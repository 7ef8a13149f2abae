/**
 * `npm start`: everything in one process for a newcomer. Starts the embedded PostgreSQL when
 * DATABASE_URL is unset, applies migrations, seeds the demo catalog, then serves the portal.
 */
import type { Server } from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { EnvError, parseEnv } from "../app/lib/env.server";
import { createLogger } from "../app/lib/logger.server";
import { migrateDatabase } from "../db/migrate";
import { openDatabase } from "../db/open";
import { seedDemo } from "../db/seed";
import { ensureBuild } from "./build";
import { createWebApp } from "./web";

const root = fileURLToPath(new URL("..", import.meta.url));

let env;
try {
  env = parseEnv();
} catch (error) {
  if (!(error instanceof EnvError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const logger = createLogger(env.LOG_LEVEL);
const development = env.NODE_ENV === "development";

const buildEntry = development ? null : await ensureBuild(root, (message) => logger.info(message));
const database = await openDatabase({
  databaseUrl: env.DATABASE_URL,
  dataDir: env.DATA_DIR,
  log: (message) => logger.child({ component: "postgres" }).debug(message),
});
await migrateDatabase(database);
if (env.SEED_DEMO) await seedDemo(database.db);

const vite = development
  ? await import("vite").then(({ createServer }) => createServer({ server: { middlewareMode: true } }))
  : null;
const web = await createWebApp({
  env,
  database,
  logger,
  clientDir: path.join(root, "build/client"),
  ...(vite ? { vite } : { build: (await import(pathToFileURL(buildEntry!).href)) as ServerBuild }),
});

const server: Server = web.app.listen(env.PORT, env.HOST, () => {
  logger.info({ url: env.APP_URL, embeddedDatabase: database.embedded }, "portal ready");
  console.log(`\n  Portal ready at ${env.APP_URL}\n`);
});

let stopping = false;
async function shutdown(signal: NodeJS.Signals) {
  if (stopping) {
    logger.warn({ signal }, "second signal, exiting at once");
    process.exit(1);
  }
  stopping = true;
  logger.info({ signal }, "shutting down");
  // Finish in-flight requests, but do not wait on idle keep-alive sockets or slow clients for long.
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeIdleConnections();
  const force = setTimeout(() => server.closeAllConnections(), 10_000).unref();
  await closed;
  clearTimeout(force);
  await web.close();
  await vite?.close();
  await database.shutdown();
  logger.info("stopped");
  process.exit(0);
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
