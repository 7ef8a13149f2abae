/** `npm run catalog:sync`: creates or updates the catalog's products and prices in Stripe (or the emulator). */
import { parseEnv } from "../app/lib/env.server";
import { syncCatalogToStripe } from "../app/modules/billing/catalog-sync.server";
import { migrateDatabase } from "../db/migrate";
import { openDatabase } from "../db/open";
import { seedDemo } from "../db/seed";
import { runCli } from "./cli";
import { connectStripe } from "./stripe-target";

await runCli(async () => {
  const env = parseEnv();
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, shared: true });
  const stripe = await connectStripe(env, undefined, { shared: true });
  try {
    await migrateDatabase(database);
    if (env.SEED_DEMO) await seedDemo(database.db);
    const counts = await syncCatalogToStripe(database.db, stripe.stripe);
    console.log(`${stripe.emulator ? "Stripe emulator" : "Stripe"}: ${JSON.stringify(counts)}`);
  } finally {
    await stripe.close();
    await database.shutdown();
  }
});
