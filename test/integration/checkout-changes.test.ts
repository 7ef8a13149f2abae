import { and, eq } from "drizzle-orm";
import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { startCheckout, type CheckoutInput } from "../../app/modules/orders/checkout.server";
import { auditEvents, orders } from "../../db/schema";
import { submitCheckoutForm } from "../../stripe-emulator/hosted-forms";
import { APP_URL, buyer, withBillingFixture } from "../support/billing";
import type { TestDatabase } from "../support/database";

// The rule (issue 11, case 3): a new choice expires the open Checkout Session and its order and
// opens a new one; the same choice sent again, from any number of tabs, reaches one checkout.

let database: TestDatabase;
let stripe: Stripe;

withBillingFixture((fixture) => ({ database, stripe } = fixture));

const open = (input: CheckoutInput) => startCheckout({ db: database.db, stripe, appUrl: APP_URL }, input);
const ordersOf = (accountId: string) =>
  database.db.select().from(orders).where(eq(orders.accountId, accountId)).orderBy(orders.createdAt);

describe("a change of mind", () => {
  it("expires the open checkout and its order, and opens one for the new choice", async () => {
    const { userId, accountId } = await buyer(database, "mindchange");
    const first = await open({ accountId, userId, planSlug: "starter", interval: "month", seats: 2 });
    if (!first.ok) throw new Error(first.message);

    const second = await open({ accountId, userId, planSlug: "starter", interval: "year", seats: 7 });
    if (!second.ok) throw new Error(second.message);
    expect(second.url).not.toBe(first.url);

    const [old, current] = await ordersOf(accountId);
    expect(old).toMatchObject({ id: first.order.id, status: "expired" });
    expect(current).toMatchObject({ status: "checkout_open", interval: "year", seats: 7 });
    expect((await stripe.checkout.sessions.retrieve(old!.stripeCheckoutSessionId!)).status).toBe("expired");
    const session = await stripe.checkout.sessions.retrieve(current!.stripeCheckoutSessionId!, {
      expand: ["line_items"],
    });
    expect(session).toMatchObject({ status: "open", url: second.url });
    expect(session.line_items?.data[0]).toMatchObject({ quantity: 7, price: { recurring: { interval: "year" } } });
    expect(
      await database.db
        .select({ action: auditEvents.action, actorId: auditEvents.actorId })
        .from(auditEvents)
        .where(and(eq(auditEvents.subjectId, first.order.id), eq(auditEvents.action, "order.checkout_superseded"))),
    ).toEqual([{ action: "order.checkout_superseded", actorId: userId }]);

    // Another plan is a change of mind too; going back to the first choice opens a new checkout.
    const third = await open({ accountId, userId, planSlug: "team", interval: "month", seats: 3 });
    const fourth = await open({ accountId, userId, planSlug: "starter", interval: "month", seats: 2 });
    expect(third.ok && fourth.ok).toBe(true);
    expect(new Set([first, second, third, fourth].map((r) => (r.ok ? r.url : ""))).size).toBe(4);
    expect((await ordersOf(accountId)).map((order) => order.status)).toEqual([
      "expired",
      "expired",
      "expired",
      "checkout_open",
    ]);
  });

  it("the same new choice from two tabs at once still reaches one checkout", async () => {
    const { userId, accountId } = await buyer(database, "mindtabs");
    const first = await open({ accountId, userId, planSlug: "starter", interval: "month", seats: 2 });
    expect(first.ok).toBe(true);
    const choice = { accountId, userId, planSlug: "starter", interval: "year" as const, seats: 7 };
    const answers = await Promise.all([open(choice), open(choice)]);
    const again = await open(choice);
    const urls = new Set([...answers, again].filter((r) => r.ok).map((r) => (r.ok ? r.url : "")));
    expect(urls.size).toBe(1);
    expect(urls.has(first.ok ? first.url : "")).toBe(false);
    expect((await ordersOf(accountId)).filter((order) => order.status === "checkout_open")).toHaveLength(1);
    expect(
      (await stripe.checkout.sessions.list({ limit: 100 })).data.filter(
        (session) => session.status === "open" && session.metadata?.order_id !== undefined && urls.has(session.url!),
      ),
    ).toHaveLength(1);
  });

  it("does not expire a checkout that was paid meanwhile, and says so", async () => {
    const { userId, accountId } = await buyer(database, "mindpaid");
    const first = await open({ accountId, userId, planSlug: "starter", interval: "month", seats: 2 });
    if (!first.ok) throw new Error(first.message);
    expect((await submitCheckoutForm(first.url, { card_number: "4242424242424242" })).status).toBe(303);

    const second = await open({ accountId, userId, planSlug: "team", interval: "month", seats: 3 });
    expect(second).toEqual({ ok: false, message: expect.stringMatching(/just been paid.*billing page/) });
    expect((await ordersOf(accountId)).map((order) => order.status)).toEqual(["checkout_open"]);
  });
});
