/** An amount in integer minor units (cents for USD) with its ISO 4217 currency. */
export type Money = { amount: number; currency: string };

const formatters = new Map<string, Intl.NumberFormat>();

function formatterFor(currency: string, locale: string, whole: boolean): Intl.NumberFormat {
  const key = `${locale}:${currency}:${whole}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, {
      style: "currency",
      currency,
      ...(whole ? { minimumFractionDigits: 0, maximumFractionDigits: 0 } : {}),
    });
    formatters.set(key, formatter);
  }
  return formatter;
}

const perMajor = new Map<string, number>();

/** How many minor units the currency has per major unit (100 for USD, 1 for JPY); kept per currency (`resolvedOptions` is slow). */
export function minorUnitsPerMajor(currency: string): number {
  let units = perMajor.get(currency);
  if (units === undefined) {
    units = 10 ** (formatterFor(currency, "en-US", false).resolvedOptions().maximumFractionDigits ?? 2);
    perMajor.set(currency, units);
  }
  return units;
}

/** "$1,200" for whole amounts, "$12.50" otherwise. */
export function formatMoney({ amount, currency }: Money, locale = "en-US"): string {
  const perMajor = minorUnitsPerMajor(currency);
  return formatterFor(currency, locale, amount % perMajor === 0).format(amount / perMajor);
}

/** "12.00": the decimal string structured data and payment APIs expect. */
export function toMajorUnitString({ amount, currency }: Money): string {
  const perMajor = minorUnitsPerMajor(currency);
  return (amount / perMajor).toFixed(Math.round(Math.log10(perMajor)));
}
