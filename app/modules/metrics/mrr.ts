/**
 * The MRR of one subscription, by the rules of docs/metrics.md (ADR 24): what it contracts to bill
 * per month, in integer minor units of its currency, from Stripe's subscription object alone.
 */
import type Stripe from "stripe";

/**
 * What a subscription must be fetched with for `mrrInputOf` to read its discounts: each one's
 * coupon (`subscriptions.retrieve(id, { expand: MRR_EXPAND })`; a list prefixes each with `data.`).
 */
export const MRR_EXPAND = ["discounts.source.coupon"];

/** Statuses whose MRR counts: a failed payment is revenue at risk until Stripe gives up (`unpaid`). */
const COUNTING = new Set<string>(["active", "past_due"]);

/** Months in one of a price's billing intervals (Stripe `recurring.interval`). */
const MONTHS: Readonly<Record<string, number>> = { day: 12 / 365, week: 12 / 52, month: 1, year: 12 };

/** Months in `count` of `interval`s; an interval Stripe may add later counts as a month. */
const monthsIn = (interval: string, count: number) => (MONTHS[interval] ?? 1) * count;

/** What `mrrOf` reads of a subscription: its status, items and the discounts on it. */
export type MrrInput = {
  status: string;
  /** When a cancellation took effect (Stripe's `ended_at`), Unix seconds; null while it runs. */
  endedAt: number | null;
  items: { unitAmount: number; quantity: number; interval: Stripe.Price.Recurring.Interval; intervalCount: number }[];
  /** Discounts on the subscription; those `once` only are not recurring and never count. */
  discounts: {
    percentOff: number | null;
    /** Per invoice, in the subscription's minor units. */
    amountOff: number | null;
    duration: Stripe.Coupon.Duration;
    /** When it stops applying, Unix seconds; null: never. */
    end: number | null;
  }[];
};

/**
 * The subscription's MRR at `at` (Unix seconds, a Stripe time: the event's), in minor units:
 * Σ unit_amount × quantity ÷ months per interval, less the discounts in force, rounded once at the
 * end; 0 unless active or past due and not ended. Never negative.
 */
export function mrrOf(input: MrrInput, at: number): number {
  if (!COUNTING.has(input.status) || (input.endedAt !== null && input.endedAt <= at)) return 0;
  // Stripe bills every item of a subscription on the same interval: an amount off spreads over it.
  const first = input.items[0];
  const months = first ? monthsIn(first.interval, first.intervalCount) : 1;
  let monthly = 0;
  for (const item of input.items)
    monthly += (item.unitAmount * item.quantity) / monthsIn(item.interval, item.intervalCount);
  for (const discount of input.discounts) {
    if (discount.duration === "once" || (discount.end !== null && discount.end <= at)) continue;
    if (discount.percentOff !== null) monthly *= 1 - discount.percentOff / 100;
    else if (discount.amountOff !== null) monthly -= discount.amountOff / months;
  }
  return Math.max(0, Math.round(monthly));
}

/**
 * `mrrOf`'s input from a Stripe subscription. Discounts must have been expanded with their coupon
 * (`expand: ["discounts.source.coupon"]`); one given as a bare id cannot be read and is left out.
 * A price without a unit amount (tiered) counts 0: the catalog sells none.
 */
export function mrrInputOf(subscription: Stripe.Subscription): MrrInput {
  return {
    status: subscription.status,
    endedAt: subscription.ended_at ?? null,
    items: subscription.items.data.map((item) => ({
      unitAmount: item.price.unit_amount ?? 0,
      quantity: item.quantity ?? 1,
      interval: item.price.recurring?.interval ?? "month",
      intervalCount: item.price.recurring?.interval_count ?? 1,
    })),
    discounts: subscription.discounts.flatMap((discount) => {
      if (typeof discount === "string") return [];
      const coupon = discount.source.coupon;
      if (!coupon || typeof coupon === "string") return [];
      return [
        { percentOff: coupon.percent_off, amountOff: coupon.amount_off, duration: coupon.duration, end: discount.end },
      ];
    }),
  };
}
