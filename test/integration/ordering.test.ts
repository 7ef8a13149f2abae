import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memberships, orders, organisations, stripeEvents, users } from "../../db/schema";
import { syncCatalogToStripe } from "../../app/modules/billing/catalog-sync.server";
import { processStripeEvent, receiveStripeEvent } from "../../app/modules/billing/events.server";
import { createStripeClient } from "../../app/modules/billing/stripe.server";
import { startCheckout } from "../../app/modules/orders/checkout.server";
import { confirmCheckout } from "../../app/modules/orders/payment.server";
import { startStripeEmulator, type StripeEmulator } from "../../stripe-emulator";
import { submitCheckoutForm } from "../../stripe-emulator/test-support";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";

let database: TestDatabase;
let emulator: StripeEmulator;
let stripe: Stripe;

beforeAll(async () => {
  database = await createTestDatabase();
  emulator = await startStripeEmulator();
  stripe = createStripeClient({ emulatorPort: emulator.port });
  await syncCatalogToStripe(database.db, stripe);
});
afterAll(async () => {
  await emulator.stop();
  await dropTestDatabase(database);
});

async function buyer(name: string) {
  const [user] = await database.db.insert(users).values({ email: `${name}@buy.test`, name, passwordHash: "x" }).returning();
  const [org] = await database.db.insert(organisations).values({ name: `${name} Org` }).returning();
  await database.db.insert(memberships).values({ organisationId: org!.id, userId: user!.id, role: "owner" });
  return { userId: user!.id, accountId: org!.id };
}

describe("startCheckout", () => {
  it("opens one checkout however often the form is sent, even at once from two tabs", async () => {
    const { userId, accountId } = await buyer("twotabs");
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
    const { userId, accountId } = await buyer("badinput");
    const deps = { db: database.db, stripe, appUrl: "https://portal.test" };
    expect(await startCheckout(deps, { accountId, userId, planSlug: "starter", interval: "month", seats: 11 })).toEqual({ ok: false, field: "seats", message: "Starter is for 1 to 10 users" });
    expect(await startCheckout(deps, { accountId, userId, planSlug: "enterprise", interval: "year", seats: 10 })).toMatchObject({ ok: false });
    expect(await database.db.select().from(orders).where(eq(orders.accountId, accountId))).toEqual([]);
  });
});

describe("receiveStripeEvent", () => {
  it("stores an event once and queues one job, however often it is delivered", async () => {
    const event = { id: "evt_dup_1", type: "customer.subscription.updated", data: { object: { id: "sub_1" } } } as unknown as Stripe.Event;
    expect(await receiveStripeEvent(database.db, event)).toBe("new");
    expect(await receiveStripeEvent(database.db, event)).toBe("duplicate");
    expect(await database.db.select().from(stripeEvents).where(eq(stripeEvents.id, "evt_dup_1"))).toHaveLength(1);
    const jobs = await database.sql`select 1 from graphile_worker._private_jobs where payload->>'eventId' = 'evt_dup_1'`;
    expect(jobs).toHaveLength(1);
  });
});

describe("subscription changes from Stripe", () => {
  it("pay → provision; more seats → modify; cancel → suspend — each once, from re-fetched state", async () => {
    const { userId, accountId } = await buyer("lifecycle");
    const deps = { db: database.db, stripe, appUrl: "https://portal.test" };
    const checkout = await startCheckout(deps, { accountId, userId, planSlug: "team", interval: "month", seats: 3 });
    if (!checkout.ok) throw new Error(checkout.message);
    await submitCheckoutForm(checkout.url, { card_number: "4242424242424242" });
    const [order] = await database.db.select().from(orders).where(eq(orders.accountId, accountId));
    const paid = await confirmCheckout(database.db, stripe, order!.stripeCheckoutSessionId!);
    expect(paid).toMatchObject({ status: "paid" });

    const requests = async () =>
      database.sql<{ operation: string; seats: number }[]>`
        select operation, (snapshot->>'seats')::int as seats from provisioning_requests where account_id = ${accountId} order by created_at, id`;
    expect(await requests()).toEqual([{ operation: "provision", seats: 3 }]);

    const deliverLatest = async (type: string) => {
      const [event] = (await stripe.events.list({ type, limit: 1 })).data;
      await receiveStripeEvent(database.db, event!);
      await receiveStripeEvent(database.db, event!);
      await processStripeEvent(database.db, stripe, event!.id);
      await processStripeEvent(database.db, stripe, event!.id);
    };
    // The first sight of the subscription (created) changes nothing more.
    await deliverLatest("customer.subscription.created");
    expect(await requests()).toHaveLength(1);

    const subscription = await stripe.subscriptions.retrieve(paid!.stripeSubscriptionId!);
    await stripe.subscriptions.update(subscription.id, { items: [{ id: subscription.items.data[0]!.id, quantity: 8 }] });
    await deliverLatest("customer.subscription.updated");
    expect(await requests()).toEqual([{ operation: "provision", seats: 3 }, { operation: "modify", seats: 8 }]);

    await stripe.subscriptions.cancel(subscription.id);
    await deliverLatest("customer.subscription.deleted");
    expect((await requests()).map((r) => r.operation)).toEqual(["provision", "modify", "suspend"]);
  });
});
