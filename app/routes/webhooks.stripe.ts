import type { ActionFunctionArgs } from "@remix-run/node";
import type Stripe from "stripe";
import { receiveStripeEvent } from "~/modules/billing/events.server";

/**
 * Stripe's webhooks: the signature is checked on the raw body (a bad or stale one gets 400 and
 * nothing is stored); the event goes to the inbox with its job in one transaction; the answer
 * comes at once, before any processing.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const body = await request.text();
  let event: Stripe.Event;
  try {
    event = context.stripe.webhooks.constructEvent(body, request.headers.get("stripe-signature") ?? "", context.config.stripeWebhookSecret);
  } catch {
    return Response.json({ error: "invalid signature" }, { status: 400 });
  }
  const received = await receiveStripeEvent(context.db, event);
  return Response.json({ received: true, duplicate: received === "duplicate" });
}
