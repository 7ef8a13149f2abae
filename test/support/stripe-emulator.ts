import { createServer } from "node:http";
import type { IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { afterEach, beforeEach } from "vitest";
import { submitCheckoutForm } from "../../stripe-emulator/hosted-forms";
import { startStripeEmulator } from "../../stripe-emulator";
import type { StripeEmulator, StripeEmulatorOptions } from "../../stripe-emulator";

export const TEST_KEY = "sk_test_emulator";

export interface EmulatorUnderTest {
  emulator: StripeEmulator;
  stripe: Stripe;
}

/** An emulator and an official SDK client pointed at it; no network retries so errors surface at once. */
export async function startWithClient(options: StripeEmulatorOptions = {}): Promise<EmulatorUnderTest> {
  const emulator = await startStripeEmulator(options);
  return { emulator, stripe: clientFor(emulator) };
}

/** A fresh emulator and client for each test, handed to `receive` (which may add fixtures), stopped after it. */
export function withEmulatorPerTest(receive: (env: EmulatorUnderTest) => Promise<void> | void): void {
  let current: EmulatorUnderTest | undefined;
  beforeEach(async () => {
    current = await startWithClient();
    await receive(current);
  });
  afterEach(async () => {
    await current?.emulator.stop();
    current = undefined;
  });
}

export function clientFor(emulator: StripeEmulator, key = TEST_KEY): Stripe {
  return new Stripe(key, { host: "127.0.0.1", port: emulator.port, protocol: "http", maxNetworkRetries: 0 });
}

export interface ReceivedWebhook {
  body: string;
  headers: IncomingHttpHeaders;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  close(): Promise<void>;
}

/** A loopback webhook endpoint that answers with the statuses given, then 200. */
export async function startReceiver(statuses: number[] = []): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const queue = [...statuses];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ body: Buffer.concat(chunks).toString("utf8"), headers: request.headers });
      response.writeHead(queue.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/stripe`,
    received,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

export async function createMonthlyPrice(stripe: Stripe, unitAmount = 1500, lookupKey?: string): Promise<Stripe.Price> {
  const product = await stripe.products.create({ name: "Pro plan" });
  return stripe.prices.create({
    product: product.id,
    currency: "usd",
    unit_amount: unitAmount,
    recurring: { interval: "month" },
    ...(lookupKey ? { lookup_key: lookupKey } : {}),
  });
}

export const DAY_SECONDS = 86_400;

export interface SubscribeOptions {
  cardNumber?: string;
  quantity?: number;
  trialDays?: number;
}

/** A customer subscribes to `price` through hosted Checkout, paying with the card given (4242 by default). */
export async function subscribeThroughCheckout(
  stripe: Stripe,
  price: Stripe.Price,
  options: SubscribeOptions = {},
): Promise<Stripe.Subscription> {
  const session = await stripe.checkout.sessions.create({
    mode: "subscription",
    line_items: [{ price: price.id, quantity: options.quantity ?? 1 }],
    customer_email: "ada@example.test",
    success_url: "https://portal.example.test/done",
    ...(options.trialDays === undefined ? {} : { subscription_data: { trial_period_days: options.trialDays } }),
  });
  const response = await submitCheckoutForm(session.url ?? "", {
    card_number: options.cardNumber ?? "4242424242424242",
  });
  if (response.status !== 303) throw new Error(`Checkout answered ${response.status}: ${await response.text()}`);
  const completed = await stripe.checkout.sessions.retrieve(session.id);
  return stripe.subscriptions.retrieve(String(completed.subscription));
}

/** Event types recorded after `since` (an event id, exclusive), oldest first. */
export function eventTypesSince(emulator: StripeEmulator, since?: string): string[] {
  const events = emulator.events();
  const newer =
    since === undefined
      ? events
      : events.slice(
          0,
          events.findIndex((event) => event.id === since),
        );
  return newer.map((event) => event.type).reverse();
}
