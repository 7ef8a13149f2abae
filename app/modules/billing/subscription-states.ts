/**
 * Stripe subscription statuses that no longer give anyone the service: the mirror keeps such rows,
 * and "the organisation's subscription" (`currentSubscription`, the seat limit) skips them.
 * Stripe API: Subscription.status.
 */
export const ENDED_SUBSCRIPTION_STATUSES = ["canceled", "incomplete_expired"];
