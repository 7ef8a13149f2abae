/**
 * Issue 17, "Correctness": the backfill on the emulator equals the ledger built live. Subscriptions
 * are bought and ended through the official SDK against the emulator (Stripe's dunning set to
 * cancel after the last retry), their ledger written live from the webhooks; then the ledger is
 * taken away, as for subscriptions mirrored before it existed, and `backfillLedger` rebuilds it
 * from Stripe alone: the same rows where Stripe's object can tell them (start, what it bills, the
 * end and its reason), and always the same MRR now. Rebuilding the rollups then gives the same months.
 */
import { asc, eq } from "drizzle-orm";
import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { backfillLedger } from "../../app/modules/metrics/backfill.server";
import { rebuildRollups } from "../../app/modules/metrics/rollup.server";
import { confirmCheckout } from "../../app/modules/orders/payment.server";
import { billingCustomers, mrrAccountMonths, subscriptionLedger, subscriptions } from "../../db/schema";
import type { StripeEmulator } from "../../stripe-emulator";
import { buyer, changeCard, deliverAll, ledgerDrift, payForPlan, withBillingFixture } from "../support/billing";
import type { TestDatabase } from "../support/database";

let database: TestDatabase;
let emulator: StripeEmulator;
let stripe: Stripe;
const DAY = 86_400;

withBillingFixture((fixture) => ({ database, emulator, stripe } = fixture), {
  dunning: { retryDays: [3, 5, 7], finalStatus: "canceled" },
});

async function subscribe(name: string, seats: number): Promise<{ subscriptionId: string; accountId: string }> {
  const { userId, accountId } = await buyer(database, name);
  const order = await payForPlan(database, stripe, accountId, userId, { planSlug: "team", seats });
  const paid = await confirmCheckout(database.db, stripe, order.stripeCheckoutSessionId!);
  await deliverAll(database, stripe);
  return { subscriptionId: paid!.stripeSubscriptionId!, accountId };
}

/** The ledger as (subscription, change, time, after, reason), in order. */
async function ledgerRows() {
  const rows = await database.db
    .select()
    .from(subscriptionLedger)
    .orderBy(asc(subscriptionLedger.subscriptionId), asc(subscriptionLedger.occurredAt), asc(subscriptionLedger.id));
  return rows.map((row) => ({
    subscription: row.subscriptionId,
    change: row.change,
    at: row.occurredAt.toISOString(),
    before: row.mrrBeforeMinor,
    after: row.mrrAfterMinor,
    reason: row.reason,
  }));
}

const accountMonthsNow = () =>
  database.db.select().from(mrrAccountMonths).orderBy(asc(mrrAccountMonths.accountId), asc(mrrAccountMonths.month));

describe("the ledger's backfill from Stripe", () => {
  it("writes what the webhooks wrote for subscriptions without changes, and the same MRR for the rest", async () => {
    const kept = await subscribe("kept", 3);
    const cancelled = await subscribe("cancelled", 5);
    const failing = await subscribe("failing", 4);
    const grown = await subscribe("grown", 3);
    const [failingCustomer] = await database.db
      .select()
      .from(billingCustomers)
      .where(eq(billingCustomers.accountId, failing.accountId));
    await changeCard(stripe, failingCustomer!.stripeCustomerId, "4000000000000341");
    const item = (await stripe.subscriptions.retrieve(grown.subscriptionId)).items.data[0]!;
    await emulator.advanceTime(10 * DAY);
    await stripe.subscriptions.update(grown.subscriptionId, { items: [{ id: item.id, quantity: 6 }] });
    await stripe.subscriptions.cancel(cancelled.subscriptionId);
    // The renewal fails; Stripe retries 3, 5 and 7 days later, then cancels for payment_failed.
    await emulator.advanceTime(22 * DAY);
    await emulator.advanceTime(20 * DAY);
    await deliverAll(database, stripe);

    const live = await ledgerRows();
    const until = new Date(
      (await stripe.subscriptions.retrieve(kept.subscriptionId)).items.data[0]!.current_period_start * 1000,
    );
    await rebuildRollups(database.db, until);
    const liveMonths = await accountMonthsNow();
    expect(live.find((row) => row.subscription === failing.subscriptionId && row.after === 0)).toMatchObject({
      change: "cancellation",
      reason: "payment_failed",
    });

    // As before the ledger existed: no rows, no MRR on the mirror.
    await database.db.delete(subscriptionLedger);
    await database.db.update(subscriptions).set({ mrrMinor: 0, currency: null, billingInterval: null });
    const result = await backfillLedger(database.db, stripe);
    expect(result).toEqual({ subscriptions: 4, rows: 6, missing: 0 });
    expect(await ledgerDrift(database)).toEqual([]);

    const backfilled = await ledgerRows();
    const of = (rows: typeof live, id: string) => rows.filter((row) => row.subscription === id);
    for (const { subscriptionId } of [kept, cancelled, failing])
      expect(of(backfilled, subscriptionId), subscriptionId).toEqual(of(live, subscriptionId));
    // Grown from 3 to 6 users before the ledger: read as 6 from the start (Stripe keeps no item history).
    const grownLive = of(live, grown.subscriptionId);
    expect(grownLive.map((row) => row.change)).toEqual(["created", "users"]);
    expect(of(backfilled, grown.subscriptionId)).toEqual([{ ...grownLive[0]!, after: grownLive[1]!.after }]);

    // Running it again writes nothing; the months rebuilt equal the live ones, the grown account's MRR now too.
    expect(await backfillLedger(database.db, stripe)).toEqual({ subscriptions: 0, rows: 0, missing: 0 });
    await rebuildRollups(database.db, until);
    const months = await accountMonthsNow();
    const without = (rows: typeof months) => rows.filter((row) => row.accountId !== grown.accountId);
    expect(without(months)).toEqual(without(liveMonths));
    const grownEnd = (rows: typeof months) => rows.filter((row) => row.accountId === grown.accountId).at(-1)?.endMrr;
    expect(grownEnd(months)).toBe(grownEnd(liveMonths));
  });
});
