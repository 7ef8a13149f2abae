/**
 * How revenue figures read, the same on the pages and in the CSV exports (ADR 20: words, not
 * keys): amounts in the reporting currency, shares as percentages, movements by name.
 */
import { formatMoney, toMajorUnitString } from "~/lib/money";
import type { ChurnKind, Movement } from "#db/schema";
import { REPORTING_CURRENCY } from "./currency";

const CURRENCY = REPORTING_CURRENCY.toUpperCase();
const PERCENT = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 1 });
const RATIO = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
const WHOLE = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** Each movement's name, in the order the MRR bridge adds them. */
export const movementLabels: Record<Movement, string> = {
  new: "New",
  reactivation: "Reactivation",
  expansion: "Expansion",
  contraction: "Contraction",
  churn: "Churn",
};

export const churnKindLabels: Record<ChurnKind, string> = {
  voluntary: "Cancelled",
  payment_failure: "Payment failed",
};

/** "$1,240" or "$12.50": minor units of the reporting currency. */
export const money = (minor: number) => formatMoney({ amount: minor, currency: CURRENCY });

/** "1240.00": a plain decimal for spreadsheets. */
export const moneyDecimal = (minor: number) => toMajorUnitString({ amount: minor, currency: CURRENCY });

/** "12.5%", or "—" when there was nothing to divide by. */
export const percent = (share: number | null) => (share === null ? "—" : PERCENT.format(share));

/** "2.4", or "—" when nothing was lost (a quick ratio). */
export const ratio = (value: number | null) => (value === null ? "—" : RATIO.format(value));

/** "1,240": a count, rounded (one formatter made once: `toLocaleString` builds one per call). */
export const whole = (value: number) => WHOLE.format(Math.round(value));
