/**
 * The reporting currency and the fixed rates that convert to it (docs/metrics.md, ADR 24): figures
 * over customers paying in several currencies add up in one. Fixed on purpose: no network, and a
 * month's figures never move because a rate did. A currency without a rate converts to 0 and the
 * metrics pages say so.
 */
import { minorUnitsPerMajor } from "~/lib/money";

/** The currency every revenue figure is reported in, lowercase ISO 4217 as Stripe writes it. */
export const REPORTING_CURRENCY = "usd";

/** Units of each currency per 1 US dollar (major units), as fixed for reporting. */
export const RATES_PER_USD: Readonly<Record<string, number>> = {
  usd: 1,
  eur: 0.92,
  gbp: 0.79,
  chf: 0.88,
  cad: 1.37,
  aud: 1.52,
  nzd: 1.66,
  jpy: 150,
  sek: 10.5,
  nok: 10.7,
  dkk: 6.9,
  pln: 4.0,
  sgd: 1.35,
  inr: 83,
  brl: 5.0,
  mxn: 17,
};

/** `amountMinor` of `currency` in the reporting currency's minor units, rounded; 0 for a currency without a rate. */
export function toReporting(amountMinor: number, currency: string): number {
  const code = currency.toLowerCase();
  const rate = RATES_PER_USD[code];
  const reportingRate = RATES_PER_USD[REPORTING_CURRENCY]!;
  if (!rate) return 0;
  const major = amountMinor / minorUnitsPerMajor(code.toUpperCase());
  return Math.round((major / rate) * reportingRate * minorUnitsPerMajor(REPORTING_CURRENCY.toUpperCase()));
}
