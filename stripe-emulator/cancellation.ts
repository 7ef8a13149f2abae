import type Stripe from "stripe";
import type { EmulatorContext } from "./context";

/** Ends the subscription now (`customer.subscription.deleted`), whoever asked: the API, its period end, or dunning. */
export function cancelSubscriptionNow(
  context: EmulatorContext,
  before: Stripe.Subscription,
  reason: NonNullable<Stripe.Subscription.CancellationDetails.Reason>,
  request: Stripe.Event.Request | null,
): Stripe.Subscription {
  const now = context.now();
  const subscription = context.store.subscriptions.put({
    ...before,
    status: "canceled",
    canceled_at: before.canceled_at ?? now,
    ended_at: now,
    cancellation_details: { comment: null, feedback: null, feedback_option: null, ...before.cancellation_details, reason },
  });
  context.recordEvent("customer.subscription.deleted", subscription, request);
  return subscription;
}
