import type { BillingInterval } from "#db/schema";
import type { Catalog, CatalogPlan } from "~/modules/catalog/catalog.server";
import { orderTotal } from "~/modules/catalog/pricing";

export type PlanChoice = { planSlug: string; interval: BillingInterval; seats: number };
/** Upgrades are charged (prorated) and applied now; downgrades wait for the period end, as paid for. */
export type ChangeKind = "upgrade" | "downgrade";

function monthlyEquivalent(plan: CatalogPlan, choice: PlanChoice): number {
  return orderTotal(plan, choice.interval, choice.seats) / (choice.interval === "year" ? 12 : 1);
}

/**
 * Paying for a longer interval, or as much or more per month, is an upgrade (applied now; more
 * users on a flat price cost nothing extra); anything cheaper per month, or yearly → monthly (the
 * year is paid), is a downgrade. No change, or an unknown plan: null.
 */
export function changeKind(catalog: Catalog, from: PlanChoice, to: PlanChoice): ChangeKind | null {
  const fromPlan = catalog.plans.find((p) => p.slug === from.planSlug);
  const toPlan = catalog.plans.find((p) => p.slug === to.planSlug);
  if (!fromPlan || !toPlan) return null;
  if (from.planSlug === to.planSlug && from.interval === to.interval && from.seats === to.seats) return null;
  if (from.interval !== to.interval) return to.interval === "year" ? "upgrade" : "downgrade";
  return monthlyEquivalent(toPlan, to) >= monthlyEquivalent(fromPlan, from) ? "upgrade" : "downgrade";
}
