import { getTableColumns, getTableName, sql, type SQL } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { Database } from "../client";
import { features, planFeatures, plans, prices, products } from "../schema";
import type { CatalogDefinition } from "./demo-catalog";

/** Throws when a plan's feature values do not match the product's feature list. */
export function assertCatalogConsistent(catalog: CatalogDefinition): void {
  const kinds = new Map(catalog.features.map((f) => [f.key, f.kind]));
  for (const plan of catalog.plans) {
    const keys = Object.keys(plan.features);
    const missing = [...kinds.keys()].filter((key) => !(key in plan.features));
    const unknown = keys.filter((key) => !kinds.has(key));
    if (missing.length || unknown.length) {
      throw new Error(`Plan ${plan.slug}: missing features [${missing}], unknown features [${unknown}]`);
    }
    for (const [key, value] of Object.entries(plan.features)) {
      const ok = kinds.get(key) === "flag" ? typeof value === "boolean" : value === null || Number.isInteger(value);
      if (!ok) throw new Error(`Plan ${plan.slug}: feature ${key} has a value of the wrong kind`);
    }
  }
}

/**
 * Upserts a catalog by its natural keys in one transaction. Rows that already match are left
 * untouched, so running it twice changes nothing (and does not invalidate page caches).
 */
export async function seedCatalog(db: Database, catalog: CatalogDefinition): Promise<void> {
  assertCatalogConsistent(catalog);
  await db.transaction(async (tx) => {
    const productValues = {
      slug: catalog.slug,
      name: catalog.name,
      tagline: catalog.tagline,
      description: catalog.description,
      faq: catalog.faq,
    };
    await tx
      .insert(products)
      .values(productValues)
      .onConflictDoUpdate({ target: products.slug, ...updateWhenChanged(products, productValues) });
    const [product] = await tx
      .select({ id: products.id })
      .from(products)
      .where(sql`${products.slug} = ${catalog.slug}`);
    if (!product) throw new Error(`Product ${catalog.slug} was not saved`);

    const featureRows = catalog.features.map((f, index) => ({
      productId: product.id,
      key: f.key,
      name: f.name,
      description: f.description,
      groupName: f.group,
      kind: f.kind,
      unit: f.unit ?? null,
      sortOrder: index,
    }));
    const featureIds = new Map<string, string>();
    for (const row of featureRows) {
      await tx
        .insert(features)
        .values(row)
        .onConflictDoUpdate({ target: [features.productId, features.key], ...updateWhenChanged(features, row) });
    }
    for (const row of await tx
      .select({ id: features.id, key: features.key })
      .from(features)
      .where(sql`${features.productId} = ${product.id}`)) {
      featureIds.set(row.key, row.id);
    }

    for (const [index, plan] of catalog.plans.entries()) {
      const planRow = {
        productId: product.id,
        slug: plan.slug,
        name: plan.name,
        summary: plan.summary,
        description: plan.description,
        sortOrder: index,
        salesMode: plan.salesMode,
        pricingModel: plan.pricingModel,
        minSeats: plan.minSeats,
        maxSeats: plan.maxSeats,
        trialDays: plan.trialDays,
        highlighted: plan.highlighted ?? false,
        active: true,
        provisioner: plan.provisioner,
        provisioningTrigger: plan.provisioningTrigger,
        provisioningConfig: plan.provisioningConfig ?? {},
        milestones: plan.milestones,
      };
      const [saved] = await tx
        .insert(plans)
        .values(planRow)
        .onConflictDoUpdate({ target: [plans.productId, plans.slug], ...updateWhenChanged(plans, planRow) })
        .returning({ id: plans.id });
      const planId =
        saved?.id ??
        (
          await tx
            .select({ id: plans.id })
            .from(plans)
            .where(sql`${plans.productId} = ${product.id} and ${plans.slug} = ${plan.slug}`)
        )[0]?.id;
      if (!planId) throw new Error(`Plan ${plan.slug} was not saved`);

      for (const interval of ["month", "year"] as const) {
        const priceRow = {
          planId,
          interval,
          currency: plan.currency,
          unitAmount: plan.prices[interval],
          lookupKey: `${catalog.slug}.${plan.slug}.${interval}.${plan.currency.toLowerCase()}`,
          active: true,
        };
        await tx
          .insert(prices)
          .values(priceRow)
          .onConflictDoUpdate({ target: prices.lookupKey, ...updateWhenChanged(prices, priceRow) });
      }

      for (const [key, value] of Object.entries(plan.features)) {
        const row = { planId, featureId: featureIds.get(key)!, value };
        await tx
          .insert(planFeatures)
          .values(row)
          .onConflictDoUpdate({
            target: [planFeatures.planId, planFeatures.featureId],
            ...updateWhenChanged(planFeatures, row),
          });
      }
    }
  });
}

/** `set` for an upsert that only touches the row (and its updated_at) when a value differs. */
function updateWhenChanged<T extends PgTable>(
  table: T,
  values: Record<string, unknown>,
): { set: Record<string, SQL>; setWhere: SQL } {
  const columns = getTableColumns(table) as Record<string, { name: string }>;
  const names = Object.keys(values).map((key) => {
    const column = columns[key];
    if (!column) throw new Error(`Unknown column ${key}`);
    return column.name;
  });
  const set: Record<string, SQL> = Object.fromEntries(
    Object.keys(values).map((key, i) => [key, sql.raw(`excluded."${names[i]}"`)]),
  );
  if ("updatedAt" in columns) set.updatedAt = sql`now()`;
  const current = sql.join(
    names.map((name) => sql.raw(`"${getTableName(table)}"."${name}"`)),
    sql`, `,
  );
  const incoming = sql.join(
    names.map((name) => sql.raw(`excluded."${name}"`)),
    sql`, `,
  );
  return { set, setWhere: sql`(${current}) is distinct from (${incoming})` };
}
