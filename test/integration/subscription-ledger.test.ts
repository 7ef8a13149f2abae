/**
 * Issue 17 item 1: every change of a subscription's MRR is one ledger row, written with the
 * mirror's update, dated by Stripe's clock (the emulator's, moved weeks ahead here), whatever the
 * delivery (each event twice, then all again).
 */
import { asc, eq } from "drizzle-orm";
import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { confirmCheckout } from "../../app/modules/orders/payment.server";
import { METRICS_ROLLUP_TASK, rollUpAccount } from "../../app/modules/metrics/rollup.server";
import { billingCustomers, mrrAccountMonths, subscriptionLedger, subscriptions } from "../../db/schema";
import type { StripeEmulator } from "../../stripe-emulator";
import { buyer, changeCard, deliverAll, ledgerDrift, payForPlan, withBillingFixture } from "../support/billing";
import type { TestDatabase } from "../support/database";

let database: TestDatabase;
let emulator: StripeEmulator;
let stripe: Stripe;
const DAY = 86_400;

withBillingFixture((fixture) => ({ database, emulator, stripe } = fixture));

const ledger = async (subscriptionId: string) =>
  (
    await database.db
      .select()
      .from(subscriptionLedger)
      .where(eq(subscriptionLedger.subscriptionId, subscriptionId))
      .orderBy(asc(subscriptionLedger.id))
  ).map((row) => ({
    change: row.change,
    before: row.mrrBeforeMinor,
    after: row.mrrAfterMinor,
    at: row.occurredAt.getTime() / 1000,
  }));

async function monthlyPriceOf(planSlug: string): Promise<{ id: string; unit: number }> {
  const [row] = await database.sql<{ id: string; unit: number }[]>`
    select pr.stripe_price_id as id, pr.unit_amount as unit from prices pr join plans p on p.id = pr.plan_id
    where p.slug = ${planSlug} and pr.interval = 'month' and pr.active`;
  return row!;
}

describe("the subscription ledger", () => {
  it("records each change of MRR once, at Stripe's time: created, users, plan, unpaid, paying again, cancelled", async () => {
    const { userId, accountId } = await buyer(database, "ledger");
    const order = await payForPlan(database, stripe, accountId, userId, { planSlug: "team", seats: 3 });
    const paid = await confirmCheckout(database.db, stripe, order.stripeCheckoutSessionId!);
    await deliverAll(database, stripe);
    const subscriptionId = paid!.stripeSubscriptionId!;
    const [customer] = await database.db
      .select()
      .from(billingCustomers)
      .where(eq(billingCustomers.accountId, accountId));
    const team = await monthlyPriceOf("team");
    const business = await monthlyPriceOf("business");
    const started = (await stripe.subscriptions.retrieve(subscriptionId)).start_date;
    expect(await ledger(subscriptionId)).toEqual([{ change: "created", before: 0, after: team.unit * 3, at: started }]);

    const itemId = async () => (await stripe.subscriptions.retrieve(subscriptionId)).items.data[0]!.id;
    await stripe.subscriptions.update(subscriptionId, { items: [{ id: await itemId(), quantity: 5 }] });
    await deliverAll(database, stripe);
    await stripe.subscriptions.update(subscriptionId, { items: [{ id: await itemId(), price: business.id }] });
    await deliverAll(database, stripe);

    // The renewal fails until Stripe gives up (unpaid), then a new card pays.
    await changeCard(stripe, customer!.stripeCustomerId, "4000000000000341");
    await emulator.advanceTime(31 * DAY);
    await deliverAll(database, stripe);
    const pastDue = await ledger(subscriptionId);
    await emulator.advanceTime(8 * DAY);
    await deliverAll(database, stripe);
    await changeCard(stripe, customer!.stripeCustomerId, "4242424242424242");
    await deliverAll(database, stripe);
    await stripe.subscriptions.cancel(subscriptionId);
    await deliverAll(database, stripe);
    await deliverAll(database, stripe);

    const rows = await ledger(subscriptionId);
    expect(rows.map(({ change, before, after }) => ({ change, before, after }))).toEqual([
      { change: "created", before: 0, after: team.unit * 3 },
      { change: "users", before: team.unit * 3, after: team.unit * 5 },
      { change: "plan", before: team.unit * 5, after: business.unit * 5 },
      { change: "status", before: business.unit * 5, after: 0 },
      { change: "reactivation", before: 0, after: business.unit * 5 },
      { change: "cancellation", before: business.unit * 5, after: 0 },
    ]);
    // Past due still counts: nothing was recorded until Stripe stopped retrying.
    expect(pastDue).toHaveLength(3);
    // Dated by Stripe's clock, which the emulator moved weeks on; the cancellation at its `ended_at`.
    expect(rows[3]!.at - started).toBeGreaterThan(31 * DAY);
    const ended = (await stripe.subscriptions.retrieve(subscriptionId)).ended_at!;
    expect(rows[5]!.at).toBe(ended);
    const [mirrored] = await database.db.select().from(subscriptions).where(eq(subscriptions.id, subscriptionId));
    expect(mirrored).toMatchObject({ mrrMinor: 0, currency: "usd", billingInterval: "month" });
    expect(await ledgerDrift(database)).toEqual([]);

    // Each row queued the rebuild of the account's months (one pending job per account).
    const [job] = await database.sql<{ count: number }[]>`
      select count(*)::int from graphile_worker._private_jobs where key = ${`${METRICS_ROLLUP_TASK}:${accountId}`}`;
    expect(job!.count).toBe(1);
    await database.db.transaction((tx) => rollUpAccount(tx, accountId, new Date(ended * 1000)));
    const months = await database.db
      .select()
      .from(mrrAccountMonths)
      .where(eq(mrrAccountMonths.accountId, accountId))
      .orderBy(asc(mrrAccountMonths.month));
    expect(months[0]).toMatchObject({ startMrr: 0, movement: "new", amount: business.unit * 5 });
    expect(months.at(-1)).toMatchObject({ endMrr: 0, movement: "churn", churnKind: "voluntary" });
  });
});
