import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import type { StripeEmulatorOptions } from "./index";
import {
  createMonthlyPrice,
  DAY_SECONDS,
  eventTypesSince,
  startWithClient,
  subscribeThroughCheckout,
} from "../test/support/stripe-emulator";
import type { EmulatorUnderTest } from "../test/support/stripe-emulator";

let env: EmulatorUnderTest | undefined;
let dir: string | undefined;
afterEach(async () => {
  await env?.emulator.stop();
  env = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function subscribed(options: StripeEmulatorOptions = {}) {
  env = await startWithClient(options);
  const team = await createMonthlyPrice(env.stripe, 4900);
  const starter = await createMonthlyPrice(env.stripe, 1900);
  const subscription = await subscribeThroughCheckout(env.stripe, team, { quantity: 5 });
  const [item] = subscription.items.data;
  if (!item) throw new Error("no item");
  return { ...env, team, starter, subscription, item };
}

/** What the portal does for a downgrade: keep the current items until the period ends, then the new ones, then let go. */
function scheduleDowngrade(
  stripe: Stripe,
  schedule: Stripe.SubscriptionSchedule,
  item: Stripe.SubscriptionItem,
  price: Stripe.Price,
  quantity: number,
) {
  return stripe.subscriptionSchedules.update(schedule.id, {
    end_behavior: "release",
    phases: [
      {
        items: [{ price: item.price.id, quantity: item.quantity ?? 1 }],
        start_date: schedule.phases[0]?.start_date,
        end_date: item.current_period_end,
      },
      {
        items: [{ price: price.id, quantity }],
        duration: { interval: "month", interval_count: 1 },
        proration_behavior: "none",
      },
    ],
  });
}

describe("subscription schedules", () => {
  it("from_subscription holds the current items for the current period and is attached to the subscription", async () => {
    const { stripe, emulator, subscription, item } = await subscribed();
    const lastEvent = emulator.events()[0]?.id;
    const schedule = await stripe.subscriptionSchedules.create({ from_subscription: subscription.id });
    expect(schedule).toMatchObject({
      object: "subscription_schedule",
      status: "active",
      subscription: subscription.id,
      customer: subscription.customer,
      end_behavior: "release",
      current_phase: { start_date: item.current_period_start, end_date: item.current_period_end },
      phases: [
        expect.objectContaining({
          start_date: item.current_period_start,
          end_date: item.current_period_end,
          items: [expect.objectContaining({ price: item.price.id, quantity: 5 })],
        }),
      ],
    });
    expect(schedule.id).toMatch(/^sub_sched_/);
    expect((await stripe.subscriptions.retrieve(subscription.id)).schedule).toBe(schedule.id);
    expect(await stripe.subscriptionSchedules.retrieve(schedule.id)).toEqual(schedule);
    expect(eventTypesSince(emulator, lastEvent)).toEqual([
      "subscription_schedule.created",
      "customer.subscription.updated",
    ]);
    await expect(stripe.subscriptionSchedules.create({ from_subscription: subscription.id })).rejects.toMatchObject({
      statusCode: 400,
      param: "from_subscription",
    });
  });

  it("a downgrade takes effect at the next renewal, which invoices the new plan, and the schedule lets go", async () => {
    const { stripe, emulator, subscription, item, starter } = await subscribed();
    const schedule = await stripe.subscriptionSchedules.create({ from_subscription: subscription.id });
    const updated = await scheduleDowngrade(stripe, schedule, item, starter, 3);
    expect(
      updated.phases.map((phase) => [
        phase.start_date,
        phase.proration_behavior,
        phase.items[0]?.price,
        phase.items[0]?.quantity,
      ]),
    ).toEqual([
      [item.current_period_start, "create_prorations", item.price.id, 5],
      [item.current_period_end, "none", starter.id, 3],
    ]);
    expect(emulator.events()[0]?.type).toBe("subscription_schedule.updated");

    const upcoming = await stripe.invoices.createPreview({ subscription: subscription.id });
    expect(upcoming.lines.data.map((line) => [line.pricing?.price_details?.price, line.quantity, line.amount])).toEqual(
      [[starter.id, 3, 5700]],
    );
    expect(upcoming.amount_due).toBe(5700);

    await emulator.advanceTime(item.current_period_end - emulator.now() - 60);
    expect((await stripe.subscriptions.retrieve(subscription.id)).items.data[0]).toMatchObject({
      price: { id: item.price.id },
      quantity: 5,
    });
    const lastEvent = emulator.events()[0]?.id;
    await emulator.advanceTime(120);

    const renewed = await stripe.subscriptions.retrieve(subscription.id, { expand: ["latest_invoice"] });
    expect(renewed).toMatchObject({ schedule: null, status: "active" });
    expect(renewed.items.data).toEqual([
      expect.objectContaining({
        price: expect.objectContaining({ id: starter.id }),
        quantity: 3,
        current_period_start: item.current_period_end,
      }),
    ]);
    expect(renewed.latest_invoice).toMatchObject({
      billing_reason: "subscription_cycle",
      amount_paid: 5700,
      status: "paid",
    });
    expect(await stripe.subscriptionSchedules.retrieve(schedule.id)).toMatchObject({
      status: "released",
      released_at: item.current_period_end,
      released_subscription: subscription.id,
      subscription: null,
    });
    expect(eventTypesSince(emulator, lastEvent)).toEqual([
      "subscription_schedule.released",
      "invoice.created",
      "invoice.finalized",
      "customer.subscription.updated",
      "invoice.paid",
      "invoice.payment_succeeded",
    ]);
    const update = emulator.events().find((event) => event.type === "customer.subscription.updated");
    expect(update?.data.previous_attributes).toMatchObject({ schedule: schedule.id });
  });

  it("moves through a middle phase and releases at the start of the last", async () => {
    const { stripe, emulator, subscription, item, team, starter } = await subscribed();
    const schedule = await stripe.subscriptionSchedules.create({ from_subscription: subscription.id });
    const secondEnd =
      (
        await stripe.subscriptionSchedules.update(schedule.id, {
          phases: [
            { items: [{ price: team.id, quantity: 5 }], end_date: item.current_period_end },
            { items: [{ price: team.id, quantity: 4 }], duration: { interval: "month" } },
            { items: [{ price: starter.id, quantity: 2 }] },
          ],
        })
      ).phases[1]?.end_date ?? NaN;
    await emulator.advanceTime(item.current_period_end - emulator.now() + 60);
    expect((await stripe.subscriptions.retrieve(subscription.id)).items.data[0]).toMatchObject({
      id: item.id,
      quantity: 4,
    });
    expect(await stripe.subscriptionSchedules.retrieve(schedule.id)).toMatchObject({
      status: "active",
      current_phase: { start_date: item.current_period_end, end_date: secondEnd },
    });
    await emulator.advanceTime(secondEnd - emulator.now() + 60);
    expect(await stripe.subscriptions.retrieve(subscription.id)).toMatchObject({
      schedule: null,
      items: { data: [expect.objectContaining({ quantity: 2 })] },
    });
    expect((await stripe.subscriptionSchedules.retrieve(schedule.id)).status).toBe("released");
  });

  it("a phase on another interval starts a new billing cycle at the renewal", async () => {
    const { stripe, emulator, subscription, item, team } = await subscribed();
    const yearly = await stripe.prices.create({
      product: String(team.product),
      currency: "usd",
      unit_amount: 49000,
      recurring: { interval: "year" },
    });
    const schedule = await stripe.subscriptionSchedules.create({ from_subscription: subscription.id });
    await stripe.subscriptionSchedules.update(schedule.id, {
      phases: [
        { items: [{ price: team.id, quantity: 5 }], end_date: item.current_period_end },
        { items: [{ price: yearly.id, quantity: 5 }] },
      ],
    });
    await emulator.advanceTime(item.current_period_end - emulator.now() + 60);
    const renewed = await stripe.subscriptions.retrieve(subscription.id);
    expect(renewed.billing_cycle_anchor).toBe(item.current_period_end);
    const [renewedItem] = renewed.items.data;
    expect(new Date((renewedItem?.current_period_end ?? 0) * 1000).getUTCFullYear()).toBe(
      new Date(item.current_period_end * 1000).getUTCFullYear() + 1,
    );
    expect(await stripe.invoices.retrieve(String(renewed.latest_invoice))).toMatchObject({ amount_paid: 245000 });
  });

  it("releasing keeps the subscription as it is", async () => {
    const { stripe, emulator, subscription, item, starter } = await subscribed();
    const schedule = await stripe.subscriptionSchedules.create({ from_subscription: subscription.id });
    await scheduleDowngrade(stripe, schedule, item, starter, 3);
    const lastEvent = emulator.events()[0]?.id;
    expect(await stripe.subscriptionSchedules.release(schedule.id)).toMatchObject({
      status: "released",
      subscription: null,
      released_subscription: subscription.id,
    });
    expect(eventTypesSince(emulator, lastEvent)).toEqual([
      "subscription_schedule.released",
      "customer.subscription.updated",
    ]);
    await emulator.advanceTime(item.current_period_end - emulator.now() + 60);
    expect((await stripe.subscriptions.retrieve(subscription.id)).items.data[0]).toMatchObject({
      price: { id: item.price.id },
      quantity: 5,
    });
    await expect(stripe.subscriptionSchedules.release(schedule.id)).rejects.toMatchObject({ statusCode: 400 });
  });

  it("canceling the schedule cancels the subscription", async () => {
    const { stripe, emulator, subscription } = await subscribed();
    const schedule = await stripe.subscriptionSchedules.create({ from_subscription: subscription.id });
    const lastEvent = emulator.events()[0]?.id;
    expect(await stripe.subscriptionSchedules.cancel(schedule.id)).toMatchObject({
      status: "canceled",
      current_phase: null,
    });
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe("canceled");
    expect(eventTypesSince(emulator, lastEvent)).toEqual([
      "subscription_schedule.canceled",
      "customer.subscription.deleted",
    ]);
  });

  it("refuses phases it cannot honour, naming the param", async () => {
    const { stripe, subscription, item, starter } = await subscribed();
    const schedule = await stripe.subscriptionSchedules.create({ from_subscription: subscription.id });
    await expect(
      stripe.subscriptionSchedules.update(schedule.id, {
        phases: [
          {
            items: [{ price: item.price.id, quantity: 5 }],
            start_date: item.current_period_start + 1,
            end_date: item.current_period_end,
          },
        ],
      }),
    ).rejects.toMatchObject({ param: "phases[0][start_date]" });
    await expect(
      stripe.subscriptionSchedules.update(schedule.id, {
        phases: [{ items: [{ price: starter.id, quantity: 5 }], end_date: item.current_period_end }],
      }),
    ).rejects.toMatchObject({
      param: "phases[0][items]",
      message: expect.stringContaining("does not implement"),
    });
    await expect(
      stripe.subscriptionSchedules.update(schedule.id, {
        phases: [
          { items: [{ price: item.price.id, quantity: 5 }], end_date: item.current_period_end },
          { items: [{ price: starter.id }], start_date: item.current_period_end + 5 },
        ],
      }),
    ).rejects.toMatchObject({ param: "phases[1][start_date]" });
    await expect(stripe.subscriptionSchedules.update(schedule.id, { end_behavior: "cancel" })).rejects.toMatchObject({
      param: "end_behavior",
    });
  });

  it("keeps schedules and the clock across a restart and applies the phase afterwards", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "stripe-emulator-"));
    const stateFile = path.join(dir, "state.json");
    const { stripe, emulator, subscription, item, starter } = await subscribed({ stateFile });
    const schedule = await stripe.subscriptionSchedules.create({ from_subscription: subscription.id });
    await scheduleDowngrade(stripe, schedule, item, starter, 3);
    await emulator.advanceTime(20 * DAY_SECONDS);
    const movedTo = emulator.now();
    await emulator.stop();

    env = await startWithClient({ stateFile });
    expect(env.emulator.now() - movedTo).toBeLessThanOrEqual(1);
    expect(await env.stripe.subscriptionSchedules.retrieve(schedule.id)).toMatchObject({
      status: "active",
      phases: [expect.anything(), expect.anything()],
    });
    await env.emulator.advanceTime(item.current_period_end - env.emulator.now() + 60);
    expect(await env.stripe.subscriptions.retrieve(subscription.id)).toMatchObject({
      schedule: null,
      items: { data: [expect.objectContaining({ quantity: 3 })] },
    });
  });
});
