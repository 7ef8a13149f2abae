/**
 * `npm run metrics:backfill`: builds the subscription ledger from Stripe (or the emulator) for
 * subscriptions the mirror has but the ledger does not (`backfillLedger`), then rebuilds every
 * metrics rollup from the whole ledger (`rebuildRollups`). Idempotent: a second run writes nothing
 * new and rebuilds the same figures. Safe while `npm start` runs (the rollup jobs wait for the rebuild).
 */
import { parseEnv } from "../app/lib/env.server";
import { backfillLedger } from "../app/modules/metrics/backfill.server";
import { rebuildRollups } from "../app/modules/metrics/rollup.server";
import { migrateDatabase } from "../db/migrate";
import { openDatabase } from "../db/open";
import { runCli } from "./cli";
import { connectStripe } from "./stripe-target";

await runCli(async () => {
  const env = parseEnv();
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, shared: true });
  const stripe = await connectStripe(env, undefined, { shared: true });
  try {
    await migrateDatabase(database);
    const backfilled = await backfillLedger(database.db, stripe.stripe);
    console.log(
      `Ledger backfill: ${backfilled.subscriptions} subscriptions (${backfilled.rows} rows)` +
        (backfilled.missing ? `; ${backfilled.missing} not found in Stripe, skipped` : "") +
        ".",
    );
    const rebuilt = await rebuildRollups(database.db, new Date());
    console.log(`Metrics rebuilt: ${rebuilt.accounts} accounts, ${rebuilt.accountMonths} account-months.`);
  } finally {
    await stripe.close();
    await database.shutdown();
  }
});
