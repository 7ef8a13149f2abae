import type { Operation } from "../../../provisioning";

export type SubscriptionState = { status: string; stripePriceId: string | null; quantity: number };

const SERVING = new Set(["active", "trialing", "past_due"]);
const STOPPED = new Set(["unpaid", "paused"]);

/** Whether the subscription pays for a running service (Stripe's retries keep it running while past due). */
export function isServing(status: string): boolean {
  return SERVING.has(status);
}

/**
 * What a change of a Stripe subscription means for the service: unpaid or paused → suspend;
 * paid again → resume; canceled → suspend now (removal follows after the retention period);
 * another price or seat count while serving → modify. Nothing else changes the service.
 */
export function provisioningWorkFor(previous: SubscriptionState | null, current: SubscriptionState): Operation | null {
  if (!previous) return null;
  if (current.status === "canceled" && previous.status !== "canceled")
    return STOPPED.has(previous.status) ? null : "suspend";
  if (STOPPED.has(current.status) && SERVING.has(previous.status)) return "suspend";
  if (SERVING.has(current.status) && STOPPED.has(previous.status)) return "resume";
  if (
    SERVING.has(current.status) &&
    (current.stripePriceId !== previous.stripePriceId || current.quantity !== previous.quantity)
  )
    return "modify";
  return null;
}
