import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import type { StripeEmulatorOptions } from "./index";
import {
  createMonthlyPrice,
  DAY_SECONDS,
  startWithClient,
  subscribeThroughCheckout,
} from "../test/support/stripe-emulator";
import type { EmulatorUnderTest } from "../test/support/stripe-emulator";

const DECLINES_CHARGES = "4000 0000 0000 0341";

let env: EmulatorUnderTest | undefined;
afterEach(async () => {
  await env?.emulator.stop();
  env = undefined;
});

/** A trial that ends in a failed charge: the card attaches at Checkout but declines every charge. */
async function failedTrialEnd(options: StripeEmulatorOptions = {}) {
  env = await startWithClient(options);
  const { stripe, emulator } = env;
  const price = await createMonthlyPrice(stripe, 1500);
  const subscription = await subscribeThroughCheckout(stripe, price, { cardNumber: DECLINES_CHARGES, trialDays: 7 });
  const trialEnd = subscription.trial_end ?? NaN;
  await emulator.advanceTime(trialEnd - emulator.now() + 1);
  const pastDue = await stripe.subscriptions.retrieve(subscription.id);
  const invoice = await stripe.invoices.retrieve(String(pastDue.latest_invoice));
  return { stripe, emulator, subscription: pastDue, invoice, trialEnd };
}

describe("dunning", () => {
  it("a declined renewal leaves the invoice open and the subscription past_due, with the first retry 3 days later", async () => {
    const { emulator, subscription, invoice, trialEnd } = await failedTrialEnd();
    expect(subscription.status).toBe("past_due");
    expect(invoice).toMatchObject({
      status: "open",
      billing_reason: "subscription_cycle",
      amount_due: 1500,
      amount_remaining: 1500,
      attempt_count: 1,
      attempted: true,
      next_payment_attempt: trialEnd + 3 * DAY_SECONDS,
    });
    const types = emulator
      .events()
      .map((event) => event.type)
      .reverse();
    expect(types.slice(types.indexOf("customer.subscription.trial_will_end") + 1)).toEqual([
      "invoice.created",
      "invoice.finalized",
      "customer.subscription.updated",
      "invoice.payment_failed",
      "customer.subscription.updated",
    ]);
    expect(emulator.events()[0]?.data.previous_attributes).toEqual({ status: "active" });
  });

  it("retries 3, 5 and 7 days after the first failure, then leaves the subscription unpaid and stops invoicing it", async () => {
    const { stripe, emulator, subscription, invoice, trialEnd } = await failedTrialEnd();
    await emulator.advanceTime(3 * DAY_SECONDS);
    expect(await stripe.invoices.retrieve(invoice.id)).toMatchObject({
      attempt_count: 2,
      next_payment_attempt: trialEnd + 5 * DAY_SECONDS,
    });
    await emulator.advanceTime(2 * DAY_SECONDS);
    expect(await stripe.invoices.retrieve(invoice.id)).toMatchObject({
      attempt_count: 3,
      next_payment_attempt: trialEnd + 7 * DAY_SECONDS,
    });
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe("past_due");
    await emulator.advanceTime(2 * DAY_SECONDS);

    expect(await stripe.invoices.retrieve(invoice.id)).toMatchObject({
      status: "open",
      attempt_count: 4,
      next_payment_attempt: null,
    });
    const unpaid = await stripe.subscriptions.retrieve(subscription.id);
    expect(unpaid.status).toBe("unpaid");
    const failures = emulator.events().filter((event) => event.type === "invoice.payment_failed");
    expect(failures.map((event) => event.created).reverse()).toEqual(
      [0, 3, 5, 7].map((days) => trialEnd + days * DAY_SECONDS),
    );

    await emulator.advanceTime(40 * DAY_SECONDS);
    const later = await stripe.subscriptions.retrieve(subscription.id);
    expect(later.status).toBe("unpaid");
    expect(later.items.data[0]?.current_period_start).toBeGreaterThan(
      unpaid.items.data[0]?.current_period_start ?? Infinity,
    );
    expect((await stripe.invoices.list({ subscription: subscription.id })).data).toHaveLength(2);
  });

  it("cancels the subscription after the last retry when the policy says canceled", async () => {
    const { stripe, emulator, subscription, trialEnd } = await failedTrialEnd({
      dunning: { retryDays: [2], finalStatus: "canceled" },
    });
    await emulator.advanceTime(2 * DAY_SECONDS);
    expect(await stripe.subscriptions.retrieve(subscription.id)).toMatchObject({
      status: "canceled",
      ended_at: trialEnd + 2 * DAY_SECONDS,
      cancellation_details: { reason: "payment_failed" },
    });
    expect(emulator.events()[0]?.type).toBe("customer.subscription.deleted");
  });

  it("invoices.pay charges the default card and answers a decline with a 402 card_error", async () => {
    const { stripe, invoice } = await failedTrialEnd();
    const error = await stripe.invoices.pay(invoice.id).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error).toMatchObject({
      statusCode: 402,
      code: "card_declined",
      decline_code: "generic_decline",
      message: "Your card was declined.",
    });
    expect(await stripe.invoices.retrieve(invoice.id)).toMatchObject({
      status: "open",
      attempt_count: 2,
      next_payment_attempt: invoice.next_payment_attempt,
    });
  });
});
