/**
 * `npm run demo:history [-- --accounts N] [--seed S]`: migrates, seeds the demo catalog, then loads
 * N organisations (default 200) with six months of trials, purchases, renewals, upgrades, payment
 * failures, churn and product usage (db/seed/history), so staff screens have true data. Idempotent:
 * the same seed writes the same rows, a larger N adds accounts. Same database as `npm run db:seed`.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { parseEnv } from "../app/lib/env.server";
import { migrateDatabase } from "../db/migrate";
import { openDatabase } from "../db/open";
import { seedDemo } from "../db/seed";
import { loadDemoHistory } from "./demo-history/load";
import { runCli } from "./cli";

const argsSchema = z.object({
  accounts: z.coerce
    .number({ error: "--accounts must be a whole number" })
    .int("--accounts must be a whole number")
    .min(1, "--accounts must be at least 1")
    .max(20_000, "--accounts must be at most 20,000")
    .default(200),
  seed: z
    .string()
    .regex(/^[a-z0-9-]{1,20}$/i, "--seed must be 1 to 20 letters, digits or dashes")
    .default("demo"),
});

const { values } = parseArgs({ options: { accounts: { type: "string" }, seed: { type: "string" } } });
const parsed = argsSchema.safeParse(values);
if (!parsed.success) {
  for (const issue of parsed.error.issues) console.error(issue.message);
  process.exit(2);
}

await runCli(async () => {
  const env = parseEnv();
  const started = performance.now();
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, shared: true });
  try {
    await migrateDatabase(database);
    await seedDemo(database.db);
    const counts = await loadDemoHistory(database, { ...parsed.data, appUrl: env.APP_URL });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`Demo history (seed ${parsed.data.seed}, ${parsed.data.accounts} accounts) loaded in ${seconds} s:`);
    for (const [table, { total, added }] of Object.entries(counts))
      console.log(`  ${table}: ${total.toLocaleString("en")} (${added.toLocaleString("en")} added)`);
  } finally {
    await database.shutdown();
  }
});
