/**
 * How a portfolio row reads, the same on the page and in the CSV export (ADR 20: words, not keys).
 */
import type { HealthBand, LifecycleStage } from "#db/schema";
import { formatMoney, toMajorUnitString } from "~/lib/money";
import { planLabel, type PlanNames } from "~/modules/catalog/labels";
import { ONBOARDING_DAYS } from "./stage";
import { bandLabels, stageLabels } from "./words";

/** The portfolio's "trial ending" filter: within this many days from now. */
export const TRIAL_ENDING_DAYS = 7;
/** The portfolio's "health dropped" filter: an alert within this many days. */
export const DROPPED_DAYS = 7;

/** "Onboarding, day 12 of 90", "On trial, day 3", "Adopted". */
export function stageText(stage: LifecycleStage, stageDay: number | null): string {
  if (stageDay === null) return stageLabels[stage];
  if (stage === "onboarding") return `${stageLabels[stage]}, day ${stageDay} of ${ONBOARDING_DAYS}`;
  if (stage === "trial") return `${stageLabels[stage]}, day ${stageDay}`;
  return stageLabels[stage];
}

/**
 * Why an account has no health score: the health job scores accounts in service only, so a churned
 * one is never scored again; any other is waiting for its first run.
 */
export function unscoredText(stage: LifecycleStage | null): string {
  return stage === "churned" ? "Not scored: no longer a customer" : "Not scored yet";
}

/** "Good, 82", or why there is no score (`unscoredText`). */
export function healthText(band: HealthBand | null, score: number | null, stage: LifecycleStage | null): string {
  return band && score !== null ? `${bandLabels[band]}, ${score}` : unscoredText(stage);
}

/** "up 3 in 7 days", "down 15 in 7 days", "no change in 7 days", or "" without a week of history. */
export function changeText(change: number | null): string {
  if (change === null) return "";
  if (change === 0) return "no change in 7 days";
  return `${change > 0 ? "up" : "down"} ${Math.abs(change)} in 7 days`;
}

/** The plans' names, comma-separated; "" without any. */
export function plansText(slugs: readonly string[], names: PlanNames): string {
  return slugs.map((slug) => planLabel(slug, names)).join(", ");
}

/** "$1,200" per month, or "—" when not paying. */
export function mrrText(mrrMinor: number, currency: string | null): string {
  return currency && mrrMinor > 0 ? formatMoney({ amount: mrrMinor, currency: currency.toUpperCase() }) : "—";
}

/** "1200.00" for a spreadsheet; "0.00" (in the currency's digits) when not paying. */
export function mrrDecimal(mrrMinor: number, currency: string | null): string {
  return toMajorUnitString({ amount: mrrMinor, currency: (currency ?? "usd").toUpperCase() });
}

/** A UTC calendar day as a CSV cell, "2026-03-12" (ISO 8601, what spreadsheets read as a date); "" for none. */
export function dayText(value: Date | string | null): string {
  return value ? new Date(value).toISOString().slice(0, 10) : "";
}
