import { eq, isNull, and } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database } from "#db/client";
import { addJob } from "#db/jobs";
import { billingCustomers, prices, plans, stripeEvents } from "#db/schema";
import { confirmCheckout, mirrorSubscription } from "~/modules/orders/payment.server";

export const STRIPE_EVENT_TASK = "stripe_event";

/**
 * Stores a verified event in the inbox, keyed by its id, and queues its processing in the same
 * transaction. A duplicate delivery finds the row and adds nothing.
 */
export async function receiveStripeEvent(db: Database, event: Stripe.Event): Promise<"new" | "duplicate"> {
  return db.transaction(async (tx) => {
    const [stored] = await tx
      .insert(stripeEvents)
      .values({ id: event.id, type: event.type, payload: event as unknown as Record<string, unknown> })
      .onConflictDoNothing()
      .returning({ id: stripeEvents.id });
    if (!stored) return "duplicate";
    await addJob(tx, STRIPE_EVENT_TASK, { eventId: event.id }, { maxAttempts: 25 });
    return "new";
  });
}

/**
 * Applies an event by asking Stripe for the object's current state, so duplicates and any
 * arrival order end in the same place.
 */
export async function processStripeEvent(db: Database, stripe: Stripe, eventId: string): Promise<void> {
  const [row] = await db.select().from(stripeEvents).where(and(eq(stripeEvents.id, eventId), isNull(stripeEvents.processedAt)));
  if (!row) return;
  const object = (row.payload as { data?: { object?: { id?: string } } }).data?.object;
  switch (row.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded":
      if (object?.id) await confirmCheckout(db, stripe, object.id);
      break;
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted":
      if (object?.id) await refreshSubscription(db, stripe, object.id);
      break;
  }
  await db.update(stripeEvents).set({ processedAt: new Date() }).where(eq(stripeEvents.id, eventId));
}

async function refreshSubscription(db: Database, stripe: Stripe, subscriptionId: string): Promise<void> {
  const subscription = await stripe.subscriptions.retrieve(subscriptionId);
  const customerId = typeof subscription.customer === "string" ? subscription.customer : subscription.customer.id;
  const [customer] = await db.select().from(billingCustomers).where(eq(billingCustomers.stripeCustomerId, customerId));
  if (!customer) return;
  const priceId = subscription.items.data[0]?.price.id;
  const [plan] = priceId
    ? await db.select({ slug: plans.slug }).from(prices).innerJoin(plans, eq(plans.id, prices.planId)).where(eq(prices.stripePriceId, priceId))
    : [];
  await mirrorSubscription(db, customer.accountId, subscription, plan?.slug ?? null);
}
