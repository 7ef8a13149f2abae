import { and, eq, like } from "drizzle-orm";
import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { confirmEmailChange } from "../../app/modules/accounts/accounts.server";
import { createSignedToken } from "../../app/modules/accounts/signed-tokens.server";
import { formatMoney } from "../../app/lib/money";
import { syncStripeCustomer } from "../../app/modules/billing/customer-sync.server";
import { startCheckout } from "../../app/modules/orders/checkout.server";
import { startTrial } from "../../app/modules/trials/trials.server";
import { billingCustomers, organisations, orders, outgoingEmails } from "../../db/schema";
import { APP_URL, buyer, deliver, deliverLatest, payForPlan, withBillingFixture } from "../support/billing";
import type { TestDatabase } from "../support/database";
import type { StripeEmulator } from "../../stripe-emulator";

let database: TestDatabase;
let stripe: Stripe;
let emulator: StripeEmulator;

withBillingFixture((fixture) => ({ database, stripe, emulator } = fixture));

const DAY = 86_400;

async function mailTo(email: string, subjectStart: string) {
  return database.db
    .select()
    .from(outgoingEmails)
    .where(and(eq(outgoingEmails.to, email), like(outgoingEmails.subject, `${subjectStart}%`)));
}

function utcDay(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toLocaleDateString("en-GB", {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
}

describe("the order confirmation", () => {
  it("names plan, users, interval, amount, taxes and the charge, once, from Stripe's event", async () => {
    const { userId, accountId } = await buyer(database, "confirm-paid");
    const order = await payForPlan(database, stripe, accountId, userId, { planSlug: "team", seats: 3 });
    await deliverLatest(database, stripe, "checkout.session.completed");
    await deliverLatest(database, stripe, "checkout.session.completed");

    const [mail, ...more] = await mailTo("confirm-paid@buy.test", "Order confirmed");
    expect(more).toHaveLength(0);
    expect(mail!.subject).toBe("Order confirmed: Team, 3 users, billed monthly");
    const invoice = (await stripe.invoices.list({ customer: await customerOf(accountId) })).data[0]!;
    for (const line of [
      "Plan: Team",
      "Users: 3",
      "Billed: monthly",
      "Price: $72 per month, excluding tax",
      "Taxes: $0",
      `Charged today: $72 (${utcDay(invoice.status_transitions.paid_at!)}). Next, $72 per month.`,
      `${APP_URL}/orders/${order.id}`,
    ])
      expect(mail!.text).toContain(line);
    const [saved] = await database.db.select().from(orders).where(eq(orders.id, order.id));
    expect(saved).toMatchObject({ status: "paid", chargedAtCheckout: 7200, firstChargeAmount: 7200 });
  });

  it("for a trial checkout says nothing was charged and gives Stripe's trial_end and amount", async () => {
    const { userId, accountId } = await buyer(database, "confirm-trial");
    const trial = await startTrial(database.db, accountId, "team", userId);
    expect(trial.ok).toBe(true);
    const order = await payForPlan(database, stripe, accountId, userId, { planSlug: "team", seats: 4 });
    // The order page's re-fetch may accept it first; the event still confirms it, once.
    const { confirmCheckout } = await import("../../app/modules/orders/payment.server");
    await confirmCheckout(database.db, stripe, order.stripeCheckoutSessionId!);
    await deliverLatest(database, stripe, "checkout.session.completed");

    const session = await stripe.checkout.sessions.retrieve(order.stripeCheckoutSessionId!, {
      expand: ["subscription"],
    });
    const subscription = session.subscription as Stripe.Subscription;
    expect(subscription.status).toBe("trialing");
    const mails = await mailTo("confirm-trial@buy.test", "Order confirmed");
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain(
      `Charged today: $0. Your trial continues: first charge on ${utcDay(subscription.trial_end!)}: $96.`,
    );
    expect(mails[0]!.text).toContain("Taxes: $0");
    const [saved] = await database.db.select().from(orders).where(eq(orders.id, order.id));
    expect(saved).toMatchObject({ chargedAtCheckout: 0, firstChargeAmount: 9600 });
    expect(saved!.firstChargeAt!.getTime()).toBe(subscription.trial_end! * 1000);
  });
});

async function customerOf(accountId: string): Promise<string> {
  const [row] = await database.db.select().from(billingCustomers).where(eq(billingCustomers.accountId, accountId));
  return row!.stripeCustomerId;
}

describe("receipts", () => {
  it("sends one per paid invoice with an amount, whatever duplicates or order the events come in", async () => {
    const { userId, accountId } = await buyer(database, "receipt");
    await payForPlan(database, stripe, accountId, userId, { planSlug: "starter", seats: 1 });
    await deliverLatest(database, stripe, "checkout.session.completed");
    const firstPaid = (await stripe.events.list({ type: "invoice.paid", limit: 1 })).data[0]!;
    await emulator.advanceTime(32 * DAY);
    const renewalPaid = (await stripe.events.list({ type: "invoice.paid", limit: 1 })).data[0]!;
    // The renewal's event first, then the first invoice's; each delivered twice, then replayed.
    for (const event of [renewalPaid, firstPaid, renewalPaid, firstPaid]) await deliver(database, stripe, event);
    const invoices = (await stripe.invoices.list({ customer: await customerOf(accountId) })).data;
    expect(invoices).toHaveLength(2);

    const receipts = await mailTo("receipt@buy.test", "Receipt for your");
    expect(receipts).toHaveLength(2);
    for (const invoice of invoices) {
      const receipt = receipts.find((mail) => mail.subject.includes(invoice.number!));
      expect(receipt, invoice.number!).toBeDefined();
      expect(receipt!.text).toContain(`Invoice number: ${invoice.number}`);
      expect(receipt!.text).toContain(`Paid on: ${utcDay(invoice.status_transitions.paid_at!)}`);
      expect(receipt!.text).toContain(`${invoice.lines.data[0]!.description}: $12`);
      expect(receipt!.text).toContain("Taxes: $0");
      expect(receipt!.text).toContain(`Total paid: ${formatMoney({ amount: invoice.amount_paid, currency: "USD" })}`);
      expect(receipt!.text).toContain(invoice.hosted_invoice_url!);
    }
  });

  it("sends none for a trial's $0.00 invoice", async () => {
    const { userId, accountId } = await buyer(database, "no-receipt");
    await startTrial(database.db, accountId, "team", userId);
    await payForPlan(database, stripe, accountId, userId, { planSlug: "team", seats: 3 });
    await deliverLatest(database, stripe, "invoice.paid");
    expect(await mailTo("no-receipt@buy.test", "Receipt for your")).toHaveLength(0);
  });
});

describe("the Stripe customer", () => {
  it("is created with the owner's email and the organisation's name, and kept in step when they change", async () => {
    const { userId, accountId } = await buyer(database, "customer");
    await payForPlan(database, stripe, accountId, userId, { planSlug: "starter", seats: 1 });
    const customerId = await customerOf(accountId);
    expect(await stripe.customers.retrieve(customerId)).toMatchObject({
      email: "customer@buy.test",
      name: "customer Org",
      metadata: { account_id: accountId },
    });

    const config = { appUrl: APP_URL, sessionSecret: "s".repeat(32) };
    // The link requestEmailChange mails to the new address (it needs the password, which this buyer has none of).
    const token = createSignedToken(
      config.sessionSecret,
      { purpose: "change_email", userId, email: "renamed@buy.test", fingerprint: "customer@buy.test" },
      60_000,
    );
    expect(await confirmEmailChange({ db: database.db, config }, token)).toBe("changed");
    const jobs = await database.sql<{ payload: { accountId: string } }[]>`
      select j.payload from graphile_worker._private_jobs j
      join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = 'stripe_customer_sync'`;
    expect(jobs.map((job) => job.payload.accountId)).toContain(accountId);

    await database.db.update(organisations).set({ name: "Customer & Co" }).where(eq(organisations.id, accountId));
    const updatesBefore = customerUpdates(customerId);
    await syncStripeCustomer({ db: database.db, stripe }, accountId);
    await syncStripeCustomer({ db: database.db, stripe }, accountId);
    expect(await stripe.customers.retrieve(customerId)).toMatchObject({
      email: "renamed@buy.test",
      name: "Customer & Co",
    });
    // The second run finds the customer in step and changes nothing.
    expect(customerUpdates(customerId)).toBe(updatesBefore + 1);
  });
});

function customerUpdates(customerId: string): number {
  return emulator
    .events()
    .filter((event) => event.type === "customer.updated" && (event.data.object as Stripe.Customer).id === customerId)
    .length;
}

describe("Checkout's line item", () => {
  it("names the product and plan (the plan's own Stripe product), with the interval on its price", async () => {
    const { userId, accountId } = await buyer(database, "line-item");
    const checkout = await startCheckout(
      { db: database.db, stripe, appUrl: APP_URL },
      { accountId, userId, planSlug: "team", interval: "year", seats: 4 },
    );
    if (!checkout.ok) throw new Error(checkout.message);
    const [order] = await database.db.select().from(orders).where(eq(orders.id, checkout.order.id));
    const items = await stripe.checkout.sessions.listLineItems(order!.stripeCheckoutSessionId!);
    expect(items.data[0]).toMatchObject({
      description: "Northwind Projects Team",
      quantity: 4,
      price: { recurring: { interval: "year" } },
    });
    const page = await (await fetch(checkout.url)).text();
    expect(page).toContain("Northwind Projects Team");
    expect(page).toContain("per year");
  });
});
