import { eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { z } from "zod";
import type { Database, DbOrTx } from "#db/client";
import { orders, subscriptions, trials } from "#db/schema";
import { recordAudit, systemActor } from "~/lib/audit.server";
import { requireCatalog } from "~/modules/catalog/catalog.server";
import { loadPlanPolicy, snapshotOf } from "~/modules/catalog/plan-policy.server";
import {
  alignService,
  lockSubscription,
  refreshSubscription,
  type MirroredSubscription,
} from "~/modules/billing/subscriptions.server";
import { activeTrial } from "~/modules/trials/trials.server";
import { firstChargeOf, type FirstCharge } from "./first-charge";
import { queueAccountRefresh } from "~/modules/success/queue-refresh.server";
import { enqueueProvisioning } from "../../../provisioning";

type Order = typeof orders.$inferSelect;
/** Who moves an order on: Stripe's events (system) or a staff member approving it. */
type OrderActor = { type: "system" | "staff"; id: string | null };

/**
 * Makes an order paid from what Stripe says about its Checkout Session, never from a redirect's
 * query string. Used by the order page's server-side re-fetch; the webhook job applies the
 * session it fetched itself. The first one wins, the other finds the order paid.
 */
export async function confirmCheckout(db: Database, stripe: Stripe, sessionId: string): Promise<Order | null> {
  const session = await fetchCheckoutSession(stripe, sessionId);
  return db.transaction((tx) => applyCheckoutSession(tx, session));
}

/** The session with its subscription and that subscription's latest invoice (for the first charge: `firstChargeOf`). */
export function fetchCheckoutSession(stripe: Stripe, sessionId: string): Promise<Stripe.Checkout.Session> {
  return stripe.checkout.sessions.retrieve(sessionId, { expand: ["subscription.latest_invoice"] });
}

/** An open order follows its session: paid (then provisioned), expired, or its async payment failed. */
export async function applyCheckoutSession(
  tx: DbOrTx,
  session: Stripe.Checkout.Session,
  asyncPaymentFailed = false,
): Promise<Order | null> {
  const orderId = session.client_reference_id;
  if (!orderId || !z.uuid().safeParse(orderId).success) return null;
  const [order] = await tx.select().from(orders).where(eq(orders.id, orderId)).for("update");
  if (!order || order.status !== "checkout_open") return order ?? null;
  const paid =
    session.status === "complete" &&
    (session.payment_status === "paid" || session.payment_status === "no_payment_required");
  if (paid) {
    const subscription = session.subscription as Stripe.Subscription | null;
    // The subscription may have changed since the order (support, the customer's own upgrade, a
    // late event): the mirror, and so what is provisioned, is what Stripe bills now.
    if (subscription) await refreshSubscription(tx, subscription, `order:${order.id}`, order.accountId);
    return acceptPaidOrder(tx, order, subscription?.id ?? null, firstChargeOf(session));
  }
  const ended = session.status === "expired" ? "expired" : asyncPaymentFailed ? "payment_failed" : null;
  if (!ended) return order;
  const [closed] = await tx
    .update(orders)
    .set({ status: ended, updatedAt: sql`now()` })
    .where(eq(orders.id, order.id))
    .returning();
  await recordAudit(
    tx,
    systemActor,
    `order.${ended}`,
    { type: "order", id: order.id },
    { checkoutSession: session.id },
    order.accountId,
  );
  return closed!;
}

/**
 * A paid order asks for its service, unless its plan waits for a staff approval first. It keeps
 * Stripe's figures for what was charged and the first charge (`charge`), which the order page shows.
 */
async function acceptPaidOrder(
  tx: DbOrTx,
  order: Order,
  subscriptionId: string | null,
  charge: FirstCharge | null,
): Promise<Order> {
  const policy = await loadPlanPolicy(tx, order.productSlug, order.planSlug);
  if (!policy) throw new Error(`Order ${order.id} names a plan that is gone`);
  const paid = {
    paidAt: new Date(),
    stripeSubscriptionId: subscriptionId,
    updatedAt: sql`now()`,
    ...(charge
      ? {
          chargedAtCheckout: charge.chargedNow,
          firstChargeAt: charge.at,
          firstChargeAmount: charge.amount + charge.tax,
        }
      : {}),
  };
  if (policy.trigger === "after_approval") {
    const [waiting] = await tx
      .update(orders)
      .set({ ...paid, status: "pending_approval" })
      .where(eq(orders.id, order.id))
      .returning();
    await recordAudit(
      tx,
      systemActor,
      "order.paid",
      { type: "order", id: order.id },
      { awaiting: "approval" },
      order.accountId,
    );
    return waiting!;
  }
  await tx.update(orders).set(paid).where(eq(orders.id, order.id));
  return fulfilOrder(tx, { ...order, stripeSubscriptionId: subscriptionId }, systemActor, "order.paid");
}

/** Staff let a paid order of the account that waits for approval go to provisioning. */
export async function approveOrder(
  tx: DbOrTx,
  orderId: string,
  staff: OrderActor,
  accountId: string,
): Promise<Order | null> {
  const [order] = await tx.select().from(orders).where(eq(orders.id, orderId)).for("update");
  if (!order || order.accountId !== accountId || order.status !== "pending_approval") return null;
  return fulfilOrder(tx, order, staff, "order.approved");
}

/**
 * Enqueues the order's provisioning: the trial's instance is modified (the customer keeps what
 * they built), otherwise a new one is provisioned.
 */
async function fulfilOrder(tx: DbOrTx, order: Order, actor: OrderActor, action: string): Promise<Order> {
  const catalog = await requireCatalog(tx);
  const mirrored = order.stripeSubscriptionId ? await lockSubscription(tx, order.stripeSubscriptionId) : null;
  const billed = billedChoice(order, mirrored);
  const plan = catalog.plans.find((p) => p.slug === billed.planSlug);
  const policy = await loadPlanPolicy(tx, order.productSlug, billed.planSlug);
  if (!plan || !policy) throw new Error(`Order ${order.id}: plan ${billed.planSlug} is gone`);
  const trial = await activeTrial(tx, order.accountId, order.productSlug);
  const { requestId, instanceId } = await enqueueProvisioning(tx, {
    accountId: order.accountId,
    operation: trial ? "modify" : "provision",
    ...(trial ? { instanceId: trial.instanceId } : {}),
    snapshot: snapshotOf(catalog, plan, billed.seats, null),
    provisioner: policy.provisioner,
    config: policy.config,
    idempotencyKey: `order:${order.id}`,
    actor,
  });
  if (trial) await tx.update(trials).set({ status: "converted" }).where(eq(trials.id, trial.id));
  if (mirrored) {
    const [linked] = await tx
      .update(subscriptions)
      .set({ instanceId })
      .where(eq(subscriptions.id, mirrored.id))
      .returning();
    // Events come in any order: a subscription that already stopped is suspended right after its setup.
    await alignService(tx, linked!, `order:${order.id}`);
  }
  const [accepted] = await tx
    .update(orders)
    .set({ status: "paid", provisioningRequestId: requestId, updatedAt: sql`now()` })
    .where(eq(orders.id, order.id))
    .returning();
  await recordAudit(
    tx,
    actor,
    action,
    { type: "order", id: order.id },
    { provisioningRequest: requestId, trial: trial?.id ?? null, planSlug: billed.planSlug, seats: billed.seats },
    order.accountId,
  );
  // A new customer: its stage, MRR and first-payment task show without waiting for the hourly run.
  await queueAccountRefresh(tx, order.accountId);
  return accepted!;
}

/**
 * The plan and users to set up for a paid order: what its subscription's mirror says Stripe bills
 * (refreshed from Stripe in this transaction, or by the events since), which may differ from what
 * was ordered. The order's own choice only when there is no subscription, or its price maps to no
 * plan (a catalog gap; the mirror then has no plan to give).
 */
function billedChoice(order: Order, mirrored: MirroredSubscription | null): { planSlug: string; seats: number } {
  return mirrored?.planSlug
    ? { planSlug: mirrored.planSlug, seats: mirrored.quantity }
    : { planSlug: order.planSlug, seats: order.seats };
}
