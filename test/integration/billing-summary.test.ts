import { eq } from "drizzle-orm";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import {
  BILLING_UNAVAILABLE,
  billingSummary,
  dropBillingSummary,
} from "../../app/modules/billing/billing-summary.server";
import { resumeSubscription } from "../../app/modules/billing/resume.server";
import { confirmCheckout } from "../../app/modules/orders/payment.server";
import { auditEvents, billingCustomers, subscriptions } from "../../db/schema";
import { buyer, changeCard, deliverAll, payForPlan, withBillingFixture } from "../support/billing";
import type { TestDatabase } from "../support/database";
import { queuedEmails } from "../support/jobs";

let database: TestDatabase;
let stripe: Stripe;

withBillingFixture((fixture) => ({ database, stripe } = fixture));

async function paidTeam(name: string, seats: number) {
  const { userId, accountId } = await buyer(database, name);
  const order = await payForPlan(database, stripe, accountId, userId, { planSlug: "team", seats });
  const paid = await confirmCheckout(database.db, stripe, order.stripeCheckoutSessionId!);
  await deliverAll(database, stripe);
  const [customer] = await database.db.select().from(billingCustomers).where(eq(billingCustomers.accountId, accountId));
  return { userId, accountId, subscriptionId: paid!.stripeSubscriptionId!, customerId: customer!.stripeCustomerId };
}

const deps = () => ({ db: database.db, stripe });
const mirror = async (id: string) =>
  (await database.db.select().from(subscriptions).where(eq(subscriptions.id, id)))[0]!;

describe("the billing summary", () => {
  it("reads the next invoice, the card and the invoices from Stripe", async () => {
    const { accountId, subscriptionId } = await paidTeam("summary", 3);
    const summary = await billingSummary(deps(), accountId);
    if (!summary?.available) throw new Error("no summary");
    const periodEnd = (await stripe.subscriptions.retrieve(subscriptionId)).items.data[0]!.current_period_end;
    expect(summary.nextInvoice).toEqual({
      total: { amount: 3 * 2400, currency: "USD" },
      date: new Date(periodEnd * 1000).toISOString(),
    });
    expect(summary.card).toMatchObject({ brand: "visa", last4: "4242" });
    expect(summary.invoices).toHaveLength(1);
    expect(summary.invoices[0]).toMatchObject({ total: { amount: 7200, currency: "USD" }, status: "paid" });
    expect(summary.nextCursor).toBeNull();
  });

  it("is cached, and the cache is dropped when a webhook of that customer is processed", async () => {
    const { accountId, customerId } = await paidTeam("cached", 3);
    const first = await billingSummary(deps(), accountId);
    if (!first?.available) throw new Error("no summary");
    expect(first.card?.last4).toBe("4242");
    await changeCard(stripe, customerId, "5555555555554444");
    // Stripe changed, but no webhook yet: the cached answer stands.
    expect(await billingSummary(deps(), accountId)).toBe(first);
    await deliverAll(database, stripe);
    const after = await billingSummary(deps(), accountId);
    if (!after?.available) throw new Error("no summary");
    expect(after.card).toMatchObject({ brand: "mastercard", last4: "4444" });
  });

  it("pages the invoices with Stripe's starting_after", async () => {
    const { accountId, subscriptionId } = await paidTeam("pages", 3);
    const item = (await stripe.subscriptions.retrieve(subscriptionId)).items.data[0]!;
    for (const quantity of [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]) {
      await stripe.subscriptions.update(subscriptionId, {
        items: [{ id: item.id, quantity }],
        proration_behavior: "always_invoice",
      });
    }
    dropBillingSummary(accountId);
    const first = await billingSummary(deps(), accountId);
    if (!first?.available) throw new Error("no summary");
    expect(first.invoices).toHaveLength(12);
    expect(first.nextCursor).toBe(first.invoices.at(-1)!.id);
    const second = await billingSummary(deps(), accountId, { startingAfter: first.nextCursor! });
    if (!second?.available) throw new Error("no summary");
    expect(second.invoices).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
  });

  it("answers a sentence when Stripe cannot be reached, and nothing for an organisation with no subscription", async () => {
    const { accountId } = await paidTeam("unreachable", 3);
    const nowhere = new Stripe("sk_test_emulator", {
      host: "127.0.0.1",
      port: 9,
      protocol: "http",
      maxNetworkRetries: 0,
    });
    dropBillingSummary(accountId);
    expect(await billingSummary({ db: database.db, stripe: nowhere }, accountId)).toEqual({
      available: false,
      message: BILLING_UNAVAILABLE,
    });
    const nobody = await buyer(database, "nobody");
    expect(await billingSummary(deps(), nobody.accountId)).toBeNull();
  });
});

describe("resume after a cancellation at the period end", () => {
  it("unsets cancel_at_period_end in Stripe, is mirrored and emailed from the webhook, audited, and shows the next invoice again", async () => {
    const { userId, accountId, subscriptionId } = await paidTeam("resumer", 3);
    await stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
    await deliverAll(database, stripe);
    expect((await mirror(subscriptionId)).cancelAtPeriodEnd).toBe(true);
    expect((await queuedEmails(database, "resumer@buy.test")).map((mail) => mail.subject)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Your Team subscription ends on \d+ \w+ \d{4}$/)]),
    );
    const ending = await billingSummary(deps(), accountId);
    expect(ending).toMatchObject({ available: true, nextInvoice: null });

    // Two tabs at once: one change in Stripe, recorded once.
    expect(
      await Promise.all([resumeSubscription(deps(), accountId, userId), resumeSubscription(deps(), accountId, userId)]),
    ).toEqual([{ ok: true }, { ok: true }]);
    expect((await stripe.subscriptions.retrieve(subscriptionId)).cancel_at_period_end).toBe(false);
    // The mirror waits for Stripe's webhook.
    expect((await mirror(subscriptionId)).cancelAtPeriodEnd).toBe(true);
    await deliverAll(database, stripe);
    expect((await mirror(subscriptionId)).cancelAtPeriodEnd).toBe(false);
    const continues = (await queuedEmails(database, "resumer@buy.test")).filter((mail) =>
      /subscription continues/.test(mail.subject),
    );
    expect(continues).toHaveLength(1);
    expect(continues[0]!.text).toContain("https://portal.test/account/billing");
    const audit = await database.db.select().from(auditEvents).where(eq(auditEvents.action, "subscription.resumed"));
    expect(audit).toMatchObject([{ actorId: userId, subjectId: subscriptionId, organisationId: accountId }]);
    expect(await billingSummary(deps(), accountId)).toMatchObject({
      available: true,
      nextInvoice: { total: { amount: 7200 } },
    });
    // Again (a second tab): nothing to do, nothing recorded twice.
    expect(await resumeSubscription(deps(), accountId, userId)).toEqual({ ok: true });
    expect(
      await database.db.select().from(auditEvents).where(eq(auditEvents.action, "subscription.resumed")),
    ).toHaveLength(1);
  });
});
