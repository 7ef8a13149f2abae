/**
 * Calendar months as the metrics pages take and show them (docs/metrics.md: UTC calendar months,
 * stored as their first day `YYYY-MM-01`): a range from the query (`from`/`to` as `YYYY-MM`,
 * what `<input type="month">` sends), month arithmetic and labels.
 */

/** At most this many months in one report: three years. */
export const MAX_MONTHS = 36;
/** Cohort columns: month 0 (the first paid month) to month 12. */
export const COHORT_SPAN = 12;
/** Months shown when the query names none: the last twelve, this one included. */
export const DEFAULT_MONTHS = 12;

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])(?:-01)?$/;
const LABEL = new Intl.DateTimeFormat("en-GB", { month: "short", year: "numeric", timeZone: "UTC" });
const LONG_LABEL = new Intl.DateTimeFormat("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });

/** `month` (`YYYY-MM-01`) moved by `count` months (negative: back), as `YYYY-MM-01`. */
export function addMonths(month: string, count: number): string {
  const [year, index] = [Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1 + count];
  const date = new Date(Date.UTC(year, index, 1));
  return date.toISOString().slice(0, 10);
}

/** Whole months from `from` to `to` (both `YYYY-MM-01`): 0 for the same month, negative when `to` is earlier. */
export function monthsBetween(from: string, to: string): number {
  return (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7));
}

/** "Sept 2026", or with `long` "September 2026", for `YYYY-MM-01`. */
export function monthLabel(month: string, style: "short" | "long" = "short"): string {
  return (style === "long" ? LONG_LABEL : LABEL).format(new Date(`${month}T00:00:00Z`));
}

/** `YYYY-MM-01` for a query's `YYYY-MM` (or `YYYY-MM-01`), else null. */
export function parseMonth(value: string | null | undefined): string | null {
  const match = MONTH.exec(value ?? "");
  return match ? `${match[1]}-${match[2]}-01` : null;
}

/** A report's months, oldest first, and a sentence when the query's range was not usable (it then shows the default). */
export type MonthRange = { months: string[]; notice: string | null };

/**
 * The months from `from` to `to` (query values, `YYYY-MM`), oldest first: by default the twelve
 * ending with `now`'s month; a `to` alone ends there, a `from` alone starts there (twelve months,
 * not past now). A range running past `now`'s month stops there, with a notice; dates that do not
 * parse, a `from` after `to`, a `from` after this month, or more than `MAX_MONTHS` months give the
 * default range with a notice saying why (a GET filter never fails: the page says what it showed).
 */
export function monthRange(from: string | null, to: string | null, now: Date): MonthRange {
  const current = `${now.toISOString().slice(0, 7)}-01`;
  const fallback = (notice: string | null): MonthRange => ({
    months: Array.from({ length: DEFAULT_MONTHS }, (_, n) => addMonths(current, n - DEFAULT_MONTHS + 1)),
    notice,
  });
  if (!from && !to) return fallback(null);
  const start = from ? parseMonth(from) : null;
  const end = to ? parseMonth(to) : null;
  if ((from && !start) || (to && !end))
    return fallback("The months were not understood (use YYYY-MM); showing the last 12 months.");
  const first = start ?? addMonths(end!, -(DEFAULT_MONTHS - 1));
  const asked = end ?? [addMonths(first, DEFAULT_MONTHS - 1), current].sort()[0]!;
  if (monthsBetween(first, asked) < 0)
    return fallback("The first month came after the last; showing the last 12 months.");
  if (first > current) return fallback(`${monthLabel(first, "long")} has not begun yet; showing the last 12 months.`);
  // A month that has not begun has no figures yet: its zeros would read as every customer lost.
  const last = asked > current ? current : asked;
  const span = monthsBetween(first, last);
  if (span >= MAX_MONTHS) return fallback(`At most ${MAX_MONTHS} months at once; showing the last 12 months.`);
  const notice =
    last === asked ? null : `Months after ${monthLabel(current, "long")} have not happened yet; showing up to it.`;
  return { months: Array.from({ length: span + 1 }, (_, n) => addMonths(first, n)), notice };
}
