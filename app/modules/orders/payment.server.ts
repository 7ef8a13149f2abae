import { eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database, DbOrTx } from "#db/client";
import { orders, subscriptions, trials } from "#db/schema";
import { recordAudit, systemActor } from "~/lib/audit.server";
import { requireCatalog } from "~/modules/catalog/catalog.server";
import { loadPlanPolicy, snapshotOf } from "~/modules/catalog/plan-policy.server";
import { activeTrial } from "~/modules/trials/trials.server";
import { enqueueProvisioning, type Operation } from "../../../provisioning";

type Order = typeof orders.$inferSelect;

/**
 * Makes an order paid from what Stripe says about its Checkout Session, never from a redirect's
 * query string. Called by the webhook job and by the order page's server-side re-fetch; the
 * first one wins, the other finds the order paid and does nothing.
 */
export async function confirmCheckout(db: Database, stripe: Stripe, sessionId: string): Promise<Order | null> {
  const session = await stripe.checkout.sessions.retrieve(sessionId, { expand: ["subscription"] });
  const paid = session.status === "complete" && (session.payment_status === "paid" || session.payment_status === "no_payment_required");
  if (!paid || !session.client_reference_id) return null;
  const subscription = session.subscription as Stripe.Subscription | null;
  return db.transaction(async (tx) => {
    const [order] = await tx.select().from(orders).where(eq(orders.id, session.client_reference_id!)).for("update");
    if (!order || order.status !== "checkout_open") return order ?? null;
    if (subscription) await mirrorSubscription(tx, order.accountId, subscription, order.planSlug);
    return acceptPaidOrder(tx, order, subscription?.id ?? null);
  });
}

/** The portal's copy of a Stripe subscription: status, price, seats and period end. */
export async function mirrorSubscription(tx: DbOrTx, accountId: string, subscription: Stripe.Subscription, planSlug: string | null): Promise<void> {
  const item = subscription.items.data[0];
  const values = {
    accountId,
    status: subscription.status,
    planSlug,
    stripePriceId: item?.price.id ?? null,
    quantity: item?.quantity ?? 1,
    currentPeriodEnd: item?.current_period_end ? new Date(item.current_period_end * 1000) : null,
    cancelAtPeriodEnd: subscription.cancel_at_period_end,
    updatedAt: new Date(),
  };
  await tx
    .insert(subscriptions)
    .values({ id: subscription.id, ...values })
    .onConflictDoUpdate({ target: subscriptions.id, set: values });
}

/**
 * A paid order asks for its service: the trial's instance is modified (the customer keeps what
 * they built), otherwise a new one is provisioned. Plans needing staff approval wait for it.
 */
async function acceptPaidOrder(tx: DbOrTx, order: Order, subscriptionId: string | null): Promise<Order> {
  const catalog = await requireCatalog(tx);
  const plan = catalog.plans.find((p) => p.slug === order.planSlug);
  const policy = await loadPlanPolicy(tx, order.productSlug, order.planSlug);
  if (!plan || !policy) throw new Error(`Order ${order.id} names a plan that is gone`);
  const paid = { paidAt: new Date(), stripeSubscriptionId: subscriptionId, updatedAt: sql`now()` };
  if (policy.trigger === "after_approval") {
    const [waiting] = await tx.update(orders).set({ ...paid, status: "pending_approval" }).where(eq(orders.id, order.id)).returning();
    await recordAudit(tx, systemActor, "order.paid", { type: "order", id: order.id }, { awaiting: "approval" }, order.accountId);
    return waiting!;
  }
  const trial = await activeTrial(tx, order.accountId, order.productSlug);
  const { requestId, instanceId } = await enqueueProvisioning(tx, {
    accountId: order.accountId,
    operation: trial ? "modify" : "provision",
    ...(trial ? { instanceId: trial.instanceId } : {}),
    snapshot: snapshotOf(catalog, plan, order.seats, null),
    provisioner: policy.provisioner,
    config: policy.config,
    idempotencyKey: `order:${order.id}`,
    actor: { type: "system", id: null },
  });
  if (trial) await tx.update(trials).set({ status: "converted" }).where(eq(trials.id, trial.id));
  if (subscriptionId) await tx.update(subscriptions).set({ instanceId }).where(eq(subscriptions.id, subscriptionId));
  const [accepted] = await tx.update(orders).set({ ...paid, status: "paid", provisioningRequestId: requestId }).where(eq(orders.id, order.id)).returning();
  await recordAudit(tx, systemActor, "order.paid", { type: "order", id: order.id }, { provisioningRequest: requestId, trial: trial?.id ?? null }, order.accountId);
  return accepted!;
}

/** Asks the plan's provisioner to change a paid instance: new plan or seats, suspend or resume. */
export async function requestInstanceChange(
  tx: DbOrTx,
  change: { accountId: string; instanceId: string; planSlug: string; seats: number; operation: Operation; key: string },
): Promise<void> {
  const catalog = await requireCatalog(tx);
  const plan = catalog.plans.find((p) => p.slug === change.planSlug);
  const policy = await loadPlanPolicy(tx, catalog.product.slug, change.planSlug);
  if (!plan || !policy) throw new Error(`Plan ${change.planSlug} is gone`);
  await enqueueProvisioning(tx, {
    accountId: change.accountId,
    instanceId: change.instanceId,
    operation: change.operation,
    snapshot: snapshotOf(catalog, plan, change.seats, null),
    provisioner: policy.provisioner,
    config: policy.config,
    idempotencyKey: change.key,
    actor: { type: "system", id: null },
  });
}
