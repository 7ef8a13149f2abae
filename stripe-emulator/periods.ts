import type Stripe from "stripe";

const DAY_SECONDS = 86_400;

/**
 * The end of one billing period starting at `start` (unix seconds). Month and year steps keep the
 * day of month and clamp it to the month's length (Jan 31 → Feb 28), as Stripe's billing cycle does.
 */
export function periodEnd(start: number, recurring: Pick<Stripe.Price.Recurring, "interval" | "interval_count">): number {
  const count = recurring.interval_count;
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
