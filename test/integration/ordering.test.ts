import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memberships, orders, organisations, stripeEvents, users } from "../../db/schema";
import { syncCatalogToStripe } from "../../app/modules/billing/catalog-sync.server";
import { receiveStripeEvent } from "../../app/modules/billing/events.server";
import { createStripeClient } from "../../app/modules/billing/stripe.server";
import { startCheckout } from "../../app/modules/orders/checkout.server";
import { startStripeEmulator, type StripeEmulator } from "../../stripe-emulator";
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
