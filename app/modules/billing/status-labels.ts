import type { OrderStatus, TrialStatus } from "#db/schema";
import { wordsFromKey } from "~/modules/catalog/labels";

const labels: Record<string, string> = {
  active: "Active",
  trialing: "Active, in its trial period",
  past_due: "Payment failed, retrying",
  unpaid: "Unpaid, service paused",
  paused: "Paused",
  incomplete: "Waiting for the first payment",
  incomplete_expired: "First payment never made",
  canceled: "Cancelled",
};

/**
 * A Stripe subscription status (`subscriptions.status`) in words, for staff and customers alike;
 * a status Stripe adds later reads as words, not as its code.
 */
export function subscriptionStatusLabel(status: string): string {
  return labels[status] ?? wordsFromKey(status);
}

/** An order's status (`orders.status`) in words, as staff read it in an account's history. */
export const orderStatusLabels: Record<OrderStatus, string> = {
  checkout_open: "Waiting for payment",
  paid: "Paid",
  fulfilled: "Paid and set up",
  pending_approval: "Paid, waiting for approval",
  payment_failed: "Payment failed",
  expired: "Checkout expired",
  cancelled: "Cancelled",
};

const trialLabels: Record<TrialStatus, string> = {
  active: "Running",
  expired: "Ended",
  converted: "Bought",
};

/** A trial's status (`trials.status`) in words. */
export function trialStatusLabel(status: string): string {
  return Object.hasOwn(trialLabels, status) ? trialLabels[status as TrialStatus] : wordsFromKey(status);
}
