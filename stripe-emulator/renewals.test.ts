import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import {
  createMonthlyPrice,
  DAY_SECONDS,
  eventTypesSince,
  subscribeThroughCheckout,
  withEmulatorPerTest,
} from "../test/support/stripe-emulator";
import type { EmulatorUnderTest } from "../test/support/stripe-emulator";

let env: EmulatorUnderTest;
let price: Stripe.Price;
withEmulatorPerTest(async (started) => {
  env = started;
  price = await createMonthlyPrice(env.stripe, 1500);
});

function periodOf(subscription: Stripe.Subscription): { start: number; end: number } {
  const [item] = subscription.items.data;
  return { start: item?.current_period_start ?? NaN, end: item?.current_period_end ?? NaN };
}

async function advanceTo(time: number): Promise<void> {
  await env.emulator.advanceTime(time - env.emulator.now());
}

describe("renewals", () => {
  it("renews at the period end: next period, a paid subscription_cycle invoice, events stamped with that moment", async () => {
    const subscription = await subscribeThroughCheckout(env.stripe, price, { quantity: 2 });
    const first = periodOf(subscription);
    const lastEvent = env.emulator.events()[0]?.id;

    await advanceTo(first.end + 3600);

    const renewed = await env.stripe.subscriptions.retrieve(subscription.id);
    expect(renewed.status).toBe("active");
    expect(periodOf(renewed).start).toBe(first.end);
    expect(periodOf(renewed).end).toBeGreaterThanOrEqual(first.end + 28 * DAY_SECONDS);
    const invoice = await env.stripe.invoices.retrieve(String(renewed.latest_invoice));
    expect(invoice).toMatchObject({
      billing_reason: "subscription_cycle",
      status: "paid",
      amount_due: 3000,
      amount_paid: 3000,
      attempt_count: 1,
      created: first.end,
      period_start: first.start,
      period_end: first.end,
    });
    expect(invoice.lines.data).toEqual([
      expect.objectContaining({
        amount: 3000,
        quantity: 2,
        description: "2 × Pro plan (at $15.00 / month)",
        period: periodOf(renewed),
      }),
    ]);
    expect(eventTypesSince(env.emulator, lastEvent)).toEqual([
      "invoice.created",
      "invoice.finalized",
      "customer.subscription.updated",
      "invoice.paid",
      "invoice.payment_succeeded",
    ]);
    const updated = env.emulator.events().find((event) => event.type === "customer.subscription.updated");
    expect(updated?.created).toBe(first.end);
    expect(updated?.data.previous_attributes).toHaveProperty("items");
  });

  it("runs every renewal on the way when time jumps several periods, in order", async () => {
    const subscription = await subscribeThroughCheckout(env.stripe, price);
    await env.emulator.advanceTime(95 * DAY_SECONDS);
    const invoices = await env.stripe.invoices.list({ subscription: subscription.id });
    const cycles = invoices.data.filter((invoice) => invoice.billing_reason === "subscription_cycle").reverse();
    expect(cycles).toHaveLength(3);
    expect(cycles.map((invoice) => invoice.status)).toEqual(["paid", "paid", "paid"]);
    const created = cycles.map((invoice) => invoice.created);
    expect(created).toEqual([...created].sort((a, b) => a - b));
    expect(periodOf(await env.stripe.subscriptions.retrieve(subscription.id)).start).toBe(created[2]);
  });

  it("cancels at the period end when cancel_at_period_end is set, without a new invoice", async () => {
    const subscription = await subscribeThroughCheckout(env.stripe, price);
    await env.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    const { end } = periodOf(subscription);

    await advanceTo(end - 60);
    expect((await env.stripe.subscriptions.retrieve(subscription.id)).status).toBe("active");
    await advanceTo(end + 60);

    const canceled = await env.stripe.subscriptions.retrieve(subscription.id);
    expect(canceled).toMatchObject({
      status: "canceled",
      ended_at: end,
      cancellation_details: { reason: "cancellation_requested" },
    });
    expect((await env.stripe.invoices.list({ subscription: subscription.id })).data).toHaveLength(1);
    const [deleted] = env.emulator.events();
    expect(deleted).toMatchObject({
      type: "customer.subscription.deleted",
      created: end,
      data: { object: { id: subscription.id } },
    });
    await env.emulator.advanceTime(60 * DAY_SECONDS);
    expect((await env.stripe.invoices.list({ subscription: subscription.id })).data).toHaveLength(1);
  });
});

describe("trials", () => {
  it("sends trial_will_end three days before the trial ends, then charges the first period", async () => {
    const subscription = await subscribeThroughCheckout(env.stripe, price, { trialDays: 14 });
    const trialEnd = subscription.trial_end ?? NaN;
    expect(subscription.status).toBe("trialing");

    await advanceTo(trialEnd - 3 * DAY_SECONDS - 10);
    expect(env.emulator.events().some((event) => event.type === "customer.subscription.trial_will_end")).toBe(false);
    await advanceTo(trialEnd - 10);
    const reminders = env.emulator.events().filter((event) => event.type === "customer.subscription.trial_will_end");
    expect(reminders).toHaveLength(1);
    expect(reminders[0]).toMatchObject({
      created: trialEnd - 3 * DAY_SECONDS,
      data: { object: { id: subscription.id, status: "trialing" } },
    });

    await advanceTo(trialEnd + 10);
    const active = await env.stripe.subscriptions.retrieve(subscription.id, { expand: ["latest_invoice"] });
    expect(active).toMatchObject({ status: "active", trial_end: trialEnd });
    expect(periodOf(active).start).toBe(trialEnd);
    expect(active.latest_invoice).toMatchObject({
      billing_reason: "subscription_cycle",
      status: "paid",
      amount_paid: 1500,
      created: trialEnd,
    });
    const becameActive = env.emulator.events().find((event) => event.type === "customer.subscription.updated");
    expect(becameActive?.data.previous_attributes).toMatchObject({ status: "trialing" });
    expect(env.emulator.events().filter((event) => event.type === "customer.subscription.trial_will_end")).toHaveLength(
      1,
    );
  });
});
