import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { orders, stripeEvents } from "../../db/schema";
import { StripeInbox } from "../../app/modules/billing/inbox.server";
import { startCheckout } from "../../app/modules/orders/checkout.server";
import { confirmCheckout } from "../../app/modules/orders/payment.server";
import { submitCheckoutForm } from "../../stripe-emulator/hosted-forms";
import {
  buyer,
  deliver,
  deliverLatest,
  payForPlan,
  provisioningRequests,
  withBillingFixture,
} from "../support/billing";
import type { TestDatabase } from "../support/database";

let database: TestDatabase;
let stripe: Stripe;

withBillingFixture((fixture) => ({ database, stripe } = fixture));

describe("startCheckout", () => {
  it("opens one checkout however often the form is sent, even at once from two tabs", async () => {
    const { userId, accountId } = await buyer(database, "twotabs");
    const deps = { db: database.db, stripe, appUrl: "https://portal.test" };
    const input = { accountId, userId, planSlug: "team", interval: "month" as const, seats: 5 };
    const [first, second] = await Promise.all([startCheckout(deps, input), startCheckout(deps, input)]);
    const third = await startCheckout(deps, input);
    const urls = [first, second, third].filter((r) => r.ok).map((r) => (r.ok ? r.url : ""));
    expect(new Set(urls).size).toBe(1);
    expect(await database.db.select().from(orders).where(eq(orders.accountId, accountId))).toHaveLength(1);
    expect((await stripe.checkout.sessions.list({ limit: 100 })).data.filter((s) => s.url === urls[0])).toHaveLength(1);
  });

  it("refuses seats outside the plan and plans sold by staff, saving nothing", async () => {
    const { userId, accountId } = await buyer(database, "badinput");
    const deps = { db: database.db, stripe, appUrl: "https://portal.test" };
    expect(await startCheckout(deps, { accountId, userId, planSlug: "starter", interval: "month", seats: 11 })).toEqual(
      { ok: false, field: "seats", message: "Starter is for 1 to 10 users" },
    );
    expect(
      await startCheckout(deps, { accountId, userId, planSlug: "enterprise", interval: "year", seats: 10 }),
    ).toMatchObject({ ok: false });
    expect(await database.db.select().from(orders).where(eq(orders.accountId, accountId))).toEqual([]);
  });

  it("refuses fewer users than the organisation has (members and pending invitations), saving nothing", async () => {
    const { userId, accountId } = await buyer(database, "crowdedbuyer");
    await database.sql`insert into invitations (organisation_id, email, role, token_hash, invited_by, expires_at)
      select ${accountId}, 'guest-' || n || '@crowded.test', 'member', 'crowded-buyer-' || n, ${userId}, now() + interval '7 days'
      from generate_series(1, 2) n`;
    const deps = { db: database.db, stripe, appUrl: "https://portal.test" };
    expect(await startCheckout(deps, { accountId, userId, planSlug: "starter", interval: "month", seats: 2 })).toEqual({
      ok: false,
      field: "seats",
      message:
        "Your organisation has 3 users, counting pending invitations. Choose at least 3, or remove people on the Team page first.",
    });
    expect(await database.db.select().from(orders).where(eq(orders.accountId, accountId))).toEqual([]);
  });
});

describe("two tabs paying one checkout at once", () => {
  it("make one subscription and one charge", async () => {
    const { userId, accountId } = await buyer(database, "twopay");
    const checkout = await startCheckout(
      { db: database.db, stripe, appUrl: "https://portal.test" },
      { accountId, userId, planSlug: "team", interval: "month", seats: 3 },
    );
    if (!checkout.ok) throw new Error(checkout.message);
    const answers = await Promise.all([
      submitCheckoutForm(checkout.url, { card_number: "4242424242424242" }),
      submitCheckoutForm(checkout.url, { card_number: "4242424242424242" }),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([303, 410]);
    const session = await stripe.checkout.sessions.retrieve(
      (await database.db.select().from(orders).where(eq(orders.accountId, accountId)))[0]!.stripeCheckoutSessionId!,
    );
    const customer = session.customer as string;
    expect((await stripe.subscriptions.list({ customer })).data).toHaveLength(1);
    expect((await stripe.invoices.list({ customer })).data.filter((invoice) => invoice.amount_paid > 0)).toHaveLength(
      1,
    );
  });
});

describe("StripeInbox", () => {
  it("stores an event once and queues one job, however often it is delivered", async () => {
    const inbox = new StripeInbox(database.sql);
    const body = JSON.stringify({
      id: "evt_dup_1",
      type: "customer.subscription.updated",
      data: { object: { id: "sub_1" } },
    });
    expect(await inbox.receive("evt_dup_1", body)).toBe("new");
    expect(await inbox.receive("evt_dup_1", body)).toBe("duplicate");
    expect(await database.db.select().from(stripeEvents).where(eq(stripeEvents.id, "evt_dup_1"))).toHaveLength(1);
    const jobs =
      await database.sql`select 1 from graphile_worker._private_jobs where payload->>'eventId' = 'evt_dup_1'`;
    expect(jobs).toHaveLength(1);
  });
});

describe("subscription changes from Stripe", () => {
  it("pay → provision; more seats → modify; cancel → suspend — each once, from re-fetched state", async () => {
    const { userId, accountId } = await buyer(database, "lifecycle");
    const order = await payForPlan(database, stripe, accountId, userId, { planSlug: "team", seats: 3 });
    const paid = await confirmCheckout(database.db, stripe, order!.stripeCheckoutSessionId!);
    expect(paid).toMatchObject({ status: "paid" });
    // A new customer's standing (stage, MRR, the first-payment task) is recomputed at once.
    expect(
      await database.sql`select 1 from graphile_worker.jobs where key = ${`cs_refresh_account:${accountId}`}`,
    ).toHaveLength(1);

    const requests = async () =>
      (await provisioningRequests(database, accountId)).map(({ operation, seats }) => ({ operation, seats }));
    expect(await requests()).toEqual([{ operation: "provision", seats: 3 }]);

    // The first sight of the subscription (created) changes nothing more.
    await deliverLatest(database, stripe, "customer.subscription.created");
    expect(await requests()).toHaveLength(1);

    const subscription = await stripe.subscriptions.retrieve(paid!.stripeSubscriptionId!);
    await stripe.subscriptions.update(subscription.id, {
      items: [{ id: subscription.items.data[0]!.id, quantity: 8 }],
    });
    await deliverLatest(database, stripe, "customer.subscription.updated");
    expect(await requests()).toEqual([
      { operation: "provision", seats: 3 },
      { operation: "modify", seats: 8 },
    ]);

    await stripe.subscriptions.cancel(subscription.id);
    await deliverLatest(database, stripe, "customer.subscription.deleted");
    expect((await requests()).map((r) => r.operation)).toEqual(["provision", "modify", "suspend"]);
  });
});

describe("events out of order", () => {
  it("end in Stripe's current state: an older update arriving last changes nothing", async () => {
    const { userId, accountId } = await buyer(database, "reordered");
    const order = await payForPlan(database, stripe, accountId, userId, { planSlug: "team", seats: 3 });
    const paid = await confirmCheckout(database.db, stripe, order.stripeCheckoutSessionId!);
    const subscription = await stripe.subscriptions.retrieve(paid!.stripeSubscriptionId!);
    const itemId = subscription.items.data[0]!.id;
    await stripe.subscriptions.update(subscription.id, { items: [{ id: itemId, quantity: 5 }] });
    await stripe.subscriptions.update(subscription.id, { items: [{ id: itemId, quantity: 7 }] });
    const [newest, older] = (await stripe.events.list({ type: "customer.subscription.updated", limit: 2 })).data;

    await deliver(database, stripe, newest!);
    await deliver(database, stripe, older!);
    expect(
      (await provisioningRequests(database, accountId)).map(({ operation, seats }) => `${operation}:${seats}`),
    ).toEqual(["provision:3", "modify:7"]);
  });
});

describe("a checkout applied after its subscription was cancelled", () => {
  it("sets the service up as paid for, then suspends it", async () => {
    const { userId, accountId } = await buyer(database, "latecheckout");
    const order = await payForPlan(database, stripe, accountId, userId, { planSlug: "starter", seats: 2 });
    const session = await stripe.checkout.sessions.retrieve(order.stripeCheckoutSessionId!);
    await stripe.subscriptions.cancel(session.subscription as string);
    await deliverLatest(database, stripe, "customer.subscription.deleted");
    expect(await confirmCheckout(database.db, stripe, order.stripeCheckoutSessionId!)).toMatchObject({
      status: "paid",
    });
    expect((await provisioningRequests(database, accountId)).map((r) => r.operation)).toEqual(["provision", "suspend"]);
  });
});
