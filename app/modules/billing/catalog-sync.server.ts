import { and, eq, isNull, ne, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database } from "#db/client";
import { plans, prices, priceVersions, products } from "#db/schema";

/** `pricesAdopted`: Stripe prices of the product found outside the price history and added to it, archived. */
export type SyncCounts = {
  productsCreated: number;
  productsUpdated: number;
  pricesCreated: number;
  pricesUnchanged: number;
  pricesAdopted: number;
};

type PriceRow = typeof prices.$inferSelect;

/**
 * Makes Stripe's catalog match ours, found by lookup key: running it twice changes nothing.
 * Stripe prices cannot change amount, so a changed price becomes a new Stripe price that takes
 * over the lookup key (`transfer_lookup_key`); the old one is archived at Stripe (`active: false`)
 * and in the price history (`price_versions`), never dropped, so subscribers and open checkouts
 * on it keep their plan (grandfathered). Stripe prices of the product the history lacks (synced
 * before it existed) are adopted into it, archived, from their `metadata.plan`, interval and currency.
 */
export async function syncCatalogToStripe(db: Database, stripe: Stripe): Promise<SyncCounts> {
  const counts: SyncCounts = {
    productsCreated: 0,
    productsUpdated: 0,
    pricesCreated: 0,
    pricesUnchanged: 0,
    pricesAdopted: 0,
  };
  for (const product of await db.select().from(products)) {
    const stripeProductId = await syncProduct(db, stripe, product, counts);
    const planProducts = new Map<string, string>();
    for (const plan of await db.select().from(plans).where(eq(plans.productId, product.id)))
      planProducts.set(plan.id, await syncPlanProduct(db, stripe, product, plan, counts));
    const rows = await db
      .select({ price: prices, planName: plans.name, planSlug: plans.slug })
      .from(prices)
      .innerJoin(plans, eq(plans.id, prices.planId))
      .where(eq(plans.productId, product.id));
    const existing = await stripePricesByLookupKey(
      stripe,
      rows.map((row) => row.price.lookupKey),
    );
    for (const { price, planName, planSlug } of rows) {
      const current = existing.get(price.lookupKey);
      // Each price hangs off its plan's product, whose name Checkout and invoices show (ADR 16).
      const planProductId = planProducts.get(price.planId)!;
      const matches =
        current &&
        current.unit_amount === price.unitAmount &&
        current.currency === price.currency.toLowerCase() &&
        current.recurring?.interval === price.interval &&
        current.product === planProductId;
      let synced: Stripe.Price;
      if (matches) {
        if (current.active !== price.active) await stripe.prices.update(current.id, { active: price.active });
        synced = current;
        counts.pricesUnchanged += 1;
      } else {
        synced = await stripe.prices.create({
          product: planProductId,
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
        counts.pricesCreated += 1;
      }
      await recordCurrentVersion(db, price, synced, current && current.id !== synced.id ? current : null);
    }
    // Prices made before plans had products hang off the product's own Stripe product.
    for (const owner of [stripeProductId, ...new Set(planProducts.values())])
      counts.pricesAdopted += await adoptUnrecordedPrices(db, stripe, owner, rows);
  }
  return counts;
}

/**
 * In one transaction: `synced` becomes the price's current version (and its Stripe id), every
 * other version of the price is archived, and a `replaced` Stripe price the history lacked is
 * kept as an archived version.
 */
async function recordCurrentVersion(
  db: Database,
  price: PriceRow,
  synced: Stripe.Price,
  replaced: Stripe.Price | null,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .update(priceVersions)
      .set({ archivedAt: sql`now()` })
      .where(
        and(
          eq(priceVersions.priceId, price.id),
          ne(priceVersions.stripePriceId, synced.id),
          isNull(priceVersions.archivedAt),
        ),
      );
    if (replaced)
      await tx
        .insert(priceVersions)
        .values({ ...versionOf(price, replaced), archivedAt: sql`now()` })
        .onConflictDoNothing();
    await tx
      .insert(priceVersions)
      .values(versionOf(price, synced))
      .onConflictDoUpdate({ target: priceVersions.stripePriceId, set: { archivedAt: null } });
    if (price.stripePriceId !== synced.id)
      await tx.update(prices).set({ stripePriceId: synced.id }).where(eq(prices.id, price.id));
  });
}

function versionOf(price: PriceRow, stripePrice: Stripe.Price) {
  return {
    priceId: price.id,
    stripePriceId: stripePrice.id,
    unitAmount: stripePrice.unit_amount ?? 0,
    currency: stripePrice.currency.toUpperCase(),
  };
}

/** Every Stripe price of the product (archived ones too) that names one of our prices but is not in the history. */
async function adoptUnrecordedPrices(
  db: Database,
  stripe: Stripe,
  stripeProductId: string,
  rows: { price: PriceRow; planSlug: string }[],
): Promise<number> {
  const recorded = new Set(
    (await db.select({ id: priceVersions.stripePriceId }).from(priceVersions)).map((version) => version.id),
  );
  let adopted = 0;
  for await (const stripePrice of stripe.prices.list({ product: stripeProductId, limit: 100 })) {
    if (recorded.has(stripePrice.id)) continue;
    const row = rows.find(
      ({ price, planSlug }) =>
        planSlug === stripePrice.metadata.plan &&
        price.interval === stripePrice.recurring?.interval &&
        price.currency.toLowerCase() === stripePrice.currency,
    );
    if (!row) continue;
    const [added] = await db
      .insert(priceVersions)
      .values({ ...versionOf(row.price, stripePrice), archivedAt: sql`now()` })
      .onConflictDoNothing()
      .returning();
    if (added) adopted += 1;
  }
  return adopted;
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

/**
 * The plan's own Stripe product, named "<product> <plan>" (what Checkout's line item, invoices,
 * receipts and the Billing Portal read), created once (idempotency key per plan) and renamed when
 * the catalog's names change. Its id is kept on the plan.
 */
async function syncPlanProduct(
  db: Database,
  stripe: Stripe,
  product: typeof products.$inferSelect,
  plan: typeof plans.$inferSelect,
  counts: SyncCounts,
): Promise<string> {
  const wanted = {
    name: `${product.name} ${plan.name}`,
    description: plan.summary,
    metadata: { product: product.slug, plan: plan.slug },
  };
  if (plan.stripeProductId) {
    const current = await stripe.products.retrieve(plan.stripeProductId);
    if (current.name !== wanted.name || current.description !== wanted.description) {
      await stripe.products.update(current.id, wanted);
      counts.productsUpdated += 1;
    }
    return current.id;
  }
  const created = await stripe.products.create(wanted, { idempotencyKey: `plan-product:${plan.id}` });
  await db.update(plans).set({ stripeProductId: created.id }).where(eq(plans.id, plan.id));
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
