import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { applyPlanChange, previewPlanChange } from "../../app/modules/billing/plan-change.server";
import { confirmCheckout } from "../../app/modules/orders/payment.server";
import { billingCustomers, subscriptions } from "../../db/schema";
import type { StripeEmulator } from "../../stripe-emulator";
import {
  buyer,
  changeCard,
  deliverAll,
  payForPlan,
  provisioningRequests,
  withBillingFixture,
} from "../support/billing";
import type { TestDatabase } from "../support/database";
import { queuedEmails } from "../support/jobs";

let database: TestDatabase;
let emulator: StripeEmulator;
let stripe: Stripe;
const DAY = 86_400;

withBillingFixture((fixture) => ({ database, emulator, stripe } = fixture));

async function paidTeam(name: string, seats: number) {
  const { userId, accountId } = await buyer(database, name);
  const order = await payForPlan(database, stripe, accountId, userId, { planSlug: "team", seats });
  const paid = await confirmCheckout(database.db, stripe, order.stripeCheckoutSessionId!);
  await deliverAll(database, stripe);
  const [customer] = await database.db.select().from(billingCustomers).where(eq(billingCustomers.accountId, accountId));
  return { userId, accountId, subscriptionId: paid!.stripeSubscriptionId!, customerId: customer!.stripeCustomerId };
}

const deps = () => ({ db: database.db, stripe, secret: "test-secret-0123456789abcdef0123456789" });
const mirror = async (id: string) =>
  (await database.db.select().from(subscriptions).where(eq(subscriptions.id, id)))[0]!;
const changes = async (accountId: string) =>
  (await provisioningRequests(database, accountId)).map(({ operation, seats }) => `${operation}:${seats}`);

describe("an upgrade", () => {
  it("charges exactly the previewed proration, changes the service once, and refuses an altered or foreign quote", async () => {
    const { userId, accountId, subscriptionId } = await paidTeam("upgrader", 3);
    const choice = { planSlug: "team", interval: "month" as const, seats: 6 };
    const previewed = await previewPlanChange(deps(), accountId, choice);
    if (!previewed.ok) throw new Error(previewed.message);
    expect(previewed.preview).toMatchObject({ kind: "upgrade", recurring: { amount: 6 * 2400, currency: "USD" } });
    const quote = previewed.preview.quote!;

    const [body, signature] = quote.split(".");
    const altered = `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, "base64url").toString()), prorationDate: 1 })).toString("base64url")}.${signature}`;
    expect(await applyPlanChange(deps(), { accountId, userId, choice, quote: altered })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/expired/),
    });
    const other = await buyer(database, "stranger");
    expect(
      await applyPlanChange(deps(), { accountId: other.accountId, userId: other.userId, choice, quote }),
    ).toMatchObject({ ok: false });

    expect(await applyPlanChange(deps(), { accountId, userId, choice, quote })).toEqual({ ok: true, kind: "upgrade" });
    const invoices = await stripe.invoices.list({ subscription: subscriptionId });
    expect(invoices.data.find((invoice) => invoice.billing_reason === "subscription_update")?.amount_paid).toBe(
      previewed.preview.dueNow!.amount,
    );
    expect(await mirror(subscriptionId)).toMatchObject({ quantity: 6 });
    await deliverAll(database, stripe);
    expect(await changes(accountId)).toEqual(["provision:3", "modify:6"]);
  });

  it("changes nothing when the card is declined", async () => {
    const { userId, accountId, subscriptionId, customerId } = await paidTeam("declined", 3);
    await changeCard(stripe, customerId, "4000000000000341");
    const choice = { planSlug: "team", interval: "month" as const, seats: 5 };
    const previewed = await previewPlanChange(deps(), accountId, choice);
    if (!previewed.ok) throw new Error(previewed.message);
    const result = await applyPlanChange(deps(), { accountId, userId, choice, quote: previewed.preview.quote! });
    expect(result).toMatchObject({ ok: false, message: expect.stringMatching(/declined.*Nothing was changed/) });
    expect((await stripe.subscriptions.retrieve(subscriptionId)).items.data[0]!.quantity).toBe(3);
    expect(await changes(accountId)).toEqual(["provision:3"]);
  });
});

describe("users on a flat price", () => {
  it("are kept from the order, and a change costs nothing and applies at once", async () => {
    const { userId, accountId } = await buyer(database, "flat");
    const order = await payForPlan(database, stripe, accountId, userId, { planSlug: "business", seats: 20 });
    const paid = await confirmCheckout(database.db, stripe, order.stripeCheckoutSessionId!);
    await deliverAll(database, stripe);
    expect(await mirror(paid!.stripeSubscriptionId!)).toMatchObject({ quantity: 20 });

    const choice = { planSlug: "business", interval: "month" as const, seats: 30 };
    const previewed = await previewPlanChange(deps(), accountId, choice);
    if (!previewed.ok) throw new Error(previewed.message);
    expect(previewed.preview).toMatchObject({ kind: "upgrade", dueNow: { amount: 0 } });
    expect(await applyPlanChange(deps(), { accountId, userId, choice, quote: previewed.preview.quote! })).toEqual({
      ok: true,
      kind: "upgrade",
    });
    await deliverAll(database, stripe);
    expect(await mirror(paid!.stripeSubscriptionId!)).toMatchObject({ quantity: 30 });
    expect(await changes(accountId)).toEqual(["provision:20", "modify:30"]);
  });
});

describe("a downgrade", () => {
  it("waits for the period end, then bills and sets up fewer users", async () => {
    const { userId, accountId, subscriptionId } = await paidTeam("downgrader", 6);
    const choice = { planSlug: "team", interval: "month" as const, seats: 4 };
    const previewed = await previewPlanChange(deps(), accountId, choice);
    expect(previewed).toMatchObject({ ok: true, preview: { kind: "downgrade", dueNow: null, quote: null } });
    expect(await applyPlanChange(deps(), { accountId, userId, choice, quote: undefined })).toEqual({
      ok: true,
      kind: "downgrade",
    });
    expect(await mirror(subscriptionId)).toMatchObject({ quantity: 6, scheduledChange: { seats: 4 } });

    await emulator.advanceTime(31 * DAY);
    await deliverAll(database, stripe);
    expect(await mirror(subscriptionId)).toMatchObject({ status: "active", quantity: 4, scheduledChange: null });
    expect(await changes(accountId)).toEqual(["provision:6", "modify:4"]);
  });

  it("to fewer users than the organisation has (members and pending invitations) is refused with the way out", async () => {
    const { userId, accountId } = await paidTeam("crowded", 6);
    await database.sql`insert into invitations (organisation_id, email, role, token_hash, invited_by, expires_at)
      select ${accountId}, 'person-' || n || '@crowded.test', 'member', 'crowded-' || n, ${userId}, now() + interval '7 days'
      from generate_series(1, 4) n`;
    const refusal = {
      ok: false,
      field: "seats",
      message:
        "Your organisation has 5 users, counting pending invitations. Choose at least 5, or remove people on the Team page first.",
    };
    const choice = { planSlug: "team", interval: "month" as const, seats: 4 };
    expect(await previewPlanChange(deps(), accountId, choice)).toEqual(refusal);
    expect(await applyPlanChange(deps(), { accountId, userId, choice, quote: undefined })).toEqual(refusal);
    expect(await previewPlanChange(deps(), accountId, { ...choice, seats: 5 })).toMatchObject({ ok: true });
  });
});

describe("a failing renewal", () => {
  it("emails once per failure, suspends when unpaid, and resumes when a new card pays", async () => {
    const { accountId, subscriptionId, customerId } = await paidTeam("dunned", 3);
    await changeCard(stripe, customerId, "4000000000000341");

    await emulator.advanceTime(31 * DAY);
    await deliverAll(database, stripe);
    expect(await mirror(subscriptionId)).toMatchObject({ status: "past_due", paymentFailedAt: expect.any(Date) });
    const failures = (await queuedEmails(database, "dunned@buy.test")).filter((mail) =>
      /could not take your Team payment/.test(mail.subject),
    );
    expect(failures).toHaveLength(1);

    await emulator.advanceTime(8 * DAY);
    await deliverAll(database, stripe);
    expect(await mirror(subscriptionId)).toMatchObject({ status: "unpaid" });
    expect(await changes(accountId)).toEqual(["provision:3", "suspend:3"]);

    await changeCard(stripe, customerId, "4242424242424242");
    await deliverAll(database, stripe);
    expect(await mirror(subscriptionId)).toMatchObject({ status: "active", paymentFailedAt: null });
    expect(await changes(accountId)).toEqual(["provision:3", "suspend:3", "resume:3"]);
  });
});

describe("a plan change confirmed after the subscription changed elsewhere", () => {
  it("is refused with the reason when the subscription was set to end meanwhile (another tab, the Billing Portal), charging nothing", async () => {
    const { userId, accountId, subscriptionId } = await paidTeam("two-tabs", 3);
    const upgrade = { planSlug: "team", interval: "month" as const, seats: 6 };
    const previewed = await previewPlanChange(deps(), accountId, upgrade);
    if (!previewed.ok) throw new Error(previewed.message);

    await stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
    const downgrade = { planSlug: "starter", interval: "month" as const, seats: 3 };
    for (const [choice, quote] of [
      [upgrade, previewed.preview.quote!],
      [downgrade, undefined],
    ] as const) {
      const result = await applyPlanChange(deps(), { accountId, userId, choice, quote });
      expect(result).toMatchObject({
        ok: false,
        message: expect.stringMatching(/set to end on .* Renew it .* first, then change your plan/),
      });
    }
    expect(await previewPlanChange(deps(), accountId, upgrade)).toMatchObject({ ok: false });

    const live = await stripe.subscriptions.retrieve(subscriptionId);
    expect(live).toMatchObject({ cancel_at_period_end: true, schedule: null });
    expect(live.items.data[0]!.quantity).toBe(3);
    const invoices = await stripe.invoices.list({ subscription: subscriptionId });
    expect(invoices.data.filter((invoice) => invoice.billing_reason === "subscription_update")).toEqual([]);
    await deliverAll(database, stripe);
    expect(await changes(accountId)).toEqual(["provision:3"]);
  });

  it("is refused while Stripe has a payment open, even before the portal has heard of it", async () => {
    const { userId, accountId, subscriptionId, customerId } = await paidTeam("renewal-failed", 3);
    const choice = { planSlug: "team", interval: "month" as const, seats: 6 };
    const previewed = await previewPlanChange(deps(), accountId, choice);
    if (!previewed.ok) throw new Error(previewed.message);
    await changeCard(stripe, customerId, "4000000000000341");
    await emulator.advanceTime(31 * DAY);
    expect((await stripe.subscriptions.retrieve(subscriptionId)).status).toBe("past_due");
    expect(await mirror(subscriptionId)).toMatchObject({ status: "active" });

    const result = await applyPlanChange(deps(), { accountId, userId, choice, quote: previewed.preview.quote! });
    expect(result).toMatchObject({ ok: false, message: expect.stringMatching(/A payment is open/) });
    expect((await stripe.subscriptions.retrieve(subscriptionId)).items.data[0]!.quantity).toBe(3);
  });
});
