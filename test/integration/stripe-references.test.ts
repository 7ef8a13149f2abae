import { and, eq } from "drizzle-orm";
import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { startCheckout } from "../../app/modules/orders/checkout.server";
import { auditEvents, billingCustomers, orders, prices } from "../../db/schema";
import { APP_URL, buyer, withBillingFixture } from "../support/billing";
import type { TestDatabase } from "../support/database";

// The rule (issue 11, case 4): a Stripe id the portal stored that Stripe no longer knows is
// recovered from (a new customer, recorded and audited) or answered with a sentence; never a 500.

let database: TestDatabase;
let stripe: Stripe;

withBillingFixture((fixture) => ({ database, stripe } = fixture));

const deps = () => ({ db: database.db, stripe, appUrl: APP_URL });

describe("a stored customer Stripe does not know", () => {
  it("is replaced by a new customer, recorded and audited, and the order goes on", async () => {
    const { userId, accountId } = await buyer(database, "lostcustomer");
    await database.db.insert(billingCustomers).values({ accountId, stripeCustomerId: "cus_deletedInTheDashboard" });

    const result = await startCheckout(deps(), { accountId, userId, planSlug: "team", interval: "month", seats: 3 });
    if (!result.ok) throw new Error(result.message);
    const [saved] = await database.db.select().from(billingCustomers).where(eq(billingCustomers.accountId, accountId));
    expect(saved!.stripeCustomerId).not.toBe("cus_deletedInTheDashboard");
    expect(await stripe.customers.retrieve(saved!.stripeCustomerId)).toMatchObject({
      metadata: { account_id: accountId },
    });
    const session = await stripe.checkout.sessions.retrieve(await sessionOf(result.order.id));
    expect(session.customer).toBe(saved!.stripeCustomerId);
    expect(
      await database.db
        .select({ details: auditEvents.details, actorId: auditEvents.actorId })
        .from(auditEvents)
        .where(and(eq(auditEvents.organisationId, accountId), eq(auditEvents.action, "billing.customer_replaced"))),
    ).toEqual([
      {
        actorId: userId,
        details: {
          previous: "cus_deletedInTheDashboard",
          current: saved!.stripeCustomerId,
          reason: "unknown to Stripe",
        },
      },
    ]);
  });
});

describe("a stored price Stripe does not know", () => {
  it("answers a sentence, frees the order slot and audits Stripe's refusal on the order", async () => {
    const { userId, accountId } = await buyer(database, "lostprice");
    const key = "northwind-projects.business.month.usd";
    const [row] = await database.db.select().from(prices).where(eq(prices.lookupKey, key));
    await database.db
      .update(prices)
      .set({ stripePriceId: "price_deletedInTheDashboard" })
      .where(eq(prices.id, row!.id));
    try {
      const result = await startCheckout(deps(), {
        accountId,
        userId,
        planSlug: "business",
        interval: "month",
        seats: 1,
      });
      expect(result).toEqual({
        ok: false,
        message: expect.stringMatching(/^We could not open the payment page: .*\.$/),
      });
      const [order] = await database.db.select().from(orders).where(eq(orders.accountId, accountId));
      expect(order!.status).toBe("cancelled");
      const [audit] = await database.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.subjectId, order!.id), eq(auditEvents.action, "order.checkout_failed")));
      expect(audit!.details).toMatchObject({ type: "invalid_request_error", code: "resource_missing" });
    } finally {
      await database.db.update(prices).set({ stripePriceId: row!.stripePriceId }).where(eq(prices.id, row!.id));
    }
  });
});

async function sessionOf(orderId: string): Promise<string> {
  const [order] = await database.db.select().from(orders).where(eq(orders.id, orderId));
  return order!.stripeCheckoutSessionId!;
}
