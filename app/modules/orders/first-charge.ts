import type Stripe from "stripe";

/**
 * What Stripe charged when a subscription Checkout completed, and when and what it charges first
 * (amounts in minor units of `currency`, tax excluded unless named; `at` a UTC instant).
 * `chargedNow` is 0 for a trial checkout: its first charge is at the subscription's `trial_end`,
 * for its items' price × quantity; otherwise the first charge is the paid first invoice.
 */
export type FirstCharge = {
  currency: string;
  /** The subscription's price per interval, for all users: Σ item unit_amount × quantity. */
  recurringAmount: number;
  chargedNow: number;
  at: Date;
  amount: number;
  tax: number;
  trial: boolean;
};

/**
 * Reads the first charge from a completed Checkout Session fetched with
 * `expand: ["subscription.latest_invoice"]` (Stripe API: Checkout Session `subscription`,
 * Subscription `trial_end` and `latest_invoice`, Invoice `status_transitions.paid_at`,
 * `total_excluding_tax`, `total_taxes`). Null when the session is not paid or the expansion is missing.
 */
export function firstChargeOf(session: Stripe.Checkout.Session): FirstCharge | null {
  const paid =
    session.status === "complete" &&
    (session.payment_status === "paid" || session.payment_status === "no_payment_required");
  const subscription = session.subscription;
  if (!paid || !subscription || typeof subscription === "string") return null;
  const recurringAmount = subscription.items.data.reduce(
    (sum, item) => sum + (item.price.unit_amount ?? 0) * (item.quantity ?? 1),
    0,
  );
  const currency = subscription.currency.toUpperCase();
  if (subscription.status === "trialing" && subscription.trial_end)
    return {
      currency,
      recurringAmount,
      chargedNow: 0,
      at: new Date(subscription.trial_end * 1000),
      amount: recurringAmount,
      tax: 0,
      trial: true,
    };
  const invoice = subscription.latest_invoice;
  if (!invoice || typeof invoice === "string") return null;
  const tax = (invoice.total_taxes ?? []).reduce((sum, line) => sum + line.amount, 0);
  return {
    currency,
    recurringAmount,
    chargedNow: invoice.amount_paid,
    at: new Date((invoice.status_transitions.paid_at ?? invoice.created) * 1000),
    amount: invoice.total_excluding_tax ?? invoice.total - tax,
    tax,
    trial: false,
  };
}
