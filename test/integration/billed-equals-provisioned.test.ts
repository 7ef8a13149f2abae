import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { StripeInbox } from "../../app/modules/billing/inbox.server";
import { requestInstanceChange } from "../../app/modules/billing/instance-changes.server";
import { applyPlanChange, previewPlanChange } from "../../app/modules/billing/plan-change.server";
import { processStripeEvent } from "../../app/modules/billing/process-event.server";
import { reconcileBilling } from "../../app/modules/billing/reconcile.server";
import { refreshSubscription } from "../../app/modules/billing/subscriptions.server";
import { subscriptions } from "../../db/schema";
import { APP_URL, buyer, payForPlan, withBillingFixture } from "../support/billing";
import type { TestDatabase } from "../support/database";

/**
 * The rule: what a customer pays for is what they get. Whatever changes a subscription on Stripe
 * before the portal has applied its checkout, and whatever order its events come in (late,
 * duplicated, shuffled, lost), the subscription mirror and the service as last asked of the
 * provisioner end equal to what Stripe bills; one reconciliation repairs what events left wrong,
 * once.
 */

let database: TestDatabase;
let stripe: Stripe;

withBillingFixture((fixture) => ({ database, stripe } = fixture));

const SECRET = "test-secret-0123456789abcdef0123456789";
type PlanSlug = "starter" | "team";
const SEATS: Record<PlanSlug, [number, number]> = { starter: [1, 10], team: [3, 40] };

/** A seeded PRNG (mulberry32), so a failing storm can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const between = (rand: () => number, [low, high]: [number, number]) => low + Math.floor(rand() * (high - low + 1));
function shuffle<T>(rand: () => number, items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

async function monthlyPrice(plan: PlanSlug): Promise<string> {
  const [price] = (await stripe.prices.list({ lookup_keys: [`northwind-projects.${plan}.month.usd`] })).data;
  return price!.id;
}

type Service = { state: "serving" | "suspended"; planSlug: string | null; seats: number };

/** What Stripe bills, read from Stripe alone: the plan from the price's lookup key, the users from the quantity. */
async function billed(subscriptionId: string): Promise<Service> {
  const subscription = await stripe.subscriptions.retrieve(subscriptionId);
  const item = subscription.items.data[0]!;
  return {
    state: ["active", "trialing", "past_due"].includes(subscription.status) ? "serving" : "suspended",
    planSlug: item.price.lookup_key?.split(".")[1] ?? null,
    seats: item.quantity ?? 1,
  };
}

/** The service as last asked of the provisioner: the newest request's state, the newest set-up's plan and users. */
async function provisioned(subscriptionId: string): Promise<Service | null> {
  const rows = await database.sql<{ operation: string; plan: string; seats: number }[]>`
    select r.operation, r.snapshot->>'planSlug' as plan, (r.snapshot->>'seats')::int as seats
    from provisioning_requests r join subscriptions s on s.instance_id = r.instance_id
    where s.id = ${subscriptionId} and r.status not in ('failed', 'cancelled')
    order by r.created_at desc, r.id desc`;
  const setUp = rows.find((row) => row.operation === "provision" || row.operation === "modify");
  if (!rows[0] || !setUp) return null;
  return { state: rows[0].operation === "suspend" ? "suspended" : "serving", planSlug: setUp.plan, seats: setUp.seats };
}

async function mirrored(subscriptionId: string) {
  const [row] = await database.db.select().from(subscriptions).where(eq(subscriptions.id, subscriptionId));
  return row ? { planSlug: row.planSlug, seats: row.quantity, status: row.status } : null;
}

/** Every subscription whose mirror or service differs from what Stripe bills, with all three. */
async function differences(subscriptionIds: string[]) {
  const found = [];
  for (const id of subscriptionIds) {
    const [bill, mirror, service] = await Promise.all([billed(id), mirrored(id), provisioned(id)]);
    const mirrorDiffers = mirror?.planSlug !== bill.planSlug || mirror?.seats !== bill.seats;
    const serviceDiffers =
      service?.state !== bill.state ||
      (bill.state === "serving" && (service.planSlug !== bill.planSlug || service.seats !== bill.seats));
    if (mirrorDiffers || serviceDiffers) found.push({ id, bill, mirror, service });
  }
  return found;
}

async function requestCount(): Promise<number> {
  const [row] = await database.sql<{ n: number }[]>`select count(*)::int as n from provisioning_requests`;
  return row!.n;
}

/** Stripe's events about the customer, oldest first. */
async function eventsOf(customerIds: Set<string>): Promise<Stripe.Event[]> {
  const events: Stripe.Event[] = [];
  for await (const event of stripe.events.list({ limit: 100 })) {
    const object = event.data.object as { customer?: string | { id: string } | null };
    const customer = typeof object.customer === "string" ? object.customer : object.customer?.id;
    if (customer && customerIds.has(customer)) events.push(event);
  }
  return events.reverse();
}

/** Receives and processes the events in the order given, as the webhook route and the worker would. */
async function deliverInOrder(events: Stripe.Event[]): Promise<void> {
  const inbox = new StripeInbox(database.sql);
  const deps = { db: database.db, stripe, appUrl: APP_URL };
  for (const event of events) {
    await inbox.receive(event.id, JSON.stringify(event));
    await processStripeEvent(deps, event.id);
  }
}

type Paid = { accountId: string; userId: string; subscriptionId: string; customerId: string };

async function paid(name: string, planSlug: PlanSlug, seats: number): Promise<Paid> {
  const { userId, accountId } = await buyer(database, name);
  const order = await payForPlan(database, stripe, accountId, userId, { planSlug, seats });
  const session = await stripe.checkout.sessions.retrieve(order.stripeCheckoutSessionId!);
  return {
    accountId,
    userId,
    subscriptionId: session.subscription as string,
    customerId: session.customer as string,
  };
}

async function changeOnStripe(subscriptionId: string, change: { planSlug?: PlanSlug; seats?: number }) {
  const subscription = await stripe.subscriptions.retrieve(subscriptionId);
  const item = subscription.items.data[0]!;
  await stripe.subscriptions.update(subscriptionId, {
    items: [
      {
        id: item.id,
        ...(change.planSlug ? { price: await monthlyPrice(change.planSlug) } : {}),
        ...(change.seats ? { quantity: change.seats } : {}),
      },
    ],
    proration_behavior: "none",
  });
}

/** The customer's own upgrade from /account/billing, through the portal's plan-change code. */
async function upgradeAsCustomer(buyer: Paid, choice: { planSlug: PlanSlug; seats: number }) {
  const deps = { db: database.db, stripe, secret: SECRET };
  const full = { ...choice, interval: "month" as const };
  const previewed = await previewPlanChange(deps, buyer.accountId, full);
  if (!previewed.ok) throw new Error(previewed.message);
  const applied = await applyPlanChange(deps, {
    accountId: buyer.accountId,
    userId: buyer.userId,
    choice: full,
    quote: previewed.preview.quote!,
  });
  if (!applied.ok) throw new Error(applied.message);
}

const ORDERS: Record<string, (events: Stripe.Event[], rand: () => number) => Stripe.Event[]> = {
  "checkout last": (events) => [
    ...events.filter((e) => e.type !== "checkout.session.completed"),
    ...events.filter((e) => e.type === "checkout.session.completed"),
  ],
  "Stripe's order": (events) => events,
  "shuffled and duplicated": (events, rand) => shuffle(rand, [...events, ...events]),
};

const EXAMPLES: {
  name: string;
  bought: { planSlug: PlanSlug; seats: number };
  /** What happens on Stripe before the portal applies the checkout; may process some events first. */
  change: (buyer: Paid) => Promise<void>;
}[] = [
  {
    name: "team × 3 changed to 8 users on Stripe",
    bought: { planSlug: "team", seats: 3 },
    change: (b) => changeOnStripe(b.subscriptionId, { seats: 8 }),
  },
  {
    name: "team changed to starter on Stripe",
    bought: { planSlug: "team", seats: 3 },
    change: (b) => changeOnStripe(b.subscriptionId, { planSlug: "starter" }),
  },
  {
    name: "the customer's own upgrade starter → team while the checkout event waits",
    bought: { planSlug: "starter", seats: 2 },
    change: async (b) => {
      // The subscription's first event came through, so the billing page knows it; the checkout's has not.
      const [created] = (await eventsOf(new Set([b.customerId]))).filter(
        (e) => e.type === "customer.subscription.created",
      );
      await deliverInOrder([created!]);
      await upgradeAsCustomer(b, { planSlug: "team", seats: 3 });
    },
  },
];

describe("a subscription changed before its checkout is applied", () => {
  let n = 0;
  for (const example of EXAMPLES)
    for (const [order, arrange] of Object.entries(ORDERS))
      it(`${example.name}, events in ${order}: the mirror and the service are what Stripe bills`, async () => {
        n += 1;
        const buyer = await paid(`example${n}`, example.bought.planSlug, example.bought.seats);
        await example.change(buyer);
        await deliverInOrder(arrange(await eventsOf(new Set([buyer.customerId])), random(n)));
        expect(await differences([buyer.subscriptionId])).toEqual([]);
        expect((await billed(buyer.subscriptionId)).planSlug).not.toBeNull();
      });
});

type Storm = { buyers: Paid[]; events: Stripe.Event[] };

/**
 * `size` subscriptions bought at random, then changed on Stripe at random before any event is
 * processed: users, plan, both, cancelled, or the customer's own upgrade; returns their events.
 */
async function storm(name: string, size: number, rand: () => number): Promise<Storm> {
  const buyers: Paid[] = [];
  for (let i = 0; i < size; i++) {
    const planSlug: PlanSlug = rand() < 0.5 ? "starter" : "team";
    const buyer = await paid(`${name}${i}`, planSlug, between(rand, SEATS[planSlug]));
    buyers.push(buyer);
    const other: PlanSlug = planSlug === "team" ? "starter" : "team";
    const dice = rand();
    if (dice < 0.2) await changeOnStripe(buyer.subscriptionId, { seats: between(rand, SEATS[planSlug]) });
    else if (dice < 0.4) await changeOnStripe(buyer.subscriptionId, { planSlug: other, seats: between(rand, [3, 10]) });
    else if (dice < 0.5) await stripe.subscriptions.cancel(buyer.subscriptionId);
    else if (dice < 0.6) await EXAMPLES[2]!.change(buyer).catch(() => undefined);
    if (rand() < 0.3) await changeOnStripe(buyer.subscriptionId, { seats: between(rand, [3, 10]) }).catch(() => {});
  }
  return { buyers, events: await eventsOf(new Set(buyers.map((b) => b.customerId))) };
}

const later = () => new Date(Date.now() + 15 * 60_000);

describe("a storm of changed subscriptions with duplicated, shuffled events", () => {
  it("ends with every service set up exactly as billed, and one reconciliation then changes nothing", async () => {
    const rand = random(11);
    const { buyers, events } = await storm("storm", 40, rand);
    const duplicated = [...events, ...events.filter(() => rand() < 0.4)];
    await deliverInOrder(shuffle(rand, duplicated));
    const ids = buyers.map((b) => b.subscriptionId);
    expect(await differences(ids)).toEqual([]);

    const requests = await requestCount();
    expect((await reconcileBilling(database.db, stripe, later())).repaired).toEqual([]);
    expect(await requestCount()).toBe(requests);
  }, 60_000);

  it("left wrong by lost events and a stray suspend, is repaired by one reconciliation, and a second changes nothing", async () => {
    const rand = random(23);
    const { buyers, events } = await storm("lossy", 20, rand);
    await deliverInOrder(shuffle(rand, events).filter(() => rand() < 0.6));
    // A bug suspended a service that is paid for.
    const serving = [];
    for (const b of buyers) if ((await provisioned(b.subscriptionId))?.state === "serving") serving.push(b);
    for (const b of serving.slice(0, 2))
      await database.db.transaction(async (tx) => {
        const [row] = await tx.select().from(subscriptions).where(eq(subscriptions.id, b.subscriptionId));
        await requestInstanceChange(tx, {
          accountId: b.accountId,
          instanceId: row!.instanceId!,
          planSlug: row!.planSlug!,
          seats: row!.quantity,
          operation: "suspend",
          key: `stray:${b.subscriptionId}`,
        });
      });
    const ids = buyers.map((b) => b.subscriptionId);
    expect((await differences(ids)).length).toBeGreaterThan(2);

    await reconcileBilling(database.db, stripe, later());
    expect(await differences(ids)).toEqual([]);
    const requests = await requestCount();
    expect((await reconcileBilling(database.db, stripe, later())).repaired).toEqual([]);
    expect(await requestCount()).toBe(requests);
  }, 60_000);
});

/** Polls until a backend of the test database waits for a lock: the second writer is blocked behind the first. */
async function untilSomeoneWaitsForALock(): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    const [row] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
    if (row!.n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("No transaction ever waited for a lock");
}

describe("the subscription mirror's first write", () => {
  it("two concurrent first events for one subscription never leave a null plan", async () => {
    const buyer = await paid("race", "team", 3);
    const seen = await stripe.subscriptions.retrieve(buyer.subscriptionId);
    // The second event saw the subscription through a price the catalog maps to no plan (one a sync replaced, say).
    const unmapped = structuredClone(seen);
    unmapped.items.data[0]!.price = { ...unmapped.items.data[0]!.price, id: "price_not_in_catalog" };

    let written!: () => void;
    let release!: () => void;
    const firstWrote = new Promise<void>((resolve) => (written = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = database.db.transaction(async (tx) => {
      await refreshSubscription(tx, seen, "evt_first");
      written();
      await gate;
    });
    await firstWrote;
    const second = database.db.transaction((tx) => refreshSubscription(tx, unmapped, "evt_second"));
    await untilSomeoneWaitsForALock();
    release();
    await Promise.all([first, second]);

    expect(await mirrored(buyer.subscriptionId)).toMatchObject({ planSlug: "team", seats: 3 });
  });
});
