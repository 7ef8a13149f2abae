import type Stripe from "stripe";
import { longDate } from "~/lib/dates";

const PORTAL = "“Cards, invoices and cancellation”";

/**
 * Why a plan change cannot go ahead on the subscription as Stripe has it now, or null when it can.
 * Read from the live subscription at every step (preview and confirm), never from the page or the
 * mirror, so a change made meanwhile elsewhere (another tab, the Billing Portal, support, a failed
 * renewal) is never silently mixed with this one. States: Stripe API, Subscription `status`,
 * `cancel_at_period_end`, `cancel_at`, `pause_collection`.
 */
export function planChangeBlocker(subscription: Stripe.Subscription): string | null {
  switch (subscription.status) {
    case "past_due":
    case "unpaid":
      return `A payment is open. Update your card under ${PORTAL} so it is paid, then change your plan.`;
    case "paused":
      return `Your subscription is paused. Resume it under ${PORTAL}, then change your plan.`;
    case "incomplete":
      return "Your first payment is not complete yet. Finish it, then change your plan.";
    case "canceled":
    case "incomplete_expired":
      return "Your subscription has ended. Order a plan to start a new one.";
  }
  if (subscription.cancel_at_period_end || subscription.cancel_at) {
    const ends = new Date((subscription.cancel_at ?? endOfPeriod(subscription)) * 1000);
    return `Your subscription is set to end on ${longDate(ends)}. Renew it under ${PORTAL} first, then change your plan.`;
  }
  if (subscription.pause_collection)
    return `Payments for your subscription are paused. Resume them under ${PORTAL}, then change your plan.`;
  return null;
}

function endOfPeriod(subscription: Stripe.Subscription): number {
  return subscription.items.data[0]?.current_period_end ?? Math.floor(Date.now() / 1000);
}
