import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database } from "#db/client";
import { plans, prices, products } from "#db/schema";

export type SyncCounts = {
  productsCreated: number;
  productsUpdated: number;
  pricesCreated: number;
  pricesUnchanged: number;
};

/**
 * Makes Stripe's catalog match ours, found by lookup key: running it twice changes nothing.
 * Stripe prices cannot change amount, so a changed price becomes a new Stripe price that takes
 * over the lookup key; the old one is archived.
 */
export async function syncCatalogToStripe(db: Database, stripe: Stripe): Promise<SyncCounts> {
  const counts: SyncCounts = { productsCreated: 0, productsUpdated: 0, pricesCreated: 0, pricesUnchanged: 0 };
  for (const product of await db.select().from(products)) {
    const stripeProductId = await syncProduct(db, stripe, product, counts);
    const rows = await db
      .select({ price: prices, planName: plans.name, planSlug: plans.slug, pricingModel: plans.pricingModel })
      .from(prices)
      .innerJoin(plans, eq(plans.id, prices.planId))
      .where(eq(plans.productId, product.id));
    const existing = await stripePricesByLookupKey(
      stripe,
      rows.map((row) => row.price.lookupKey),
    );
    for (const { price, planName, planSlug } of rows) {
      const current = existing.get(price.lookupKey);
      const matches =
        current &&
        current.unit_amount === price.unitAmount &&
        current.currency === price.currency.toLowerCase() &&
        current.recurring?.interval === price.interval &&
        current.product === stripeProductId;
      let stripePriceId = current?.id;
      if (matches) {
        if (current.active !== price.active) await stripe.prices.update(current.id, { active: price.active });
        counts.pricesUnchanged += 1;
      } else {
        const created = await stripe.prices.create({
          product: stripeProductId,
          currency: price.currency.toLowerCase(),
          unit_amount: price.unitAmount,
          recurring: { interval: price.interval },
          active: price.active,
          lookup_key: price.lookupKey,
          transfer_lookup_key: true,
          nickname: `${planName} (${price.interval === "month" ? "monthly" : "yearly"})`,
          metadata: { plan: planSlug },
        });
        if (current) await stripe.prices.update(current.id, { active: false });
        stripePriceId = created.id;
        counts.pricesCreated += 1;
      }
      if (stripePriceId !== price.stripePriceId)
        await db.update(prices).set({ stripePriceId }).where(eq(prices.id, price.id));
    }
  }
  return counts;
}

async function syncProduct(
  db: Database,
  stripe: Stripe,
  product: typeof products.$inferSelect,
  counts: SyncCounts,
): Promise<string> {
  const wanted = { name: product.name, description: product.description, metadata: { slug: product.slug } };
  if (product.stripeProductId) {
    const current = await stripe.products.retrieve(product.stripeProductId);
    if (current.name !== wanted.name || current.description !== wanted.description) {
      await stripe.products.update(current.id, wanted);
      counts.productsUpdated += 1;
    }
    return current.id;
  }
  const created = await stripe.products.create(wanted);
  await db.update(products).set({ stripeProductId: created.id }).where(eq(products.id, product.id));
  counts.productsCreated += 1;
  return created.id;
}

/** Stripe's prices holding these lookup keys, 10 keys per request (Stripe's limit). */
async function stripePricesByLookupKey(stripe: Stripe, lookupKeys: string[]): Promise<Map<string, Stripe.Price>> {
  const found = new Map<string, Stripe.Price>();
  for (let i = 0; i < lookupKeys.length; i += 10) {
    const page = await stripe.prices.list({ lookup_keys: lookupKeys.slice(i, i + 10), limit: 100 });
    for (const price of page.data) if (price.lookup_key) found.set(price.lookup_key, price);
  }
  return found;
}
