/** `npm run db:migrate`: applies the pending migrations (to the embedded PostgreSQL when DATABASE_URL is unset). */
import { parseEnv } from "../app/lib/env.server";
import { migrateDatabase } from "../db/migrate";
import { openDatabase } from "../db/open";
import { runCli } from "./cli";

await runCli(async () => {
  const env = parseEnv();
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, shared: true });
  try {
    await migrateDatabase(database);
    console.log("Migrations applied.");
  } finally {
    await database.shutdown();
  }
});
