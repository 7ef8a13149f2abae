import type { AppLoadContext } from "@remix-run/node";
import { and, eq } from "drizzle-orm";
import type Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import * as billingRoute from "../../app/routes/account.billing";
import * as newOrderRoute from "../../app/routes/orders.new";
import * as pricingRoute from "../../app/routes/pricing";
import { confirmCheckout } from "../../app/modules/orders/payment.server";
import { sendCheckoutLink } from "../../app/modules/orders/sales-checkout.server";
import { recordSignal } from "../../app/modules/success/signals.server";
import { accountSignals, memberships, organisations } from "../../db/schema";
import { APP_URL, buyer, deliverAll, payForPlan, withBillingFixture } from "../support/billing";
import type { TestDatabase } from "../support/database";
import { insertPerson } from "../support/people";
import { callRoute, formPost, ROUTE_APP_URL, routeContext, signedIn } from "../support/routes";

let database: TestDatabase;
let stripe: Stripe;
let context: AppLoadContext;

withBillingFixture((fixture) => ({ database, stripe } = fixture));
beforeAll(() => {
  context = routeContext(database, stripe);
});

type Loader = Parameters<typeof callRoute>[0];

async function signals(accountId: string) {
  const rows = await database.db
    .select({ kind: accountSignals.kind, count: accountSignals.count })
    .from(accountSignals)
    .where(eq(accountSignals.accountId, accountId));
  return Object.fromEntries(rows.map((row) => [row.kind, row.count]));
}

const get = (loader: Loader, path: string, cookie: string) =>
  callRoute(loader, new Request(`${ROUTE_APP_URL}${path}`, { headers: { cookie } }), context);

/** A staff member who is also an owner of a customer organisation (staff test the product too). */
async function staffInOrganisation() {
  const staff = await insertPerson(database.db, "Stella", "staff");
  const [organisation] = await database.db.insert(organisations).values({ name: "Staff Own Co" }).returning();
  await database.db.insert(memberships).values({ organisationId: organisation!.id, userId: staff.id, role: "owner" });
  return { accountId: organisation!.id, cookie: await signedIn(context, staff.id, organisation!.id) };
}

describe("intent signals recorded by the pages customers use", () => {
  it("counts a signed-in customer's pricing views for their organisation; not anonymous visitors, not staff", async () => {
    const customer = await buyer(database, "pricey");
    const cookie = await signedIn(context, customer.userId, customer.accountId);
    expect((await get(pricingRoute.loader, "/pricing", cookie)).status).toBe(200);
    expect((await get(pricingRoute.loader, "/pricing?interval=year", cookie)).status).toBe(200);
    expect(await signals(customer.accountId)).toEqual({ pricing_viewed: 2 });

    const before = await database.db.select().from(accountSignals);
    expect((await get(pricingRoute.loader, "/pricing", "")).status).toBe(200);
    const staff = await staffInOrganisation();
    expect((await get(pricingRoute.loader, "/pricing", staff.cookie)).status).toBe(200);
    expect(await database.db.select().from(accountSignals)).toEqual(before);
  });

  it("counts the billing page and an upgrade preview; staff looking count nothing", async () => {
    const customer = await buyer(database, "upgrader");
    const order = await payForPlan(database, stripe, customer.accountId, customer.userId, {
      planSlug: "team",
      seats: 3,
    });
    await confirmCheckout(database.db, stripe, order.stripeCheckoutSessionId!);
    await deliverAll(database, stripe);
    const cookie = await signedIn(context, customer.userId, customer.accountId);
    expect((await get(billingRoute.loader, "/account/billing", cookie)).status).toBe(200);
    const preview = await get(billingRoute.loader, "/account/billing?plan=team&interval=month&seats=6", cookie);
    expect(preview.body).toMatchObject({ preview: { kind: "upgrade" } });
    // A downgrade preview is not intent to buy more.
    const downgrade = await get(billingRoute.loader, "/account/billing?plan=starter&interval=month&seats=3", cookie);
    expect(downgrade.body).toMatchObject({ preview: { kind: "downgrade" } });
    expect(await signals(customer.accountId)).toEqual({
      checkout_opened: 1,
      billing_viewed: 3,
      upgrade_preview: 1,
    });

    const staff = await staffInOrganisation();
    expect((await get(billingRoute.loader, "/account/billing", staff.cookie)).status).toBe(200);
    expect(await signals(staff.accountId)).toEqual({});
  });

  it("counts a checkout the customer opens once, however often the form is sent; a link staff send is not counted", async () => {
    const customer = await buyer(database, "checker");
    const cookie = await signedIn(context, customer.userId, customer.accountId);
    const choice = { plan: "team", interval: "month", seats: "3" };
    const first = await callRoute(newOrderRoute.action, formPost("/orders/new", cookie, choice), context);
    const again = await callRoute(newOrderRoute.action, formPost("/orders/new", cookie, choice), context);
    expect(first.status).toBe(302);
    expect(again.location).toBe(first.location);
    expect(await signals(customer.accountId)).toEqual({ checkout_opened: 1 });

    const assisted = await buyer(database, "assisted");
    const staff = await insertPerson(database.db, "Sally", "staff");
    const sent = await sendCheckoutLink(
      { db: database.db, stripe, appUrl: APP_URL },
      { accountId: assisted.accountId, userId: staff.id, planSlug: "team", interval: "month", seats: 3 },
    );
    expect(sent.ok).toBe(true);
    expect(await signals(assisted.accountId)).toEqual({});
  });
});

describe("recordSignal", () => {
  it("never breaks its caller: a failure is logged, and inside a transaction the caller's work still commits", async () => {
    const missing = "00000000-0000-4000-8000-000000000000";
    await expect(recordSignal(database.db, missing, "pricing_viewed")).resolves.toBeUndefined();
    const [kept] = await database.db.transaction(async (tx) => {
      await recordSignal(tx, missing, "billing_viewed");
      return tx.insert(organisations).values({ name: "Still Saved Co" }).returning();
    });
    expect(await database.db.select().from(organisations).where(eq(organisations.id, kept!.id))).toHaveLength(1);
    expect(await database.db.select().from(accountSignals).where(eq(accountSignals.accountId, missing))).toEqual([]);
  });

  it("adds one per call and keeps the first time, also when calls race", async () => {
    const { accountId } = await buyer(database, "racer");
    await Promise.all(Array.from({ length: 5 }, () => recordSignal(database.db, accountId, "pricing_viewed")));
    const [row] = await database.db
      .select()
      .from(accountSignals)
      .where(and(eq(accountSignals.accountId, accountId), eq(accountSignals.kind, "pricing_viewed")));
    expect(row!.count).toBe(5);
    expect(row!.lastAt.getTime()).toBeGreaterThanOrEqual(row!.firstAt.getTime());
  });
});
