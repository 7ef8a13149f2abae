import { and, desc, eq, notInArray } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database, DbOrTx } from "#db/client";
import {
  billingCustomers,
  plans,
  prices,
  priceVersions,
  subscriptions,
  type BillingInterval,
  type PricingModel,
} from "#db/schema";
import { requestInstanceChange } from "./instance-changes.server";
import { provisioningWorkFor } from "./subscription-work";

export type MirroredSubscription = typeof subscriptions.$inferSelect;

const ENDED = ["canceled", "incomplete_expired"];

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

/** The portal's copy of a Stripe subscription: status, price, seats, period and end. */
export async function mirrorSubscription(
  tx: DbOrTx,
  accountId: string,
  subscription: Stripe.Subscription,
  plan: { planSlug: string | null; seats: number },
): Promise<MirroredSubscription> {
  const item = subscription.items.data[0];
  const values = {
    accountId,
    status: subscription.status,
    planSlug: plan.planSlug,
    stripePriceId: item?.price.id ?? null,
    quantity: plan.seats,
    currentPeriodEnd: item?.current_period_end ? new Date(item.current_period_end * 1000) : null,
    cancelAtPeriodEnd: subscription.cancel_at_period_end,
    endedAt: subscription.ended_at ? new Date(subscription.ended_at * 1000) : null,
    // A released or cancelled schedule leaves nothing pending.
    ...(subscription.schedule ? {} : { scheduledChange: null }),
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
 * Mirrors the subscription as Stripe has it now, and turns a change that matters into
 * provisioning work, keyed by `cause` so a repeat asks for nothing twice.
 */
export async function refreshSubscription(
  tx: DbOrTx,
  subscription: Stripe.Subscription,
  cause: string,
): Promise<MirroredSubscription | null> {
  const accountId = await accountOfCustomer(tx, idOf(subscription.customer));
  if (!accountId) return null;
  const item = subscription.items.data[0];
  const plan = item ? await planOfPrice(tx, item.price.id) : null;
  const [before] = await tx.select().from(subscriptions).where(eq(subscriptions.id, subscription.id)).for("update");
  const current = {
    status: subscription.status,
    stripePriceId: item?.price.id ?? null,
    quantity: seatsOf(subscription, plan?.pricingModel ?? null),
  };
  const mirrored = await mirrorSubscription(tx, accountId, subscription, {
    planSlug: plan?.planSlug ?? before?.planSlug ?? null,
    seats: current.quantity,
  });
  const work = provisioningWorkFor(before ?? null, current);
  if (work && before?.instanceId && mirrored.planSlug) {
    await requestInstanceChange(tx, {
      accountId,
      instanceId: before.instanceId,
      planSlug: mirrored.planSlug,
      seats: current.quantity,
      operation: work,
      key: `subscription:${subscription.id}:${work}:${cause}`,
    });
  }
  return mirrored;
}

/** The organisation's subscription that has not ended, if any. */
export async function currentSubscription(db: Database, accountId: string): Promise<MirroredSubscription | null> {
  const [row] = await db
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.accountId, accountId), notInArray(subscriptions.status, ENDED)))
    .orderBy(desc(subscriptions.updatedAt))
    .limit(1);
  return row ?? null;
}
