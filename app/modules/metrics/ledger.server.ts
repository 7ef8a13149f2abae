/**
 * The subscription ledger's writer (issue 17 item 1, ADR 24, docs/metrics.md): each change of a
 * subscription's MRR is one row, written in the transaction that updates its mirror.
 */
import type Stripe from "stripe";
import type { DbOrTx } from "#db/client";
import { subscriptionLedger, type LedgerChange, type subscriptions } from "#db/schema";
import { addJob } from "#db/jobs";
import { REPORTING_CURRENCY, toReporting } from "./currency";
import { mrrInputOf, mrrOf } from "./mrr";
import { METRICS_QUEUE, METRICS_ROLLUP_TASK } from "./rollup.server";

/** The Stripe event a change was learnt from: its id and `created` (Unix seconds, Stripe's clock). */
export type StripeMoment = { eventId: string | null; created: number };

/** The mirror's MRR fields after a change (`recordMrrChange`). */
export type MirrorMrr = { mrrMinor: number; currency: string | null; billingInterval: string | null };

type MirroredSubscription = typeof subscriptions.$inferSelect;

/** Subscription statuses that keep a customer paying (docs/metrics.md). */
const PAYING = new Set(["active", "past_due"]);
/** Statuses of a subscription that has not paid yet: its first MRR is its creation. */
const NOT_YET_PAYING = new Set(["trialing", "incomplete", "incomplete_expired"]);

/**
 * What changed, from the mirror row before (null: first seen) to the subscription as Stripe has
 * it now, when its MRR moved. A subscription with no ledger row yet (no `currency`) is created; a
 * trial or unfinished checkout that starts paying is created; one Stripe had stopped (unpaid,
 * paused) that pays again is a reactivation; then ends, other status changes, plan, users,
 * interval; an amount that moved with none of those is a discount.
 */
export function ledgerChange(
  before: Pick<MirroredSubscription, "status" | "planSlug" | "quantity" | "billingInterval" | "currency"> | null,
  after: { status: string; planSlug: string | null; quantity: number; interval: string | null; ended: boolean },
): LedgerChange {
  if (!before || before.currency === null || NOT_YET_PAYING.has(before.status)) return "created";
  if (after.ended) return "cancellation";
  if (!PAYING.has(before.status) && PAYING.has(after.status)) return "reactivation";
  if (before.status !== after.status && !(PAYING.has(before.status) && PAYING.has(after.status))) return "status";
  if (before.planSlug !== after.planSlug) return "plan";
  if (before.quantity !== after.quantity) return "users";
  if (before.billingInterval !== after.interval) return "interval";
  return "discount";
}

/**
 * Compares the MRR `subscription` (fetched from Stripe, discounts expanded) contracts at the
 * moment's time with the mirror row `before` (locked by the caller) and, when it differs, writes
 * one ledger row. When it is the cancellation taking effect, the row is dated `ended_at`; a
 * subscription first seen is dated its `start_date`; any other change the event's `created`.
 * Returns the mirror's MRR fields to store, unchanged when nothing moved. Idempotent: an event
 * applied again finds the mirror already moved (and the unique index refuses a second row).
 */
export async function recordMrrChange(
  tx: DbOrTx,
  {
    accountId,
    subscription,
    planSlug,
    quantity,
    before,
    moment,
  }: {
    accountId: string;
    subscription: Stripe.Subscription;
    planSlug: string | null;
    quantity: number;
    before: MirroredSubscription | null;
    moment: StripeMoment;
  },
): Promise<MirrorMrr> {
  const interval = subscription.items.data[0]?.price.recurring?.interval ?? null;
  const mrrAfter = mrrOf(mrrInputOf(subscription), moment.created);
  const mrrBefore = before?.mrrMinor ?? 0;
  const { currency } = subscription;
  // The mirror's currency is the ledger's: set with a subscription's first row.
  if (mrrAfter === mrrBefore)
    return { mrrMinor: mrrBefore, currency: before?.currency ?? null, billingInterval: interval };
  // Stripe sets `ended_at` once the subscription has ended, whenever the event that told us was sent.
  const ended = subscription.ended_at !== null;
  const change = ledgerChange(before, { status: subscription.status, planSlug, quantity, interval, ended });
  // The MRR a subscription first seen paying (or paying before the ledger) has had since it started.
  const firstSeenPaying = change === "created" && (!before || !NOT_YET_PAYING.has(before.status));
  const occurredAt =
    change === "cancellation" && subscription.ended_at
      ? subscription.ended_at
      : firstSeenPaying
        ? subscription.start_date
        : moment.created;
  // A currency change cannot happen on one Stripe subscription; the before amount is in its currency.
  const inserted = await tx
    .insert(subscriptionLedger)
    .values({
      subscriptionId: subscription.id,
      accountId,
      change,
      occurredAt: new Date(occurredAt * 1000),
      mrrBeforeMinor: mrrBefore,
      mrrAfterMinor: mrrAfter,
      currency,
      reportingBeforeMinor: toReporting(mrrBefore, currency),
      reportingAfterMinor: toReporting(mrrAfter, currency),
      reportingCurrency: REPORTING_CURRENCY,
      planSlug,
      quantity,
      status: subscription.status,
      reason: change === "cancellation" ? (subscription.cancellation_details?.reason ?? null) : null,
      stripeEventId: moment.eventId,
    })
    .onConflictDoNothing()
    .returning({ id: subscriptionLedger.id });
  // The account's months and the totals follow in a job of their own, queued with the row.
  if (inserted.length) await queueRollup(tx, accountId);
  return { mrrMinor: mrrAfter, currency, billingInterval: interval };
}

/** Queues the rebuild of the account's months (`rollUpAccount`); one pending job per account. */
async function queueRollup(tx: DbOrTx, accountId: string): Promise<void> {
  await addJob(
    tx,
    METRICS_ROLLUP_TASK,
    { accountId },
    { queueName: METRICS_QUEUE, jobKey: `${METRICS_ROLLUP_TASK}:${accountId}` },
  );
}
