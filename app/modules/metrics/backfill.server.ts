/**
 * The ledger's backfill from Stripe (issue 17 item 1, ADR 24): subscriptions the mirror has but
 * the ledger does not (they changed before the ledger existed) get the rows Stripe's object still
 * tells: when it began paying, what it bills, and when it stopped. Stripe keeps a subscription's
 * current items and dates, not its history (events only for 30 days), so a backfilled
 * subscription's plan and user changes before the ledger are read as if it had always billed what
 * it bills now (docs/metrics.md, "The backfill").
 */
import { and, asc, eq, gt, isNull, notExists, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database, DbOrTx } from "#db/client";
import { subscriptionLedger, subscriptions, type LedgerChange } from "#db/schema";
import { lockSubscription } from "~/modules/billing/subscriptions.server";
import { REPORTING_CURRENCY, toReporting } from "./currency";
import { MRR_EXPAND, mrrInputOf, mrrOf } from "./mrr";

/** Statuses of a subscription that never paid: no MRR, no row. */
const NEVER_PAID = new Set(["trialing", "incomplete", "incomplete_expired"]);
const BATCH = 100;

/** One row the backfill writes: what changed, when (Unix seconds, Stripe's), the MRR after it. */
export type BackfillRow = { change: LedgerChange; at: number; after: number; reason: string | null };

/**
 * The rows a subscription's ledger starts with, from the Stripe object alone: `created` when it
 * began paying (its trial's end, else its start) at the MRR its items bill; then, if it no longer
 * counts, its `cancellation` at `ended_at` or its `status` change (unpaid, paused) dated the start
 * of its current period (the latest time Stripe's object gives); if it counts at another amount
 * now (a discount began or ended), a `discount` row at that period's start. None for a subscription
 * that never paid (still trialing, unfinished, or ended in its trial). Pure.
 */
export function backfillRows(subscription: Stripe.Subscription): BackfillRow[] {
  const input = mrrInputOf(subscription);
  const trialEnd = subscription.trial_end ?? null;
  const paidFrom = trialEnd !== null && trialEnd > subscription.start_date ? trialEnd : subscription.start_date;
  const endedAt = subscription.ended_at ?? null;
  if (NEVER_PAID.has(subscription.status) || (endedAt !== null && endedAt <= paidFrom)) return [];
  const paying = mrrOf({ ...input, status: "active", endedAt: null }, paidFrom);
  if (paying === 0) return [];
  const rows: BackfillRow[] = [{ change: "created", at: paidFrom, after: paying, reason: null }];
  const periodStart = Math.max(paidFrom, subscription.items.data[0]?.current_period_start ?? paidFrom);
  if (endedAt !== null)
    rows.push({
      change: "cancellation",
      at: endedAt,
      after: 0,
      reason: subscription.cancellation_details?.reason ?? null,
    });
  else {
    const now = mrrOf(input, periodStart);
    if (now === 0) rows.push({ change: "status", at: periodStart, after: 0, reason: null });
    else if (now !== paying) rows.push({ change: "discount", at: periodStart, after: now, reason: null });
  }
  return rows;
}

/**
 * Writes `backfillRows` for one subscription under its mirror's lock, unless it has ledger rows
 * already (a webhook got there first, or a second run): idempotent. Sets the mirror's MRR fields
 * to what the rows sum to. Returns the rows written.
 */
async function backfillOne(tx: DbOrTx, subscription: Stripe.Subscription): Promise<number> {
  const mirror = await lockSubscription(tx, subscription.id);
  if (!mirror) return 0;
  const [existing] = await tx
    .select({ id: subscriptionLedger.id })
    .from(subscriptionLedger)
    .where(eq(subscriptionLedger.subscriptionId, subscription.id))
    .limit(1);
  if (existing) return 0;
  const rows = backfillRows(subscription);
  const { currency } = subscription;
  let before = 0;
  for (const row of rows) {
    await tx.insert(subscriptionLedger).values({
      subscriptionId: subscription.id,
      accountId: mirror.accountId,
      change: row.change,
      occurredAt: new Date(row.at * 1000),
      mrrBeforeMinor: before,
      mrrAfterMinor: row.after,
      currency,
      reportingBeforeMinor: toReporting(before, currency),
      reportingAfterMinor: toReporting(row.after, currency),
      reportingCurrency: REPORTING_CURRENCY,
      planSlug: mirror.planSlug,
      quantity: mirror.quantity,
      status: row.change === "created" ? "active" : subscription.status,
      reason: row.reason,
      stripeEventId: null,
    });
    before = row.after;
  }
  await tx
    .update(subscriptions)
    .set({
      mrrMinor: before,
      currency,
      billingInterval: subscription.items.data[0]?.price.recurring?.interval ?? null,
    })
    .where(eq(subscriptions.id, subscription.id));
  return rows.length;
}

/**
 * Backfills every mirrored subscription without ledger rows, `BATCH` at a time (keyset on the
 * id): each fetched from Stripe with its discounts expanded and written in its own transaction.
 * A subscription Stripe no longer has is skipped and counted. Returns what it did; the caller
 * rebuilds the rollups after (`rebuildRollups`).
 */
export async function backfillLedger(
  db: Database,
  stripe: Stripe,
): Promise<{ subscriptions: number; rows: number; missing: number }> {
  const result = { subscriptions: 0, rows: 0, missing: 0 };
  let after = "";
  for (;;) {
    const batch = await db
      .select({ id: subscriptions.id })
      .from(subscriptions)
      .where(
        and(
          gt(subscriptions.id, after),
          isNull(subscriptions.currency),
          notExists(
            db
              .select({ one: sql`1` })
              .from(subscriptionLedger)
              .where(eq(subscriptionLedger.subscriptionId, subscriptions.id)),
          ),
        ),
      )
      .orderBy(asc(subscriptions.id))
      .limit(BATCH);
    if (!batch.length) return result;
    for (const { id } of batch) {
      let subscription: Stripe.Subscription;
      try {
        subscription = await stripe.subscriptions.retrieve(id, { expand: MRR_EXPAND });
      } catch (error) {
        if ((error as { code?: string }).code !== "resource_missing") throw error;
        result.missing += 1;
        continue;
      }
      const written = await db.transaction((tx) => backfillOne(tx, subscription));
      result.subscriptions += written ? 1 : 0;
      result.rows += written;
    }
    after = batch.at(-1)!.id;
  }
}
