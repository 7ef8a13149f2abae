/**
 * A day as the portal writes it in sentences, "12 March 2026": the UTC calendar day, as the billing
 * page shows dates (times are stored in UTC; pages that show a time of day use the viewer's zone).
 */
export function longDate(value: Date | string): string {
  return LONG_DATE.format(new Date(value));
}

// One formatter each, made once: `toLocaleDateString` with options builds a new one per call,
// which a list page of dates paid for hundreds of times (a profile of the staff pages).
const LONG_DATE = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
const SHORT_DAY = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });

/**
 * A moment in a sentence made on the server, where the viewer's zone is unknown (JSX uses
 * `<LocalDate>` instead): "1 May 2026, 09:30 UTC".
 */
export function utcDateTime(value: Date | string): string {
  const iso = new Date(value).toISOString();
  return `${longDate(iso)}, ${iso.slice(11, 16)} UTC`;
}

/** A chart's day label, "3 Nov", for a `YYYY-MM-DD` UTC calendar day. */
export function shortDay(day: string): string {
  return SHORT_DAY.format(new Date(`${day}T00:00:00Z`));
}
