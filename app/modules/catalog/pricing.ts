import type { BillingInterval, FeatureValue } from "#db/schema";
import { formatMoney } from "~/lib/money";
import type { CatalogFeature, CatalogPlan } from "./catalog.server";
import { limitAmount } from "./labels";

export const billingIntervals = ["month", "year"] as const satisfies readonly BillingInterval[];

/** The interval named in a query string, monthly when absent or unknown. */
export function parseInterval(value: string | null | undefined): BillingInterval {
  return value === "year" ? "year" : "month";
}

export type PriceDisplay = {
  /** "$24" */
  amount: string;
  /** "per user / month" */
  unit: string;
  /** "From" for plans sold by staff, whose final price is agreed. */
  prefix: string | null;
  /** "$20 per user / month, billed yearly" for annual prices. */
  note: string | null;
};

export function displayPrice(plan: CatalogPlan, interval: BillingInterval): PriceDisplay {
  const price = plan.prices[interval];
  const perSeat = plan.pricingModel === "per_seat";
  const unit = `${perSeat ? "per user " : ""}/ ${interval}`;
  const monthlyEquivalent = { amount: Math.round(price.amount / 12), currency: price.currency };
  return {
    amount: formatMoney(price),
    unit,
    prefix: plan.salesMode === "contact_sales" ? "From" : null,
    note:
      interval === "year"
        ? `${formatMoney(monthlyEquivalent)} ${perSeat ? "per user " : ""}/ month, billed yearly`
        : null,
  };
}

/** Percent saved by paying yearly instead of twelve monthly payments, rounded down. */
export function annualSavingPercent(plan: CatalogPlan): number {
  const twelveMonths = plan.prices.month.amount * 12;
  if (twelveMonths === 0) return 0;
  return Math.floor(((twelveMonths - plan.prices.year.amount) / twelveMonths) * 100);
}

export function seatsText(plan: CatalogPlan): string {
  if (plan.pricingModel === "flat") {
    return plan.maxSeats === null ? "Unlimited users" : `Up to ${plan.maxSeats} users included`;
  }
  if (plan.maxSeats === null) return `From ${plan.minSeats} ${plan.minSeats === 1 ? "user" : "users"}`;
  return `${plan.minSeats}–${plan.maxSeats} users`;
}

/** A feature's value as a comparison-table cell says it. */
export function featureValueText(feature: CatalogFeature, value: FeatureValue | undefined): string {
  if (value === undefined || value === false) return "Not included";
  if (feature.kind === "flag") return value === true ? "Included" : "Not included";
  return limitAmount(typeof value === "number" ? value : null, feature.unit);
}

/** Why the seat count does not fit the plan, or null when it does. */
export function seatsError(plan: CatalogPlan, seats: number): string | null {
  if (seats >= plan.minSeats && (plan.maxSeats === null || seats <= plan.maxSeats)) return null;
  const range = plan.maxSeats === null ? `at least ${plan.minSeats}` : `${plan.minSeats} to ${plan.maxSeats}`;
  return `${plan.name} is for ${range} users`;
}

/** Per-seat plans charge every seat; flat plans one unit whatever the seats. */
export function orderTotal(plan: CatalogPlan, interval: BillingInterval, seats: number): number {
  return plan.prices[interval].amount * (plan.pricingModel === "per_seat" ? seats : 1);
}
