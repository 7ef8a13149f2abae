export const STRIPE_EVENT_TASK = "stripe_event";
