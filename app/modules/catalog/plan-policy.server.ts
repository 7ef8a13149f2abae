import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import { plans, products } from "#db/schema";
import type { Snapshot } from "../../../provisioning/types";
import type { Catalog, CatalogPlan } from "./catalog.server";

/** How a plan is provisioned: which provisioner, when, with which settings. */
export async function loadPlanPolicy(db: DbOrTx, productSlug: string, planSlug: string) {
  const [row] = await db
    .select({ provisioner: plans.provisioner, trigger: plans.provisioningTrigger, config: plans.provisioningConfig })
    .from(plans)
    .innerJoin(products, eq(products.id, plans.productId))
    .where(and(eq(products.slug, productSlug), eq(plans.slug, planSlug), eq(plans.active, true)));
  return row ?? null;
}

/** What a request carries of the plan: frozen, so later catalog edits do not change what was bought. */
export function snapshotOf(catalog: Catalog, plan: CatalogPlan, seats: number, trialEndsAt: Date | null): Snapshot {
  const limits: Record<string, number | null> = {};
  const features: string[] = [];
  for (const feature of catalog.features) {
    const value = plan.features[feature.key];
    if (feature.kind === "limit" && value !== undefined && typeof value !== "boolean") limits[feature.key] = value;
    if (feature.kind === "flag" && value === true) features.push(feature.key);
  }
  return {
    productSlug: catalog.product.slug,
    planSlug: plan.slug,
    planName: plan.name,
    seats,
    limits,
    features,
    trialEndsAt: trialEndsAt?.toISOString() ?? null,
  };
}
