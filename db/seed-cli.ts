import { parseEnv } from "../app/lib/env.server";
import { migrateDatabase } from "./migrate";
import { openDatabase } from "./open";
import { seedDemo } from "./seed";

const env = parseEnv();
const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
try {
  await migrateDatabase(database);
  await seedDemo(database.db);
  console.log("Demo catalog seeded.");
} finally {
  await database.shutdown();
}
