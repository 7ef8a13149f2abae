import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { syncCatalogToStripe } from "../../app/modules/billing/catalog-sync.server";
import { StripeInbox } from "../../app/modules/billing/inbox.server";
import { processStripeEvent } from "../../app/modules/billing/process-event.server";
import { createStripeClient } from "../../app/modules/billing/stripe.server";
import { startCheckout } from "../../app/modules/orders/checkout.server";
import { memberships, orders, organisations, users } from "../../db/schema";
import { startStripeEmulator, type StripeEmulator, type StripeEmulatorOptions } from "../../stripe-emulator";
import { submitCheckoutForm, submitPortalForm } from "../../stripe-emulator/hosted-forms";
import { afterAll, beforeAll, expect } from "vitest";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "./database";

export const APP_URL = "https://portal.test";

export type BillingHarness = { emulator: StripeEmulator; stripe: Stripe };

/** An emulator with the catalog synced to it, and the portal's own Stripe client for it. */
export async function startBilling(
  database: TestDatabase,
  options: StripeEmulatorOptions = {},
): Promise<BillingHarness> {
  const emulator = await startStripeEmulator(options);
  const stripe = createStripeClient({ emulatorPort: emulator.port });
  await syncCatalogToStripe(database.db, stripe);
  return { emulator, stripe };
}

export type BillingFixture = BillingHarness & { database: TestDatabase };

/**
 * Gives the test file its own database and Stripe emulator (catalog synced) before its tests,
 * handed to `receive`, and removes both after them.
 */
export function withBillingFixture(
  receive: (fixture: BillingFixture) => void,
  options: StripeEmulatorOptions = {},
): void {
  let fixture: BillingFixture | undefined;
  beforeAll(async () => {
    const database = await createTestDatabase();
    fixture = { database, ...(await startBilling(database, options)) };
    receive(fixture);
  });
  afterAll(async () => {
    // Rule (issue 17, ADR 24): whatever a billing test did, the ledger replays to the mirror.
    if (fixture) expect(await ledgerDrift(fixture.database)).toEqual([]);
    await fixture?.emulator.stop();
    if (fixture) await dropTestDatabase(fixture.database);
  });
}

/**
 * Subscriptions whose ledger does not replay to their mirror: the sum of their rows' deltas
 * (after − before) differs from the mirror's `mrr_minor`. Empty when the ledger is whole.
 */
export async function ledgerDrift(database: TestDatabase) {
  return database.sql<{ id: string; mirror: number; ledger: number }[]>`
    select s.id, s.mrr_minor::int as mirror, coalesce(sum(l.mrr_after_minor - l.mrr_before_minor), 0)::int as ledger
    from subscriptions s left join subscription_ledger l on l.subscription_id = s.id
    group by s.id having s.mrr_minor <> coalesce(sum(l.mrr_after_minor - l.mrr_before_minor), 0)`;
}

/** A user with a confirmed address owning an organisation, ready to buy (unconfirmed accounts may not order). */
export async function buyer(database: TestDatabase, name: string) {
  const [user] = await database.db
    .insert(users)
    .values({ email: `${name}@buy.test`, name, passwordHash: "x", emailVerifiedAt: new Date() })
    .returning();
  const [org] = await database.db
    .insert(organisations)
    .values({ name: `${name} Org` })
    .returning();
  await database.db.insert(memberships).values({ organisationId: org!.id, userId: user!.id, role: "owner" });
  return { userId: user!.id, accountId: org!.id, email: user!.email };
}

/** Opens a checkout for the plan and pays it on the emulator's hosted page; returns the order. */
export async function payForPlan(
  database: TestDatabase,
  stripe: Stripe,
  accountId: string,
  userId: string,
  plan: { planSlug: string; seats: number; card?: string },
) {
  const checkout = await startCheckout(
    { db: database.db, stripe, appUrl: APP_URL },
    { accountId, userId, planSlug: plan.planSlug, interval: "month", seats: plan.seats },
  );
  if (!checkout.ok) throw new Error(checkout.message);
  await submitCheckoutForm(checkout.url, { card_number: plan.card ?? "4242424242424242" });
  const [order] = await database.db.select().from(orders).where(eq(orders.accountId, accountId));
  return order!;
}

/** Receives Stripe's newest event of the type twice and processes it twice, as at-least-once delivery may. */
export async function deliverLatest(database: TestDatabase, stripe: Stripe, type: string): Promise<Stripe.Event> {
  const [event] = (await stripe.events.list({ type, limit: 1 })).data;
  if (!event) throw new Error(`No ${type} event`);
  await deliver(database, stripe, event);
  return event;
}

export async function deliver(database: TestDatabase, stripe: Stripe, event: Stripe.Event): Promise<void> {
  const deps = { db: database.db, stripe, appUrl: APP_URL };
  const inbox = new StripeInbox(database.sql);
  await inbox.receive(event.id, JSON.stringify(event));
  await inbox.receive(event.id, JSON.stringify(event));
  await processStripeEvent(deps, event.id);
  await processStripeEvent(deps, event.id);
}

export async function provisioningRequests(database: TestDatabase, accountId: string) {
  return database.sql<{ operation: string; seats: number; status: string }[]>`
    select operation, (snapshot->>'seats')::int as seats, status from provisioning_requests where account_id = ${accountId} order by created_at, id`;
}

/** Receives every event Stripe has recorded, oldest first, and processes what is new: webhooks caught up. */
export async function deliverAll(database: TestDatabase, stripe: Stripe): Promise<void> {
  const events: Stripe.Event[] = [];
  for await (const event of stripe.events.list({ limit: 100 })) events.push(event);
  for (const event of events.reverse()) await deliver(database, stripe, event);
}

/** Changes the customer's card on the emulator's Billing Portal page, as the customer would. */
export async function changeCard(stripe: Stripe, customer: string, cardNumber: string): Promise<void> {
  const session = await stripe.billingPortal.sessions.create({ customer, return_url: `${APP_URL}/account/billing` });
  const answer = await submitPortalForm(session.url, {
    action: "update_payment_method",
    card_number: cardNumber,
    card_expiry: "12 / 40",
    card_cvc: "123",
  });
  if (answer.status !== 303) throw new Error(`The portal refused the card: ${answer.status}`);
}
