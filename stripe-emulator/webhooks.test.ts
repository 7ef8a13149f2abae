import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import { submitCheckoutForm } from "./hosted-forms";
import { createMonthlyPrice, startReceiver, startWithClient } from "../test/support/stripe-emulator";
import type { EmulatorUnderTest, WebhookReceiver } from "../test/support/stripe-emulator";
import type { StripeEmulatorOptions } from "./index";

const SECRET = "whsec_emulator_test_secret";
const verifier = new Stripe("sk_test_unused");

let env: EmulatorUnderTest | undefined;
let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await env?.emulator.stop();
  await receiver?.close();
  env = undefined;
  receiver = undefined;
});

async function start(
  statuses: number[],
  options: StripeEmulatorOptions = {},
): Promise<EmulatorUnderTest & { webhooks: WebhookReceiver }> {
  const webhooks = await startReceiver(statuses);
  receiver = webhooks;
  env = await startWithClient({
    webhookUrl: webhooks.url,
    webhookSecret: SECRET,
    retryDelaysMs: [10, 10, 10],
    ...options,
  });
  return { ...env, webhooks };
}

function verified(webhooks: WebhookReceiver): Stripe.Event[] {
  return webhooks.received.map((delivery) =>
    verifier.webhooks.constructEvent(delivery.body, String(delivery.headers["stripe-signature"]), SECRET),
  );
}

describe("webhook delivery", () => {
  it("delivers every event of a paid Checkout signed so that constructEvent accepts it", async () => {
    const { stripe, emulator, webhooks } = await start([]);
    const price = await createMonthlyPrice(stripe);
    const session = await stripe.checkout.sessions.create({
      mode: "subscription",
      line_items: [{ price: price.id, quantity: 1 }],
      customer_email: "ada@example.test",
      success_url: "https://portal.example.test/done",
    });
    await submitCheckoutForm(session.url ?? "", { card_number: "4242424242424242" });
    await emulator.webhooksIdle();

    const events = verified(webhooks);
    expect(events.map((event) => event.id).sort()).toEqual(
      emulator
        .events()
        .map((event) => event.id)
        .sort(),
    );
    const completed = events.find((event) => event.type === "checkout.session.completed");
    expect(completed?.data.object).toMatchObject({ id: session.id, status: "complete" });
    expect(await stripe.events.retrieve(completed?.id ?? "")).toMatchObject({
      type: "checkout.session.completed",
      pending_webhooks: 0,
    });
  });

  it("rejects a delivery checked against another secret", async () => {
    const { stripe, emulator, webhooks } = await start([]);
    await stripe.customers.create({ email: "ada@example.test" });
    await emulator.webhooksIdle();
    const [delivery] = webhooks.received;
    expect(() =>
      verifier.webhooks.constructEvent(
        delivery?.body ?? "",
        String(delivery?.headers["stripe-signature"]),
        "whsec_other",
      ),
    ).toThrow(Stripe.errors.StripeSignatureVerificationError);
  });

  it("retries after a 500 and stops once the receiver answers 200", async () => {
    const { stripe, emulator, webhooks } = await start([500]);
    const customer = await stripe.customers.create({ email: "ada@example.test" });
    await emulator.webhooksIdle();
    const events = verified(webhooks);
    expect(events.map((event) => event.type)).toEqual(["customer.created", "customer.created"]);
    expect(events[1]?.id).toBe(events[0]?.id);
    expect(events[1]?.data.object).toMatchObject({ id: customer.id });
    expect(emulator.webhookAttempts().map((attempt) => attempt.status)).toEqual([500, 200]);
  });

  it("gives up after the configured retries and retries network failures", async () => {
    const unreachable = await startReceiver();
    await unreachable.close();
    env = await startWithClient({ webhookUrl: unreachable.url, webhookSecret: SECRET, retryDelaysMs: [5, 5] });
    await env.stripe.customers.create({ email: "ada@example.test" });
    await env.emulator.webhooksIdle();
    expect(env.emulator.webhookAttempts().map((attempt) => [attempt.attempt, attempt.status])).toEqual([
      [1, null],
      [2, null],
      [3, null],
    ]);
  });

  it("delivers each event twice in duplicate mode", async () => {
    const { stripe, emulator, webhooks } = await start([], { duplicateDeliveries: true });
    await stripe.customers.create({ email: "ada@example.test" });
    await emulator.webhooksIdle();
    const events = verified(webhooks);
    expect(events).toHaveLength(2);
    expect(new Set(events.map((event) => event.id)).size).toBe(1);
  });

  it("delivers a held batch out of order", async () => {
    const { stripe, emulator, webhooks } = await start([]);
    emulator.holdWebhooks();
    const customer = await stripe.customers.create({ email: "ada@example.test" });
    await stripe.customers.update(customer.id, { name: "Ada Lovelace" });
    await emulator.webhooksIdle();
    expect(webhooks.received).toHaveLength(0);
    emulator.releaseWebhooks("reverse");
    await emulator.webhooksIdle();
    expect(verified(webhooks).map((event) => event.type)).toEqual(["customer.updated", "customer.created"]);
  });
});
