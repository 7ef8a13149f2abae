import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { submitPortalForm } from "./hosted-forms";
import {
  createMonthlyPrice,
  DAY_SECONDS,
  eventTypesSince,
  subscribeThroughCheckout,
  withEmulatorPerTest,
} from "../test/support/stripe-emulator";
import type { EmulatorUnderTest } from "../test/support/stripe-emulator";

let env: EmulatorUnderTest;
let monthly: Stripe.Price;
withEmulatorPerTest(async (started) => {
  env = started;
  monthly = await createMonthlyPrice(env.stripe, 1500);
});

/** What must agree between a preview and the invoice the change then issues (ids differ). */
function lineSummaries(invoice: Stripe.Invoice) {
  return invoice.lines.data.map((line) => ({
    amount: line.amount,
    description: line.description,
    period: line.period,
    quantity: line.quantity,
    price: line.pricing?.price_details?.price,
    proration: line.parent?.subscription_item_details?.proration,
  }));
}

function prorated(amount: number, date: number, item: Stripe.SubscriptionItem): number {
  return Math.round(
    (amount * (item.current_period_end - date)) / (item.current_period_end - item.current_period_start),
  );
}

async function subscribedTenDaysAgo(
  quantity = 2,
): Promise<{ subscription: Stripe.Subscription; item: Stripe.SubscriptionItem }> {
  const subscription = await subscribeThroughCheckout(env.stripe, monthly, { quantity });
  await env.emulator.advanceTime(10 * DAY_SECONDS);
  const [item] = subscription.items.data;
  if (!item) throw new Error("no item");
  return { subscription, item };
}

describe("always_invoice: the preview is what the update charges", () => {
  it("more seats: credit for the unused old quantity, charge for the new one, paid now", async () => {
    const { subscription, item } = await subscribedTenDaysAgo(2);
    const prorationDate = env.emulator.now();
    const change = {
      items: [{ id: item.id, quantity: 5 }],
      proration_behavior: "always_invoice" as const,
      proration_date: prorationDate,
    };

    const preview = await env.stripe.invoices.createPreview({
      customer: String(subscription.customer),
      subscription: subscription.id,
      subscription_details: change,
    });
    expect(preview.id).toMatch(/^upcoming_in_/);
    const credit = prorated(3000, prorationDate, item);
    const charge = prorated(7500, prorationDate, item);
    expect(lineSummaries(preview)).toEqual([
      expect.objectContaining({
        amount: -credit,
        quantity: 2,
        proration: true,
        description: expect.stringMatching(/^Unused time on 2 × Pro plan after \d{2} \w{3} \d{4}$/),
      }),
      expect.objectContaining({
        amount: charge,
        quantity: 5,
        proration: true,
        description: expect.stringMatching(/^Remaining time on 5 × Pro plan after /),
      }),
    ]);
    expect(preview).toMatchObject({
      amount_due: charge - credit,
      total: charge - credit,
      subtotal: charge - credit,
      billing_reason: "subscription_update",
      status: "draft",
    });
    await expect(env.stripe.invoices.retrieve(preview.id)).rejects.toMatchObject({ statusCode: 404 });

    const lastEvent = env.emulator.events()[0]?.id;
    const updated = await env.stripe.subscriptions.update(subscription.id, {
      ...change,
      payment_behavior: "error_if_incomplete",
    });
    expect(updated.items.data[0]).toMatchObject({
      id: item.id,
      quantity: 5,
      current_period_end: item.current_period_end,
    });
    const invoice = await env.stripe.invoices.retrieve(String(updated.latest_invoice));
    expect(invoice).toMatchObject({
      billing_reason: "subscription_update",
      status: "paid",
      amount_paid: preview.amount_due,
      total: preview.total,
    });
    expect(lineSummaries(invoice)).toEqual(lineSummaries(preview));
    expect(eventTypesSince(env.emulator, lastEvent)).toEqual([
      "invoice.created",
      "invoice.finalized",
      "customer.subscription.updated",
      "invoice.paid",
      "invoice.payment_succeeded",
    ]);
  });

  it("a dearer plan: the old price credited, the new one charged for the rest of the period", async () => {
    const { subscription, item } = await subscribedTenDaysAgo(3);
    const team = await createMonthlyPrice(env.stripe, 4900);
    const prorationDate = env.emulator.now();
    const change = {
      items: [{ id: item.id, price: team.id }],
      proration_behavior: "always_invoice" as const,
      proration_date: prorationDate,
    };
    const preview = await env.stripe.invoices.createPreview({
      subscription: subscription.id,
      subscription_details: change,
    });
    expect(preview.lines.data.map((line) => line.amount)).toEqual([
      -prorated(4500, prorationDate, item),
      prorated(14700, prorationDate, item),
    ]);

    const updated = await env.stripe.subscriptions.update(subscription.id, change);
    expect(updated.items.data[0]).toMatchObject({ price: { id: team.id }, plan: { id: team.id }, quantity: 3 });
    const invoice = await env.stripe.invoices.retrieve(String(updated.latest_invoice));
    expect(lineSummaries(invoice)).toEqual(lineSummaries(preview));
    expect(invoice.amount_paid).toBe(preview.amount_due);
  });
});

describe("create_prorations", () => {
  it("keeps the prorations for the next invoice, which the preview shows and the renewal issues", async () => {
    const { subscription, item } = await subscribedTenDaysAgo(2);
    const prorationDate = env.emulator.now();
    const change = { items: [{ id: item.id, quantity: 4 }], proration_date: prorationDate };
    const preview = await env.stripe.invoices.createPreview({
      subscription: subscription.id,
      subscription_details: change,
    });
    expect(preview).toMatchObject({
      billing_reason: "subscription_cycle",
      created: item.current_period_end,
      period_end: item.current_period_end,
    });
    expect(lineSummaries(preview).map((line) => [line.proration, line.quantity])).toEqual([
      [true, 2],
      [true, 4],
      [false, 4],
    ]);
    expect(preview.amount_due).toBe(prorated(6000, prorationDate, item) - prorated(3000, prorationDate, item) + 6000);

    const lastEvent = env.emulator.events()[0]?.id;
    const updated = await env.stripe.subscriptions.update(subscription.id, change);
    expect(updated.latest_invoice).toBe(subscription.latest_invoice);
    expect(eventTypesSince(env.emulator, lastEvent)).toEqual([
      "invoiceitem.created",
      "invoiceitem.created",
      "customer.subscription.updated",
    ]);
    const upcoming = await env.stripe.invoices.createPreview({ subscription: subscription.id });
    expect(lineSummaries(upcoming)).toEqual(lineSummaries(preview));

    await env.emulator.advanceTime(item.current_period_end - env.emulator.now() + 1);
    const renewal = await env.stripe.invoices.retrieve(
      String((await env.stripe.subscriptions.retrieve(subscription.id)).latest_invoice),
    );
    expect(renewal).toMatchObject({
      billing_reason: "subscription_cycle",
      status: "paid",
      amount_paid: preview.amount_due,
    });
    expect(lineSummaries(renewal)).toEqual(lineSummaries(preview));
    expect(renewal.lines.data[0]?.parent?.subscription_item_details?.invoice_item).toMatch(/^ii_/);
  });

  it("none changes the items and bills nothing extra", async () => {
    const { subscription, item } = await subscribedTenDaysAgo(2);
    const lastEvent = env.emulator.events()[0]?.id;
    await env.stripe.subscriptions.update(subscription.id, {
      items: [{ id: item.id, quantity: 3 }],
      proration_behavior: "none",
    });
    expect(eventTypesSince(env.emulator, lastEvent)).toEqual(["customer.subscription.updated"]);
    const upcoming = await env.stripe.invoices.createPreview({ subscription: subscription.id });
    expect(lineSummaries(upcoming)).toEqual([expect.objectContaining({ amount: 4500, proration: false })]);
  });
});

describe("payment behaviour", () => {
  async function withDecliningCard() {
    const { subscription, item } = await subscribedTenDaysAgo(2);
    const session = await env.stripe.billingPortal.sessions.create({ customer: String(subscription.customer) });
    await submitPortalForm(session.url, {
      action: "update_payment_method",
      card_number: "4000000000000341",
      card_expiry: "12/40",
      card_cvc: "123",
    });
    return { subscription, item };
  }

  it("error_if_incomplete answers the decline with 402 and changes nothing", async () => {
    const { subscription, item } = await withDecliningCard();
    const before = await env.stripe.subscriptions.retrieve(subscription.id);
    const lastEvent = env.emulator.events()[0]?.id;
    const update = env.stripe.subscriptions.update(subscription.id, {
      items: [{ id: item.id, quantity: 5 }],
      proration_behavior: "always_invoice",
      payment_behavior: "error_if_incomplete",
    });
    await expect(update).rejects.toBeInstanceOf(Stripe.errors.StripeCardError);
    await expect(update).rejects.toMatchObject({
      statusCode: 402,
      code: "card_declined",
      decline_code: "generic_decline",
    });
    expect(await env.stripe.subscriptions.retrieve(subscription.id)).toEqual(before);
    expect((await env.stripe.invoices.list({ subscription: subscription.id })).data).toHaveLength(1);
    expect(eventTypesSince(env.emulator, lastEvent)).toEqual([]);
  });

  it("allow_incomplete applies the change, leaves the invoice open and the subscription past_due", async () => {
    const { subscription, item } = await withDecliningCard();
    const updated = await env.stripe.subscriptions.update(subscription.id, {
      items: [{ id: item.id, quantity: 5 }],
      proration_behavior: "always_invoice",
    });
    expect(updated).toMatchObject({ status: "past_due", items: { data: [expect.objectContaining({ quantity: 5 })] } });
    expect(await env.stripe.invoices.retrieve(String(updated.latest_invoice))).toMatchObject({
      status: "open",
      attempt_count: 1,
    });
  });

  it("refuses pending_if_incomplete as not implemented", async () => {
    const { subscription, item } = await subscribedTenDaysAgo(2);
    const update = env.stripe.subscriptions.update(subscription.id, {
      items: [{ id: item.id, quantity: 5 }],
      payment_behavior: "pending_if_incomplete",
    });
    await expect(update).rejects.toMatchObject({
      statusCode: 400,
      type: "StripeInvalidRequestError",
      param: "payment_behavior",
      message: "The Stripe emulator does not implement payment_behavior=pending_if_incomplete.",
    });
  });
});

describe("billing cycle", () => {
  it("a price with another interval restarts the cycle now: unused time credited, the new period charged in full", async () => {
    const { subscription, item } = await subscribedTenDaysAgo(1);
    const yearly = await env.stripe.prices.create({
      product: String(monthly.product),
      currency: "usd",
      unit_amount: 15000,
      recurring: { interval: "year" },
    });
    const prorationDate = env.emulator.now();
    const change = { items: [{ id: item.id, price: yearly.id }], proration_date: prorationDate };
    const preview = await env.stripe.invoices.createPreview({
      subscription: subscription.id,
      subscription_details: change,
    });

    const updated = await env.stripe.subscriptions.update(subscription.id, change);
    const now = updated.billing_cycle_anchor;
    expect(now).toBeGreaterThanOrEqual(prorationDate);
    expect(updated.items.data[0]).toMatchObject({ current_period_start: now, price: { id: yearly.id } });
    expect(new Date((updated.items.data[0]?.current_period_end ?? 0) * 1000).getUTCFullYear()).toBe(
      new Date(now * 1000).getUTCFullYear() + 1,
    );
    const invoice = await env.stripe.invoices.retrieve(String(updated.latest_invoice));
    expect(invoice).toMatchObject({
      billing_reason: "subscription_update",
      status: "paid",
      amount_paid: 15000 - prorated(1500, prorationDate, item),
    });
    expect(lineSummaries(invoice)).toEqual([
      expect.objectContaining({ amount: -prorated(1500, prorationDate, item), proration: true }),
      expect.objectContaining({
        amount: 15000,
        proration: false,
        period: { start: now, end: updated.items.data[0]?.current_period_end },
      }),
    ]);
    expect(lineSummaries(preview)).toEqual(lineSummaries(invoice));
  });

  it("billing_cycle_anchor=now restarts the cycle on the same interval", async () => {
    const { subscription, item } = await subscribedTenDaysAgo(1);
    const updated = await env.stripe.subscriptions.update(subscription.id, {
      billing_cycle_anchor: { type: "now" },
      proration_behavior: "none",
    });
    expect(updated.items.data[0]?.current_period_start).toBe(updated.billing_cycle_anchor);
    expect(updated.items.data[0]?.current_period_start).toBeGreaterThan(item.current_period_start);
    expect(await env.stripe.invoices.retrieve(String(updated.latest_invoice))).toMatchObject({
      amount_paid: 1500,
      lines: { data: [expect.objectContaining({ amount: 1500 })] },
    });
  });

  it("refuses a proration_date outside the current period", async () => {
    const { subscription, item } = await subscribedTenDaysAgo(1);
    const preview = env.stripe.invoices.createPreview({
      subscription: subscription.id,
      subscription_details: { items: [{ id: item.id, quantity: 2 }], proration_date: item.current_period_start - 10 },
    });
    await expect(preview).rejects.toMatchObject({ statusCode: 400, param: "subscription_details[proration_date]" });
  });
});
