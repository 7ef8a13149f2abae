import { and, count, desc, eq, gt, isNull, notInArray, sql } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import { ENDED_SUBSCRIPTION_STATUSES } from "~/modules/billing/subscription-states";
import {
  invitations,
  memberships,
  organisations,
  plans,
  prices,
  priceVersions,
  products,
  subscriptions,
  trials,
  type BillingInterval,
} from "#db/schema";

/**
 * An organisation's users: `used` counts its members and its pending invitations (not accepted,
 * withdrawn or expired), since each invitation will take a user when accepted; `bought` is how
 * many users it may have, or null when nothing limits them.
 */
export type SeatUsage = { used: number; bought: number | null };

/**
 * Where the limit comes from, for the sentence that refuses an invitation and the way to raise
 * it: a per-seat subscription's quantity (raise it on the billing page, `change` is the current
 * plan and interval), a flat plan's or a trial's user limit from the catalog (ADR 4), or none.
 */
export type SeatAllowance =
  | { kind: "per_seat"; bought: number; planName: string; change: { planSlug: string; interval: BillingInterval } }
  | { kind: "flat"; bought: number | null; planName: string }
  | { kind: "trial"; bought: number | null; planName: string; planSlug: string }
  | { kind: "none"; bought: null };

/** The organisation's pending invitations: not accepted, withdrawn or expired (each will take a user). */
export function pendingInvitationsOf(organisationId: string) {
  return and(
    eq(invitations.organisationId, organisationId),
    isNull(invitations.acceptedAt),
    isNull(invitations.revokedAt),
    gt(invitations.expiresAt, sql`now()`),
  );
}

/** Members plus pending invitations of the organisation (see `SeatUsage`). */
export async function usedSeats(db: DbOrTx, organisationId: string): Promise<number> {
  const [[members], [pending]] = await Promise.all([
    db.select({ n: count() }).from(memberships).where(eq(memberships.organisationId, organisationId)),
    db.select({ n: count() }).from(invitations).where(pendingInvitationsOf(organisationId)),
  ]);
  return (members?.n ?? 0) + (pending?.n ?? 0);
}

/**
 * The organisation's user limit and its source. The newest subscription that has not ended
 * decides (per seat: its quantity; flat: the plan's `maxSeats`); without one, an active trial's
 * plan `maxSeats`; else no limit. A subscription whose price the catalog does not know is held to
 * its quantity, the number Stripe bills.
 */
export async function seatAllowance(db: DbOrTx, organisationId: string): Promise<SeatAllowance> {
  const [subscription] = await db
    .select({
      quantity: subscriptions.quantity,
      pricingModel: plans.pricingModel,
      maxSeats: plans.maxSeats,
      planName: plans.name,
      planSlug: plans.slug,
      interval: prices.interval,
    })
    .from(subscriptions)
    .leftJoin(priceVersions, eq(priceVersions.stripePriceId, subscriptions.stripePriceId))
    .leftJoin(prices, eq(prices.id, priceVersions.priceId))
    .leftJoin(plans, eq(plans.id, prices.planId))
    .where(
      and(eq(subscriptions.accountId, organisationId), notInArray(subscriptions.status, ENDED_SUBSCRIPTION_STATUSES)),
    )
    .orderBy(desc(subscriptions.updatedAt))
    .limit(1);
  if (subscription) {
    if (subscription.pricingModel === "flat")
      return { kind: "flat", bought: subscription.maxSeats, planName: subscription.planName ?? "your plan" };
    return {
      kind: "per_seat",
      bought: subscription.quantity,
      planName: subscription.planName ?? "your plan",
      change: { planSlug: subscription.planSlug ?? "", interval: subscription.interval ?? "month" },
    };
  }
  const [trial] = await db
    .select({ maxSeats: plans.maxSeats, planName: plans.name, planSlug: plans.slug })
    .from(trials)
    .innerJoin(products, eq(products.slug, trials.productSlug))
    .innerJoin(plans, and(eq(plans.productId, products.id), eq(plans.slug, trials.planSlug)))
    .where(and(eq(trials.accountId, organisationId), eq(trials.status, "active")))
    .limit(1);
  if (trial) return { kind: "trial", bought: trial.maxSeats, planName: trial.planName, planSlug: trial.planSlug };
  return { kind: "none", bought: null };
}

/**
 * "N of M users" for an organisation: `{ used, bought }` as `SeatUsage` describes. A stable shape
 * for every page that shows it (team page, account overview). Reads only; `inviteMember` checks
 * the limit again under the organisation's lock.
 */
export async function seatUsage(db: DbOrTx, organisationId: string): Promise<SeatUsage> {
  const [used, allowance] = await Promise.all([usedSeats(db, organisationId), seatAllowance(db, organisationId)]);
  return { used, bought: allowance.bought };
}

/**
 * Takes the organisation's row lock for the rest of the transaction. Every change to who is in
 * the organisation (invitations, roles, removals) takes it first, so two tabs cannot both take the
 * last user or both demote one of two owners.
 */
export async function lockOrganisation(tx: DbOrTx, organisationId: string): Promise<boolean> {
  const rows = await tx
    .select({ id: organisations.id })
    .from(organisations)
    .where(eq(organisations.id, organisationId))
    .for("update");
  return rows.length > 0;
}

/** The way to more users, for the refusal of an invitation past the limit: where it is and what it says. */
export type MoreSeats = { path: string; label: string };

/**
 * Where to raise the limit: for a per-seat subscription, the billing page's change preview with
 * the current plan and interval and `wanted` users (it shows Stripe's proration before anything
 * is charged); for a flat plan, the billing page to choose a larger plan; for a trial, the order
 * form of the trial's plan. Null when nothing limits the users.
 */
export function moreSeatsPath(allowance: SeatAllowance, wanted: number): MoreSeats | null {
  switch (allowance.kind) {
    case "per_seat": {
      const query = new URLSearchParams({
        plan: allowance.change.planSlug,
        interval: allowance.change.interval,
        seats: String(wanted),
      });
      return { path: `/account/billing?${query.toString()}#change-heading`, label: "Buy more users" };
    }
    case "flat":
      return { path: "/account/billing#change-heading", label: "Change your plan" };
    case "trial":
      return { path: `/orders/new?plan=${encodeURIComponent(allowance.planSlug)}`, label: "Buy a plan" };
    case "none":
      return null;
  }
}

/** The sentence that refuses an invitation when `used` users already take every one of `bought`. */
export function seatLimitMessage(allowance: SeatAllowance, organisationName: string, used: number): string {
  const taken = `${used.toLocaleString("en-GB")} of ${(allowance.bought ?? 0).toLocaleString("en-GB")} users`;
  switch (allowance.kind) {
    case "per_seat":
      return `${organisationName} uses ${taken} it pays for (members and pending invitations). Buy more users, or withdraw an invitation, to invite someone else.`;
    case "flat":
      return `The ${allowance.planName} plan includes ${allowance.bought ?? 0} users and ${organisationName} uses ${taken}. Change to a larger plan to invite someone else.`;
    case "trial":
      return `The ${allowance.planName} trial allows ${allowance.bought ?? 0} users and ${organisationName} uses ${taken}. Buy a plan to invite someone else.`;
    case "none":
      return "";
  }
}

/**
 * Why `seats` is too few for the organisation, or null: a purchase or plan change never buys fewer
 * users than it has (members and pending invitations), the sibling of the invitation limit (ADR 18).
 */
export async function fewerSeatsThanUsed(db: DbOrTx, organisationId: string, seats: number): Promise<string | null> {
  const used = await usedSeats(db, organisationId);
  return seats < used
    ? `Your organisation has ${used} users, counting pending invitations. Choose at least ${used}, or remove people on the Team page first.`
    : null;
}
