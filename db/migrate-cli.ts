import { parseEnv } from "../app/lib/env.server";
import { migrateDatabase } from "./migrate";
import { openDatabase } from "./open";

const env = parseEnv();
const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
try {
  await migrateDatabase(database);
  console.log("Migrations applied.");
} finally {
  await database.shutdown();
}
