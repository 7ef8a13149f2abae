import { asc, eq } from "drizzle-orm";
import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { requestInstanceChange } from "../../app/modules/billing/instance-changes.server";
import { reconcileBilling } from "../../app/modules/billing/reconcile.server";
import { stripeNowOf } from "../../app/modules/billing/stripe.server";
import { SUBSCRIPTION_RETENTION_MS, sweepEndedSubscriptions } from "../../app/modules/billing/retention.server";
import { approveOrder, confirmCheckout } from "../../app/modules/orders/payment.server";
import { orders, subscriptionLedger, subscriptions } from "../../db/schema";
import { buyer, deliverLatest, payForPlan, provisioningRequests, withBillingFixture } from "../support/billing";
import type { TestDatabase } from "../support/database";

let database: TestDatabase;
let stripe: Stripe;

withBillingFixture((fixture) => ({ database, stripe } = fixture));

const operations = async (accountId: string) =>
  (await provisioningRequests(database, accountId)).map((r) => r.operation);

describe("a cancelled subscription", () => {
  it("is suspended at once and removed once after the retention period", async () => {
    const { userId, accountId } = await buyer(database, "retention");
    const order = await payForPlan(database, stripe, accountId, userId, { planSlug: "starter", seats: 2 });
    const paid = await confirmCheckout(database.db, stripe, order.stripeCheckoutSessionId!);
    await stripe.subscriptions.cancel(paid!.stripeSubscriptionId!);
    await deliverLatest(database, stripe, "customer.subscription.deleted");
    expect(await operations(accountId)).toEqual(["provision", "suspend"]);
    const [mirrored] = await database.db.select().from(subscriptions).where(eq(subscriptions.accountId, accountId));
    expect(mirrored).toMatchObject({ status: "canceled", endedAt: expect.any(Date) });

    expect(
      await sweepEndedSubscriptions(
        database.db,
        new Date(mirrored!.endedAt!.getTime() + SUBSCRIPTION_RETENTION_MS - 60_000),
      ),
    ).toBe(0);
    const afterRetention = new Date(mirrored!.endedAt!.getTime() + SUBSCRIPTION_RETENTION_MS + 60_000);
    const [first, second] = await Promise.all([
      sweepEndedSubscriptions(database.db, afterRetention),
      sweepEndedSubscriptions(database.db, afterRetention),
    ]);
    expect(first! + second!).toBe(1);
    expect(await sweepEndedSubscriptions(database.db, afterRetention)).toBe(0);
    expect(await operations(accountId)).toEqual(["provision", "suspend", "deprovision"]);
  });
});

describe("the daily reconciliation", () => {
  it("settles a paid checkout whose webhook never came, and repairs a subscription that drifted, once", async () => {
    const { userId, accountId } = await buyer(database, "drift");
    const order = await payForPlan(database, stripe, accountId, userId, { planSlug: "team", seats: 3 });
    const later = new Date(Date.now() + 15 * 60_000);
    const settled = await reconcileBilling(database.db, stripe, later);
    expect(settled.repaired).toContain(order.id);
    const [paid] = await database.db.select().from(orders).where(eq(orders.id, order.id));
    expect(paid).toMatchObject({ status: "paid" });

    // Seats changed in Stripe, and the event is lost.
    const subscription = await stripe.subscriptions.retrieve(paid!.stripeSubscriptionId!);
    await stripe.subscriptions.update(subscription.id, {
      items: [{ id: subscription.items.data[0]!.id, quantity: 6 }],
    });
    const repaired = await reconcileBilling(database.db, stripe, later);
    expect(repaired.repaired).toEqual([subscription.id]);
    expect(
      (await provisioningRequests(database, accountId)).map(({ operation, seats }) => ({ operation, seats })),
    ).toEqual([
      { operation: "provision", seats: 3 },
      { operation: "modify", seats: 6 },
    ]);
    expect((await reconcileBilling(database.db, stripe, later)).repaired).toEqual([]);

    // No subscription event ever came: the MRR the revenue pages count came in with the repairs,
    // first paying since Stripe's start, then the users at Stripe's time of the second run.
    const seat = subscription.items.data[0]!.price.unit_amount!;
    const stripeNow = stripeNowOf(await stripe.subscriptions.retrieve(subscription.id));
    const ledger = await database.db
      .select()
      .from(subscriptionLedger)
      .where(eq(subscriptionLedger.subscriptionId, subscription.id))
      .orderBy(asc(subscriptionLedger.occurredAt));
    expect(ledger.map(({ change, mrrBeforeMinor, mrrAfterMinor }) => [change, mrrBeforeMinor, mrrAfterMinor])).toEqual([
      ["created", 0, seat * 3],
      ["users", seat * 3, seat * 6],
    ]);
    expect(ledger[0]!.occurredAt.getTime()).toBe(subscription.start_date * 1000);
    expect(ledger[1]!.occurredAt.getTime() / 1000).toBeGreaterThan(stripeNow - 60);
    expect(ledger[1]!.occurredAt.getTime() / 1000).toBeLessThanOrEqual(stripeNow);
    expect(ledger[1]!.stripeEventId).toBeNull();
  });
});

describe("the daily reconciliation against what is provisioned", () => {
  it("repairs a service on another plan, with other users, suspended while paid or serving while cancelled, once each", async () => {
    const later = new Date(Date.now() + 15 * 60_000);
    const paidTeam = async (name: string) => {
      const { userId, accountId } = await buyer(database, name);
      const order = await payForPlan(database, stripe, accountId, userId, { planSlug: "team", seats: 3 });
      const paid = await confirmCheckout(database.db, stripe, order.stripeCheckoutSessionId!);
      const [mirrored] = await database.db
        .select()
        .from(subscriptions)
        .where(eq(subscriptions.id, paid!.stripeSubscriptionId!));
      return { accountId, subscriptionId: mirrored!.id, instanceId: mirrored!.instanceId! };
    };
    // A bug (or a lost event) left each service other than billed: team × 3, active.
    const stray = (
      s: { accountId: string; instanceId: string },
      planSlug: string,
      seats: number,
      operation: "modify" | "suspend",
    ) =>
      database.db.transaction((tx) =>
        requestInstanceChange(tx, { ...s, planSlug, seats, operation, key: `stray:${s.instanceId}:${operation}` }),
      );
    const otherPlan = await paidTeam("recon-plan");
    await stray(otherPlan, "starter", 3, "modify");
    const otherUsers = await paidTeam("recon-users");
    await stray(otherUsers, "team", 5, "modify");
    const suspended = await paidTeam("recon-suspended");
    await stray(suspended, "team", 3, "suspend");
    const cancelled = await paidTeam("recon-cancelled");
    await stripe.subscriptions.cancel(cancelled.subscriptionId);

    const first = await reconcileBilling(database.db, stripe, later);
    expect(first.repaired).toEqual(
      expect.arrayContaining([otherPlan, otherUsers, suspended, cancelled].map((s) => s.subscriptionId)),
    );
    const last = async (accountId: string) => (await provisioningRequests(database, accountId)).at(-1);
    expect(await last(otherPlan.accountId)).toMatchObject({ operation: "modify", seats: 3 });
    expect(
      (
        await database.sql`select snapshot->>'planSlug' as plan from provisioning_requests where account_id = ${otherPlan.accountId} order by created_at desc limit 1`
      )[0],
    ).toEqual({ plan: "team" });
    expect(await last(otherUsers.accountId)).toMatchObject({ operation: "modify", seats: 3 });
    expect(await last(suspended.accountId)).toMatchObject({ operation: "resume" });
    expect(await last(cancelled.accountId)).toMatchObject({ operation: "suspend" });
    const audited =
      await database.sql`select count(*)::int as n from audit_events where action = 'subscription.reconciled'`;
    expect(audited[0]!.n).toBeGreaterThanOrEqual(4);

    const count = async () => (await database.sql`select count(*)::int as n from provisioning_requests`)[0]!.n;
    const before = await count();
    expect((await reconcileBilling(database.db, stripe, later)).repaired).toEqual([]);
    expect(await count()).toBe(before);
  });
});

describe("a plan that waits for approval", () => {
  it("is provisioned only when staff approve, once", async () => {
    const { userId, accountId } = await buyer(database, "approval");
    const [order] = await database.db
      .insert(orders)
      .values({
        accountId,
        orderedBy: userId,
        productSlug: "northwind-projects",
        planSlug: "enterprise",
        interval: "year",
        seats: 50,
        currency: "USD",
        totalAmount: 2_500_000,
        status: "pending_approval",
        paidAt: new Date(),
      })
      .returning();
    const staff = { type: "staff" as const, id: userId };
    const [first, second] = await Promise.all([
      database.db.transaction((tx) => approveOrder(tx, order!.id, staff, accountId)),
      database.db.transaction((tx) => approveOrder(tx, order!.id, staff, accountId)),
    ]);
    expect([first?.status, second?.status].sort()).toEqual(["paid", undefined]);
    expect(await provisioningRequests(database, accountId)).toMatchObject([
      { operation: "provision", seats: 50, status: "queued" },
    ]);
  });
});
