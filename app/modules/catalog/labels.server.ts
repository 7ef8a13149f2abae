import { asc } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import { features, plans } from "#db/schema";
import type { FeatureWords, PlanNames } from "./labels";

/** What pages and emails need to put catalog keys into words (see ./labels.ts). */
export type CatalogWords = { features: FeatureWords[]; planNames: PlanNames };

/**
 * Every feature and every plan's name, sold or not: a trial or order on a retired plan still
 * reads by name. Two small indexed reads of the catalog tables.
 */
export async function loadCatalogWords(db: DbOrTx): Promise<CatalogWords> {
  const [featureRows, planRows] = await Promise.all([
    db
      .select({ key: features.key, name: features.name, kind: features.kind, unit: features.unit })
      .from(features)
      .orderBy(asc(features.sortOrder)),
    db.select({ slug: plans.slug, name: plans.name }).from(plans).orderBy(asc(plans.sortOrder)),
  ]);
  return { features: featureRows, planNames: Object.fromEntries(planRows.map((plan) => [plan.slug, plan.name])) };
}

/**
 * Plan slugs and names in display order, for the staff lists' plan filters: every plan, sold or
 * not, since requests, leads and accounts keep the plan they were made on.
 */
export function planChoices(words: CatalogWords): [slug: string, name: string][] {
  return Object.entries(words.planNames);
}
