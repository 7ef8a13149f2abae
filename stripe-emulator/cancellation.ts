import type Stripe from "stripe";
import type { EmulatorContext } from "./context";
import { cancelScheduleOf } from "./schedules";

/**
 * Ends the subscription now (`customer.subscription.deleted`), and its schedule with it, whoever
 * asked: the API, its period end, dunning, or the schedule being canceled.
 */
export function cancelSubscriptionNow(
  context: EmulatorContext,
  before: Stripe.Subscription,
  reason: NonNullable<Stripe.Subscription.CancellationDetails.Reason>,
  request: Stripe.Event.Request | null,
): Stripe.Subscription {
  cancelScheduleOf(context, before, request);
  const now = context.now();
  const subscription = context.store.subscriptions.put({
    ...before,
    status: "canceled",
    canceled_at: before.canceled_at ?? now,
    ended_at: now,
    cancellation_details: {
      comment: null,
      feedback: null,
      feedback_option: null,
      ...before.cancellation_details,
      reason,
    },
  });
  context.recordEvent("customer.subscription.deleted", subscription, request);
  return subscription;
}
