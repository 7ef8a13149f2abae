import type Stripe from "stripe";
import type { EmulatorContext } from "./context";
import { formatShortDate } from "./format";
import { priceLabel } from "./invoice-lines";
import type { LineSpec } from "./invoice-lines";

/** When a change takes effect within which billing period. */
export interface ProrationWindow {
  date: number;
  period: { start: number; end: number };
}

/**
 * Stripe's prorations for changing `before` into `after`: per added, removed or changed item, a
 * credit for the unused rest of the period on the old price × quantity and a charge for it on the
 * new one, each `round(amount × remaining seconds / period seconds)`.
 */
export function prorationLines(
  context: EmulatorContext,
  before: readonly Stripe.SubscriptionItem[],
  after: readonly Stripe.SubscriptionItem[],
  window: ProrationWindow,
): LineSpec[] {
  const lines: LineSpec[] = [];
  for (const old of before) {
    const current = after.find((item) => item.id === old.id);
    if (current && current.price.id === old.price.id && current.quantity === old.quantity) continue;
    lines.push(prorationLine(context, old, window, "credit"));
    if (current) lines.push(prorationLine(context, current, window, "charge"));
  }
  for (const added of after.filter((item) => !before.some((old) => old.id === item.id)))
    lines.push(prorationLine(context, added, window, "charge"));
  return lines;
}

/** Credits for every item's unused time, when the billing cycle restarts and the new period is charged in full. */
export function unusedTimeLines(
  context: EmulatorContext,
  items: readonly Stripe.SubscriptionItem[],
  window: ProrationWindow,
): LineSpec[] {
  return items.map((item) => prorationLine(context, item, window, "credit"));
}

function prorationLine(
  context: EmulatorContext,
  item: Stripe.SubscriptionItem,
  { date, period }: ProrationWindow,
  kind: "credit" | "charge",
): LineSpec {
  const quantity = item.quantity ?? 1;
  const amount = Math.round(
    ((item.price.unit_amount ?? 0) * quantity * (period.end - date)) / (period.end - period.start),
  );
  const label = priceLabel(context, item.price);
  const what = `${quantity > 1 ? `${quantity} × ` : ""}${label} after ${formatShortDate(date)}`;
  return {
    price: item.price,
    quantity,
    amount: kind === "credit" ? -amount : amount,
    description: kind === "credit" ? `Unused time on ${what}` : `Remaining time on ${what}`,
    period: { start: date, end: period.end },
    subscriptionItem: item.id,
    proration: true,
    invoiceItem: null,
  };
}
