import { and, eq, isNotNull, lt } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database, Transaction } from "#db/client";
import { orders } from "#db/schema";
import { recordAudit, systemActor } from "~/lib/audit.server";
import { confirmCheckout } from "~/modules/orders/payment.server";
import {
  accountOfCustomer,
  alignService,
  billedPlanOf,
  idOf,
  lockSubscription,
  mirrorSubscription,
  type MirroredSubscription,
} from "./subscriptions.server";

/** An open checkout older than this whose webhook never came is asked about directly. */
const CHECKOUT_SETTLE_MS = 10 * 60_000;
/** The cause in a reconciliation repair's key; the key's last part, the request it starts from, makes it once per difference. */
const RECONCILE = "reconcile";

/**
 * The daily safety net behind webhooks. Open checkouts whose events never came are settled from
 * Stripe's session. Then every subscription Stripe has for one of our customers is compared three
 * ways: a mirror that drifted from Stripe (status, price, plan, users, cancel flag, period end) is
 * refreshed through the same path an event takes; and the service is compared with what is
 * billed, not with the mirror, so a service set up or left on another plan, other users, or
 * suspended/serving against the status is repaired too (`alignService`). Each repair is keyed by
 * the request it starts from, so a difference is repaired once, and a run that finds nothing
 * different asks for nothing. Returns the subscriptions checked and the orders and subscriptions
 * repaired; each subscription repair is audited.
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
    const accountId = await accountOfCustomer(db, idOf(subscription.customer));
    if (!accountId) continue;
    checked += 1;
    if (await db.transaction((tx) => reconcileSubscription(tx, accountId, subscription)))
      repaired.push(subscription.id);
  }
  return { checked, repaired };
}

/** One subscription, under its lock: the mirror from Stripe if it drifted, then the service from the mirror. */
async function reconcileSubscription(
  tx: Transaction,
  accountId: string,
  subscription: Stripe.Subscription,
): Promise<boolean> {
  const before = await lockSubscription(tx, subscription.id);
  const billed = await billedPlanOf(tx, subscription);
  const mirrorDrifted = !before || drifted(before, subscription, billed);
  const mirrored = mirrorDrifted ? await mirrorSubscription(tx, accountId, subscription, before) : before;
  const work = await alignService(tx, mirrored, RECONCILE);
  if (!mirrorDrifted && work.length === 0) return false;
  await recordAudit(
    tx,
    systemActor,
    "subscription.reconciled",
    { type: "subscription", id: subscription.id },
    { mirrorDrifted, provisioning: work, status: subscription.status, ...billed },
    accountId,
  );
  return true;
}

function drifted(
  mirrored: MirroredSubscription,
  subscription: Stripe.Subscription,
  billed: Awaited<ReturnType<typeof billedPlanOf>>,
): boolean {
  const item = subscription.items.data[0];
  const periodEnd = item?.current_period_end ? item.current_period_end * 1000 : null;
  return (
    mirrored.status !== subscription.status ||
    mirrored.stripePriceId !== billed.stripePriceId ||
    (billed.planSlug !== null && mirrored.planSlug !== billed.planSlug) ||
    mirrored.quantity !== billed.seats ||
    mirrored.cancelAtPeriodEnd !== subscription.cancel_at_period_end ||
    (mirrored.currentPeriodEnd?.getTime() ?? null) !== periodEnd
  );
}
