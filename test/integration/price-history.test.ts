import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import * as billingRoute from "../../app/routes/account.billing";
import { syncCatalogToStripe } from "../../app/modules/billing/catalog-sync.server";
import { planOfPrice } from "../../app/modules/billing/subscriptions.server";
import { startCheckout } from "../../app/modules/orders/checkout.server";
import { confirmCheckout } from "../../app/modules/orders/payment.server";
import { orders, prices, priceVersions } from "../../db/schema";
import { demoCatalog } from "../../db/seed/demo-catalog";
import { seedCatalog } from "../../db/seed/seed-catalog";
import { submitCheckoutForm } from "../../stripe-emulator/hosted-forms";
import { APP_URL, buyer, deliverAll, payForPlan, withBillingFixture } from "../support/billing";
import type { TestDatabase } from "../support/database";
import { callRoute, routeContext, ROUTE_APP_URL, signedIn } from "../support/routes";

// The rule (issue 11, case 1): every price a subscription or an open checkout may use stays
// mapped to its plan. A catalog price change adds a new Stripe price and archives the old one in
// the price history, never rewriting it; new checkouts use the current price, subscribers stay
// on theirs (grandfathered).

let database: TestDatabase;
let stripe: Stripe;

withBillingFixture((fixture) => ({ database, stripe } = fixture));

const TEAM_MONTH = "northwind-projects.team.month.usd";
const deps = () => ({ db: database.db, stripe, appUrl: APP_URL });
const teamMonthly = (who: { userId: string; accountId: string }, seats: number) =>
  startCheckout(deps(), { ...who, planSlug: "team", interval: "month", seats });

/** What the billing page shows as the organisation's current plan. */
async function billingPageChoice(who: { userId: string; accountId: string }) {
  const context = routeContext(database, stripe);
  const cookie = await signedIn(context, who.userId, who.accountId);
  const answer = await callRoute(
    billingRoute.loader,
    new Request(`${ROUTE_APP_URL}/account/billing`, { headers: { cookie } }),
    context,
  );
  return (answer.body as { current: unknown }).current;
}

async function sessionOf(orderId: string): Promise<string> {
  return (await database.db.select().from(orders).where(eq(orders.id, orderId)))[0]!.stripeCheckoutSessionId!;
}

async function teamMonthPrice() {
  return (await database.db.select().from(prices).where(eq(prices.lookupKey, TEAM_MONTH)))[0]!;
}

describe("a catalog price change", () => {
  it("keeps subscribers and open checkouts on the old price mapped to their plan; new checkouts use the new price", async () => {
    const subscriber = await buyer(database, "grandfathered");
    const paid = await payForPlan(database, stripe, subscriber.accountId, subscriber.userId, {
      planSlug: "team",
      seats: 3,
    });
    await confirmCheckout(database.db, stripe, paid.stripeCheckoutSessionId!);
    const latePayer = await buyer(database, "latepayer");
    const openBefore = await teamMonthly(latePayer, 4);
    if (!openBefore.ok) throw new Error(openBefore.message);
    const oldPriceId = (await teamMonthPrice()).stripePriceId!;

    const changed = structuredClone(demoCatalog);
    changed.plans.find((plan) => plan.slug === "team")!.prices.month = 2600;
    await seedCatalog(database.db, changed);
    // Until the sync has run, the new amount is not sold at the old price.
    const tooEarly = await teamMonthly(await buyer(database, "tooearly"), 3);
    expect(tooEarly).toMatchObject({ ok: false, message: expect.stringMatching(/cannot be bought online right now/) });

    expect(await syncCatalogToStripe(database.db, stripe)).toMatchObject({ pricesCreated: 1, pricesAdopted: 0 });
    const newPriceId = (await teamMonthPrice()).stripePriceId!;
    expect(newPriceId).not.toBe(oldPriceId);
    expect(await stripe.prices.retrieve(oldPriceId)).toMatchObject({ active: false, lookup_key: null });
    expect(await stripe.prices.retrieve(newPriceId)).toMatchObject({ unit_amount: 2600, lookup_key: TEAM_MONTH });
    expect(
      (
        await database.db
          .select()
          .from(priceVersions)
          .where(eq(priceVersions.priceId, (await teamMonthPrice()).id))
      )
        .map(({ stripePriceId, unitAmount, archivedAt }) => ({
          stripePriceId,
          unitAmount,
          archived: archivedAt !== null,
        }))
        .sort((a, b) => a.unitAmount - b.unitAmount),
    ).toEqual([
      { stripePriceId: oldPriceId, unitAmount: 2400, archived: true },
      { stripePriceId: newPriceId, unitAmount: 2600, archived: false },
    ]);

    // The paying customer keeps their plan and their price (grandfathered).
    expect(await planOfPrice(database.db, oldPriceId)).toEqual({
      planSlug: "team",
      interval: "month",
      pricingModel: "per_seat",
    });
    await deliverAll(database, stripe);
    expect(await billingPageChoice(subscriber)).toEqual({ planSlug: "team", interval: "month", seats: 3 });
    const subscription = await stripe.subscriptions.retrieve(
      (await confirmCheckout(database.db, stripe, paid.stripeCheckoutSessionId!))!.stripeSubscriptionId!,
    );
    expect(subscription.items.data[0]!.price.id).toBe(oldPriceId);

    // The checkout opened before the change and paid after it lands on its plan too.
    expect((await submitCheckoutForm(openBefore.url, { card_number: "4242424242424242" })).status).toBe(303);
    await confirmCheckout(database.db, stripe, await sessionOf(openBefore.order.id));
    await deliverAll(database, stripe);
    expect(await billingPageChoice(latePayer)).toEqual({ planSlug: "team", interval: "month", seats: 4 });

    // A new checkout uses the current price.
    const newcomer = await teamMonthly(await buyer(database, "newcomer"), 3);
    if (!newcomer.ok) throw new Error(newcomer.message);
    const session = await stripe.checkout.sessions.retrieve(await sessionOf(newcomer.order.id), {
      expand: ["line_items"],
    });
    expect(session.line_items?.data[0]?.price?.id).toBe(newPriceId);

    expect(await syncCatalogToStripe(database.db, stripe)).toMatchObject({ pricesCreated: 0, pricesAdopted: 0 });
  });

  it("adopts Stripe prices the history lacks (synced before it existed), so their subscribers map again", async () => {
    const { stripePriceId } = await teamMonthPrice();
    const archived = (await database.db.select().from(priceVersions)).filter((v) => v.archivedAt !== null);
    expect(archived.length).toBeGreaterThan(0);
    for (const version of archived) await database.db.delete(priceVersions).where(eq(priceVersions.id, version.id));
    expect(await planOfPrice(database.db, archived[0]!.stripePriceId)).toBeNull();

    expect(await syncCatalogToStripe(database.db, stripe)).toMatchObject({
      pricesCreated: 0,
      pricesAdopted: archived.length,
    });
    for (const version of archived)
      expect(await planOfPrice(database.db, version.stripePriceId)).toMatchObject({ planSlug: "team" });
    expect((await teamMonthPrice()).stripePriceId).toBe(stripePriceId);
  });
});
