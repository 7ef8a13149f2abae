import { and, eq, isNotNull, lt } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database } from "#db/client";
import { orders, subscriptions } from "#db/schema";
import { confirmCheckout } from "~/modules/orders/payment.server";
import {
  accountOfCustomer,
  idOf,
  planOfPrice,
  refreshSubscription,
  seatsOf,
  type MirroredSubscription,
} from "./subscriptions.server";

/** An open checkout older than this whose webhook never came is asked about directly. */
const CHECKOUT_SETTLE_MS = 10 * 60_000;

/**
 * The daily safety net behind webhooks. Open checkouts whose events never came are settled from
 * Stripe's session; every subscription Stripe has for one of our customers is compared with the
 * mirror, and one that drifted (a lost event, a bug) is refreshed through the same path an event
 * takes, provisioning work included.
 */
export async function reconcileBilling(
  db: Database,
  stripe: Stripe,
  now = new Date(),
): Promise<{ checked: number; repaired: string[] }> {
  const repaired: string[] = [];
  let checked = 0;
  const stale = await db
    .select({ id: orders.id, sessionId: orders.stripeCheckoutSessionId })
    .from(orders)
    .where(
      and(
        eq(orders.status, "checkout_open"),
        isNotNull(orders.stripeCheckoutSessionId),
        lt(orders.createdAt, new Date(now.getTime() - CHECKOUT_SETTLE_MS)),
      ),
    );
  for (const order of stale) {
    const settled = await confirmCheckout(db, stripe, order.sessionId!);
    if (settled && settled.status !== "checkout_open") repaired.push(order.id);
  }
  for await (const subscription of stripe.subscriptions.list({ status: "all", limit: 100 })) {
    if (!(await accountOfCustomer(db, idOf(subscription.customer)))) continue;
    checked += 1;
    const [mirrored] = await db.select().from(subscriptions).where(eq(subscriptions.id, subscription.id));
    const item = subscription.items.data[0];
    const plan = item ? await planOfPrice(db, item.price.id) : null;
    if (mirrored && !drifted(mirrored, subscription, seatsOf(subscription, plan?.pricingModel ?? null))) continue;
    await db.transaction((tx) => refreshSubscription(tx, subscription, `reconcile:${now.toISOString().slice(0, 10)}`));
    repaired.push(subscription.id);
  }
  return { checked, repaired };
}

function drifted(mirrored: MirroredSubscription, subscription: Stripe.Subscription, seats: number): boolean {
  const item = subscription.items.data[0];
  const periodEnd = item?.current_period_end ? item.current_period_end * 1000 : null;
  return (
    mirrored.status !== subscription.status ||
    mirrored.stripePriceId !== (item?.price.id ?? null) ||
    mirrored.quantity !== seats ||
    mirrored.cancelAtPeriodEnd !== subscription.cancel_at_period_end ||
    (mirrored.currentPeriodEnd?.getTime() ?? null) !== periodEnd
  );
}
