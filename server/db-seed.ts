/** `npm run db:seed`: applies the migrations, then seeds the demo catalog (idempotent). */
import { parseEnv } from "../app/lib/env.server";
import { migrateDatabase } from "../db/migrate";
import { openDatabase } from "../db/open";
import { runCli } from "./cli";
import { seedDemo } from "../db/seed";

await runCli(async () => {
  const env = parseEnv();
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, shared: true });
  try {
    await migrateDatabase(database);
    await seedDemo(database.db);
    console.log("Demo catalog seeded.");
  } finally {
    await database.shutdown();
  }
});
