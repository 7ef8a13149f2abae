import type Stripe from "stripe";

const DAY_SECONDS = 86_400;

type Interval = Pick<Stripe.Price.Recurring, "interval" | "interval_count">;

/**
 * The end of one billing period starting at `start` (unix seconds). Month and year steps keep the
 * day of month and clamp it to the month's length (Jan 31 → Feb 28), as Stripe's billing cycle does.
 */
export function periodEnd(start: number, recurring: Interval): number {
  return addPeriods(start, recurring, 1);
}

/**
 * The first period boundary after `time`, counted from the billing cycle anchor so that clamped
 * months do not drift: an anchor on Jan 31 renews on Feb 28, then on Mar 31.
 */
export function nextPeriodBoundary(anchor: number, time: number, recurring: Interval): number {
  let periods = 1;
  while (addPeriods(anchor, recurring, periods) <= time) periods++;
  return addPeriods(anchor, recurring, periods);
}

function addPeriods(start: number, recurring: Interval, periods: number): number {
  const count = recurring.interval_count * periods;
  switch (recurring.interval) {
    case "day":
      return start + count * DAY_SECONDS;
    case "week":
      return start + count * 7 * DAY_SECONDS;
    case "year":
      return addMonths(start, 12 * count);
    default:
      return addMonths(start, count);
  }
}

function addMonths(start: number, months: number): number {
  const date = new Date(start * 1000);
  const targetMonth = date.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), targetMonth + 1, 0)).getUTCDate();
  const moved = Date.UTC(
    date.getUTCFullYear(),
    targetMonth,
    Math.min(date.getUTCDate(), lastDay),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
  );
  return Math.floor(moved / 1000);
}
