import { and, asc, eq, inArray } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import { features, planFeatures, plans, prices, priceVersions, products } from "#db/schema";
import type {
  ActivationMilestone,
  BillingInterval,
  FaqEntry,
  FeatureKind,
  FeatureValue,
  PlanSalesMode,
  PricingModel,
} from "#db/schema";
import type { Money } from "~/lib/money";

export type CatalogFeature = {
  key: string;
  name: string;
  description: string;
  group: string;
  kind: FeatureKind;
  unit: string | null;
};

export type CatalogPlan = {
  slug: string;
  name: string;
  summary: string;
  description: string;
  salesMode: PlanSalesMode;
  pricingModel: PricingModel;
  minSeats: number;
  maxSeats: number | null;
  trialDays: number;
  highlighted: boolean;
  prices: Record<BillingInterval, Money>;
  features: Record<string, FeatureValue>;
  /** Steps to first value, in checklist order (ADR 21). */
  milestones: ActivationMilestone[];
};

export type Catalog = {
  product: { slug: string; name: string; tagline: string; description: string; faq: FaqEntry[] };
  features: CatalogFeature[];
  plans: CatalogPlan[];
};

/** The public catalog of the portal's product: active plans in display order, with prices and features. */
export async function loadCatalog(db: DbOrTx): Promise<Catalog | null> {
  const [product] = await db.select().from(products).orderBy(asc(products.createdAt)).limit(1);
  if (!product) return null;

  const [featureRows, planRows] = await Promise.all([
    db.select().from(features).where(eq(features.productId, product.id)).orderBy(asc(features.sortOrder)),
    db
      .select()
      .from(plans)
      .where(and(eq(plans.productId, product.id), eq(plans.active, true)))
      .orderBy(asc(plans.sortOrder)),
  ]);
  const planIds = planRows.map((p) => p.id);
  const [priceRows, valueRows] = planIds.length
    ? await Promise.all([
        db
          .select()
          .from(prices)
          .where(and(inArray(prices.planId, planIds), eq(prices.active, true))),
        db.select().from(planFeatures).where(inArray(planFeatures.planId, planIds)),
      ])
    : [[], []];
  const featureKeyById = new Map(featureRows.map((f) => [f.id, f.key]));

  const catalogPlans: CatalogPlan[] = [];
  for (const plan of planRows) {
    const month = priceRows.find((p) => p.planId === plan.id && p.interval === "month");
    const year = priceRows.find((p) => p.planId === plan.id && p.interval === "year");
    // A plan without both prices cannot be shown on a pricing page with an interval switch.
    if (!month || !year) continue;
    const values: Record<string, FeatureValue> = {};
    for (const row of valueRows) {
      const key = featureKeyById.get(row.featureId);
      if (row.planId === plan.id && key) values[key] = row.value ?? null;
    }
    catalogPlans.push({
      slug: plan.slug,
      name: plan.name,
      summary: plan.summary,
      description: plan.description,
      salesMode: plan.salesMode,
      pricingModel: plan.pricingModel,
      minSeats: plan.minSeats,
      maxSeats: plan.maxSeats,
      trialDays: plan.trialDays,
      highlighted: plan.highlighted,
      prices: {
        month: { amount: month.unitAmount, currency: month.currency },
        year: { amount: year.unitAmount, currency: year.currency },
      },
      features: values,
      milestones: plan.milestones,
    });
  }

  return {
    product: {
      slug: product.slug,
      name: product.name,
      tagline: product.tagline,
      description: product.description,
      faq: product.faq,
    },
    features: featureRows.map((f) => ({
      key: f.key,
      name: f.name,
      description: f.description,
      group: f.groupName,
      kind: f.kind,
      unit: f.unit,
    })),
    plans: catalogPlans,
  };
}

/** Throws a 503 response when nothing has been seeded, so pages fail loudly instead of rendering empty. */
export async function requireCatalog(db: DbOrTx): Promise<Catalog> {
  const catalog = await loadCatalog(db);
  if (!catalog) throw new Response("The catalog is empty", { status: 503 });
  return catalog;
}

/**
 * The stored price of a plan and interval, by lookup key, with the Stripe price new checkouts
 * use (`stripePriceId`): null until the catalog sync has made one at the row's amount, so a
 * catalog change not synced yet never sells at the old amount. Older Stripe prices stay in the
 * price history (`price_versions`) for the subscribers on them.
 */
export async function priceRowFor(db: DbOrTx, catalog: Catalog, plan: CatalogPlan, interval: BillingInterval) {
  const lookupKey = `${catalog.product.slug}.${plan.slug}.${interval}.${plan.prices[interval].currency.toLowerCase()}`;
  const [row] = await db
    .select({ price: prices, version: priceVersions })
    .from(prices)
    .leftJoin(priceVersions, eq(priceVersions.stripePriceId, prices.stripePriceId))
    .where(eq(prices.lookupKey, lookupKey));
  if (!row) return null;
  const { price, version } = row;
  const stale = version !== null && (version.unitAmount !== price.unitAmount || version.currency !== price.currency);
  return { ...price, stripePriceId: stale ? null : price.stripePriceId };
}
