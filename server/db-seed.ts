/** `npm run db:seed`: applies the migrations, then seeds the demo catalog (idempotent). */
import { parseEnv } from "../app/lib/env.server";
import { migrateDatabase } from "../db/migrate";
import { openDatabase } from "../db/open";
import { seedDemo } from "../db/seed";

const env = parseEnv();
const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
try {
  await migrateDatabase(database);
  await seedDemo(database.db);
  console.log("Demo catalog seeded.");
} finally {
  await database.shutdown();
}
