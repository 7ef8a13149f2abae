import { and, desc, eq, notInArray, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database, DbOrTx } from "#db/client";
import { ENDED_SUBSCRIPTION_STATUSES } from "./subscription-states";
import {
  billingCustomers,
  plans,
  prices,
  priceVersions,
  subscriptions,
  type BillingInterval,
  type PricingModel,
} from "#db/schema";
import type { Operation } from "../../../provisioning";
import { queueCancellationNotices } from "~/modules/email/cancellation-notice.server";
import { recordMrrChange, type StripeMoment } from "~/modules/metrics/ledger.server";
import { provisionedService, requestInstanceChange } from "./instance-changes.server";
import { provisioningWorkFor } from "./subscription-work";

export type MirroredSubscription = typeof subscriptions.$inferSelect;

export function idOf(value: string | { id: string }): string {
  return typeof value === "string" ? value : value.id;
}

/**
 * The catalog plan, its pricing model and the interval a Stripe price was synced from: any
 * price in the price history, archived ones too (grandfathered subscribers, older checkouts).
 */
export async function planOfPrice(
  db: DbOrTx,
  stripePriceId: string,
): Promise<{ planSlug: string; interval: BillingInterval; pricingModel: PricingModel } | null> {
  const [row] = await db
    .select({ planSlug: plans.slug, interval: prices.interval, pricingModel: plans.pricingModel })
    .from(priceVersions)
    .innerJoin(prices, eq(prices.id, priceVersions.priceId))
    .innerJoin(plans, eq(plans.id, prices.planId))
    .where(eq(priceVersions.stripePriceId, stripePriceId));
  return row ?? null;
}

export async function accountOfCustomer(db: DbOrTx, stripeCustomerId: string): Promise<string | null> {
  const [row] = await db
    .select({ accountId: billingCustomers.accountId })
    .from(billingCustomers)
    .where(eq(billingCustomers.stripeCustomerId, stripeCustomerId));
  return row?.accountId ?? null;
}

/**
 * The users a subscription is for: a per-seat price's quantity; a flat price is billed as one
 * unit, so its users are kept in the subscription's `seats` metadata.
 */
export function seatsOf(subscription: Stripe.Subscription, pricingModel: PricingModel | null): number {
  const quantity = subscription.items.data[0]?.quantity ?? 1;
  const recorded = Number(subscription.metadata.seats);
  return pricingModel === "flat" && Number.isInteger(recorded) && recorded > 0 ? recorded : quantity;
}

/**
 * What a Stripe subscription bills, in catalog terms: its first item's price, the plan that price
 * maps to (null when it maps to none) and the users (`seatsOf`). Every path that writes the mirror
 * or asks for provisioning takes plan and users from here, never from the order: the one place a
 * Stripe price becomes a plan.
 */
export async function billedPlanOf(
  db: DbOrTx,
  subscription: Stripe.Subscription,
): Promise<{ stripePriceId: string | null; planSlug: string | null; seats: number }> {
  const item = subscription.items.data[0];
  const plan = item ? await planOfPrice(db, item.price.id) : null;
  return {
    stripePriceId: item?.price.id ?? null,
    planSlug: plan?.planSlug ?? null,
    seats: seatsOf(subscription, plan?.pricingModel ?? null),
  };
}

/**
 * Locks the subscription's mirror row for the transaction, whether or not it exists yet, and
 * returns it. A row lock alone cannot cover a row that is still to be inserted: two first events
 * for one subscription would both see nothing and the later write would win blindly. The
 * transaction-level advisory lock on the subscription id serialises them; the second then sees
 * the first's row.
 */
export async function lockSubscription(tx: DbOrTx, subscriptionId: string): Promise<MirroredSubscription | null> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`stripe-subscription:${subscriptionId}`}, 0))`);
  const [row] = await tx.select().from(subscriptions).where(eq(subscriptions.id, subscriptionId)).for("update");
  return row ?? null;
}

/**
 * Writes the portal's copy of a Stripe subscription (status, price, plan, seats, period, end) as
 * `subscription` has it. `before` is the row `lockSubscription` returned: a price that maps to no
 * plan keeps the plan it had.
 */
export async function mirrorSubscription(
  tx: DbOrTx,
  accountId: string,
  subscription: Stripe.Subscription,
  before: MirroredSubscription | null,
  moment: StripeMoment | null = null,
): Promise<MirroredSubscription> {
  const item = subscription.items.data[0];
  const billed = await billedPlanOf(tx, subscription);
  const planSlug = billed.planSlug ?? before?.planSlug ?? null;
  // Only a change with a Stripe time moves the MRR, and always with its ledger row (ADR 24).
  const mrr = moment
    ? await recordMrrChange(tx, { accountId, subscription, planSlug, quantity: billed.seats, before, moment })
    : {};
  const values = {
    accountId,
    status: subscription.status,
    planSlug,
    stripePriceId: billed.stripePriceId,
    quantity: billed.seats,
    currentPeriodEnd: item?.current_period_end ? new Date(item.current_period_end * 1000) : null,
    cancelAtPeriodEnd: subscription.cancel_at_period_end,
    endedAt: subscription.ended_at ? new Date(subscription.ended_at * 1000) : null,
    // A released or cancelled schedule leaves nothing pending.
    ...(subscription.schedule ? {} : { scheduledChange: null }),
    ...mrr,
    updatedAt: new Date(),
  };
  const [mirrored] = await tx
    .insert(subscriptions)
    .values({ id: subscription.id, ...values })
    .onConflictDoUpdate({ target: subscriptions.id, set: values })
    .returning();
  return mirrored!;
}

/**
 * Mirrors the subscription as Stripe has it in `subscription` (just fetched), under its lock, and
 * asks for the provisioning that makes its service what that bills (`alignService`, keyed by
 * `cause`). Applying a Stripe event (`event`): a cancellation at the period end set or taken back
 * is emailed to the owners and admins (once: the mirror row is locked and compared), and a change
 * of its MRR is written to the ledger at the event's time (ADR 24). `accountId` is the organisation
 * when the caller knows it (a paid order's), else found from the Stripe customer; null for a
 * customer that is not ours.
 */
export async function refreshSubscription(
  tx: DbOrTx,
  subscription: Stripe.Subscription,
  cause: string,
  accountId: string | null = null,
  event: { appUrl: string; moment: StripeMoment } | null = null,
): Promise<MirroredSubscription | null> {
  accountId ??= await accountOfCustomer(tx, idOf(subscription.customer));
  if (!accountId) return null;
  const before = await lockSubscription(tx, subscription.id);
  const mirrored = await mirrorSubscription(tx, accountId, subscription, before, event?.moment ?? null);
  await alignService(tx, mirrored, cause);
  if (event && before) await queueCancellationNotices(tx, event.appUrl, before, mirrored);
  return mirrored;
}

/**
 * Compares the mirrored subscription (Stripe's state, locked by the caller) with what its service
 * instance was last asked to be, and asks for each operation that closes the difference
 * (`provisioningWorkFor`). The key names the subscription, the operation, the cause and the
 * request it starts from, so each difference is repaired once however often it is seen.
 * Returns the operations asked for; none before the paid checkout has given the subscription an instance.
 */
export async function alignService(tx: DbOrTx, mirrored: MirroredSubscription, cause: string): Promise<Operation[]> {
  if (!mirrored.instanceId) return [];
  const provisioned = await provisionedService(tx, mirrored.instanceId);
  if (!provisioned) return [];
  // A price that maps to no plan changes nothing set up; a suspend or resume keeps what is.
  const target = mirrored.planSlug
    ? { planSlug: mirrored.planSlug, seats: mirrored.quantity }
    : { planSlug: provisioned.planSlug, seats: provisioned.seats };
  const work = provisioningWorkFor(provisioned, {
    status: mirrored.status,
    planSlug: mirrored.planSlug,
    seats: mirrored.quantity,
  });
  for (const operation of work)
    await requestInstanceChange(tx, {
      accountId: mirrored.accountId,
      instanceId: mirrored.instanceId,
      ...target,
      operation,
      key: `subscription:${mirrored.id}:${operation}:${cause}:${provisioned.requestId}`,
    });
  return work;
}

/** The organisation's subscription that has not ended, if any. */
export async function currentSubscription(db: Database, accountId: string): Promise<MirroredSubscription | null> {
  const [row] = await db
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.accountId, accountId), notInArray(subscriptions.status, ENDED_SUBSCRIPTION_STATUSES)))
    .orderBy(desc(subscriptions.updatedAt))
    .limit(1);
  return row ?? null;
}
