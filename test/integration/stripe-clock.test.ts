import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { startCheckout } from "../../app/modules/orders/checkout.server";
import { orders, serviceInstances, trials } from "../../db/schema";
import { submitCheckoutForm } from "../../stripe-emulator/hosted-forms";
import type { StripeEmulator } from "../../stripe-emulator";
import { APP_URL, buyer, withBillingFixture } from "../support/billing";
import type { TestDatabase } from "../support/database";
import { snapshotOf } from "../support/snapshot";

// The rule (issue 11, case 7): times sent to Stripe are computed against Stripe's now, not the
// portal's: a trial's unused time carries over as the same time left on Stripe's clock, and is
// left out when Stripe would refuse it (a Checkout trial_end must be 48 hours after Stripe's now).

let database: TestDatabase;
let emulator: StripeEmulator;
let stripe: Stripe;
const DAY = 86_400;

withBillingFixture((fixture) => ({ database, emulator, stripe } = fixture));

/** A buyer in an active Team trial that ends `daysLeft` days from now on the portal's clock. */
async function inTrial(name: string, daysLeft: number) {
  const who = await buyer(database, name);
  const [instance] = await database.db
    .insert(serviceInstances)
    .values({
      accountId: who.accountId,
      productSlug: "northwind-projects",
      planSlug: "team",
      snapshot: snapshotOf(),
    })
    .returning();
  await database.db.insert(trials).values({
    accountId: who.accountId,
    productSlug: "northwind-projects",
    planSlug: "team",
    instanceId: instance!.id,
    endsAt: new Date(Date.now() + daysLeft * DAY * 1000),
    startedBy: who.userId,
  });
  return who;
}

/** Orders Team × 3 and pays it; the subscription Stripe made. */
async function orderAndPay(who: { userId: string; accountId: string }) {
  const result = await startCheckout(
    { db: database.db, stripe, appUrl: APP_URL },
    { ...who, planSlug: "team", interval: "month", seats: 3 },
  );
  if (!result.ok) throw new Error(result.message);
  expect((await submitCheckoutForm(result.url, { card_number: "4242424242424242" })).status).toBe(303);
  const [order] = await database.db.select().from(orders).where(eq(orders.id, result.order.id));
  const session = await stripe.checkout.sessions.retrieve(order!.stripeCheckoutSessionId!, {
    expand: ["subscription"],
  });
  return session.subscription as Stripe.Subscription;
}

describe("ordering during a trial while Stripe's clock runs ahead of the portal's", () => {
  it("carries the trial's time left over, counted from Stripe's now", async () => {
    await emulator.advanceTime(9 * DAY);
    const who = await inTrial("clockahead", 10);
    const subscription = await orderAndPay(who);
    expect(subscription.status).toBe("trialing");
    expect(Math.abs(subscription.trial_end! - (emulator.now() + 10 * DAY))).toBeLessThanOrEqual(60);
  });

  it("leaves the trial out when too little is left for Stripe to accept it", async () => {
    const who = await inTrial("clockshort", 1.5);
    const subscription = await orderAndPay(who);
    expect(subscription).toMatchObject({ status: "active", trial_end: null });
  });
});
