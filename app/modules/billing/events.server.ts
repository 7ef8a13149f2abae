import { and, eq, isNull, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database } from "#db/client";
import { billingCustomers, prices, plans, stripeEvents, subscriptions } from "#db/schema";
import { confirmCheckout, mirrorSubscription, requestInstanceChange } from "~/modules/orders/payment.server";
import { provisioningWorkFor } from "./subscription-work";

export const STRIPE_EVENT_TASK = "stripe_event";

/**
 * Stores a verified event in the inbox, keyed by its id, and queues its processing, in one
 * statement (so one transaction). A duplicate delivery finds the row and adds nothing.
 */
export async function receiveStripeEvent(db: Database, event: Stripe.Event): Promise<"new" | "duplicate"> {
  const rows = await db.execute(sql`
    with stored as (
      insert into stripe_events (id, type, payload) values (${event.id}, ${event.type}, ${JSON.stringify(event)}::jsonb)
      on conflict do nothing
      returning id
    )
    select graphile_worker.add_job(${STRIPE_EVENT_TASK}, json_build_object('eventId', id), max_attempts => 25) from stored`);
  return [...rows].length ? "new" : "duplicate";
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
      if (object?.id) await refreshSubscription(db, stripe, object.id, eventId);
      break;
  }
  await db.update(stripeEvents).set({ processedAt: new Date() }).where(eq(stripeEvents.id, eventId));
}

/** Mirrors the subscription as Stripe has it now, and turns a change that matters into provisioning work. */
async function refreshSubscription(db: Database, stripe: Stripe, subscriptionId: string, eventId: string): Promise<void> {
  const subscription = await stripe.subscriptions.retrieve(subscriptionId);
  const customerId = typeof subscription.customer === "string" ? subscription.customer : subscription.customer.id;
  const [customer] = await db.select().from(billingCustomers).where(eq(billingCustomers.stripeCustomerId, customerId));
  if (!customer) return;
  const item = subscription.items.data[0];
  const [plan] = item
    ? await db.select({ slug: plans.slug }).from(prices).innerJoin(plans, eq(plans.id, prices.planId)).where(eq(prices.stripePriceId, item.price.id))
    : [];
  await db.transaction(async (tx) => {
    const [before] = await tx.select().from(subscriptions).where(eq(subscriptions.id, subscription.id)).for("update");
    await mirrorSubscription(tx, customer.accountId, subscription, plan?.slug ?? before?.planSlug ?? null);
    const current = { status: subscription.status, stripePriceId: item?.price.id ?? null, quantity: item?.quantity ?? 1 };
    const work = provisioningWorkFor(before ?? null, current);
    const planSlug = plan?.slug ?? before?.planSlug;
    if (!work || !before?.instanceId || !planSlug) return;
    await requestInstanceChange(tx, { accountId: customer.accountId, instanceId: before.instanceId, planSlug, seats: current.quantity, operation: work, key: `subscription:${subscription.id}:${work}:${eventId}` });
  });
}
