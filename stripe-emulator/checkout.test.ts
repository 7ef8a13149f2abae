import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { submitCheckoutForm } from "./hosted-forms";
import { createMonthlyPrice, withEmulatorPerTest } from "../test/support/stripe-emulator";
import type { EmulatorUnderTest } from "../test/support/stripe-emulator";

const SUCCESS_URL = "https://portal.example.test/billing/success?session_id={CHECKOUT_SESSION_ID}";
const CANCEL_URL = "https://portal.example.test/pricing?from=<checkout>";

let env: EmulatorUnderTest;
let price: Stripe.Price;
withEmulatorPerTest(async (started) => {
  env = started;
  price = await createMonthlyPrice(env.stripe, 1500, "pro_monthly");
});

function createSession(extra: Partial<Stripe.Checkout.SessionCreateParams> = {}) {
  return env.stripe.checkout.sessions.create({
    mode: "subscription",
    line_items: [{ price: price.id, quantity: 2 }],
    customer_email: "ada@example.test",
    client_reference_id: "account_42",
    success_url: SUCCESS_URL,
    cancel_url: CANCEL_URL,
    metadata: { plan: "pro" },
    ...extra,
  });
}

describe("hosted Checkout", () => {
  it("shows the line items, total, card field, Pay button and an escaped cancel link", async () => {
    const session = await createSession();
    expect(session.url).toBe(`${env.emulator.url}/c/pay/${session.id}`);
    const page = await fetch(session.url ?? "");
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain("Pro plan");
    expect(html).toContain("$30.00");
    expect(html).toMatch(/<label for="card_number">Card number<\/label>/);
    expect(html).toContain('<button type="submit">Pay</button>');
    expect(html).toContain('href="https://portal.example.test/pricing?from=&lt;checkout&gt;"');
    expect(html).not.toContain("<script");
  });

  it("pays with 4242, redirects to success_url and completes the session with an active subscription", async () => {
    const session = await createSession();
    const response = await submitCheckoutForm(session.url ?? "", { card_number: "4242 4242 4242 4242" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(
      `https://portal.example.test/billing/success?session_id=${session.id}`,
    );

    const paid = await env.stripe.checkout.sessions.retrieve(session.id, { expand: ["subscription"] });
    expect(paid).toMatchObject({
      status: "complete",
      payment_status: "paid",
      client_reference_id: "account_42",
      metadata: { plan: "pro" },
    });
    const subscription = paid.subscription as Stripe.Subscription;
    expect(subscription).toMatchObject({ object: "subscription", status: "active", customer: paid.customer });
    expect(subscription.items.data).toHaveLength(1);
    const [item] = subscription.items.data;
    expect(item).toMatchObject({ quantity: 2, price: { id: price.id } });
    expect(item?.current_period_end).toBeGreaterThan(item?.current_period_start ?? Infinity);

    const customer = await env.stripe.customers.retrieve(String(paid.customer));
    expect(customer).toMatchObject({ email: "ada@example.test" });
    const invoice = await env.stripe.invoices.retrieve(String(subscription.latest_invoice));
    expect(invoice).toMatchObject({ status: "paid", amount_paid: 3000, billing_reason: "subscription_create" });

    const types = env.emulator
      .events()
      .map((event) => event.type)
      .reverse();
    expect(types).toEqual(
      expect.arrayContaining([
        "customer.created",
        "customer.subscription.created",
        "invoice.paid",
        "checkout.session.completed",
      ]),
    );
    expect(types.at(-1)).toBe("checkout.session.completed");
  });

  it("starts a trial when subscription_data[trial_end] is given", async () => {
    const trialEnd = Math.floor(Date.now() / 1000) + 14 * 86_400;
    const session = await createSession({ subscription_data: { trial_end: trialEnd } });
    await submitCheckoutForm(session.url ?? "", { card_number: "4242424242424242" });
    const paid = await env.stripe.checkout.sessions.retrieve(session.id, { expand: ["subscription"] });
    expect(paid.status).toBe("complete");
    expect(paid.subscription).toMatchObject({ status: "trialing", trial_end: trialEnd });
    expect((paid.subscription as Stripe.Subscription).items.data[0]?.current_period_end).toBe(trialEnd);
  });

  it.each([
    ["4000 0000 0000 0002", "Your card was declined."],
    ["4000 0000 0000 9995", "Your card has insufficient funds."],
  ])("declines %s with %j and creates nothing", async (cardNumber, message) => {
    const session = await createSession();
    const response = await submitCheckoutForm(session.url ?? "", { card_number: cardNumber });
    expect(response.status).toBe(402);
    expect(await response.text()).toContain(`<p id="card-error" role="alert">${message}</p>`);
    expect(await env.stripe.checkout.sessions.retrieve(session.id)).toMatchObject({
      status: "open",
      payment_status: "unpaid",
      subscription: null,
    });
    expect((await env.stripe.subscriptions.list({ status: "all" })).data).toEqual([]);
    expect((await env.stripe.customers.list()).data).toEqual([]);
  });

  it("declines a card that attaches but fails charges when something is due today", async () => {
    const session = await createSession();
    const response = await submitCheckoutForm(session.url ?? "", { card_number: "4000 0000 0000 0341" });
    expect(response.status).toBe(402);
    expect(await response.text()).toContain("Your card was declined.");
  });

  it.each(["4000 0000 0000 0341", "4000 0000 0000 9995"])(
    "accepts %s for a trial: the card is only saved",
    async (cardNumber) => {
      const session = await createSession({ subscription_data: { trial_period_days: 14 } });
      expect(await (await fetch(session.url ?? "")).text()).toContain("<td>$0.00</td>");
      expect((await submitCheckoutForm(session.url ?? "", { card_number: cardNumber })).status).toBe(303);
      expect(await env.stripe.checkout.sessions.retrieve(session.id)).toMatchObject({
        status: "complete",
        payment_status: "no_payment_required",
      });
    },
  );

  it("saves the card as a PaymentMethod, the customer's and the subscription's default", async () => {
    const session = await createSession();
    await submitCheckoutForm(session.url ?? "", {
      card_number: "5555 5555 5555 4444",
      card_expiry: "04 / 34",
      card_cvc: "123",
    });
    const paid = await env.stripe.checkout.sessions.retrieve(session.id, { expand: ["subscription", "customer"] });
    const customer = paid.customer as Stripe.Customer;
    const paymentMethodId = String(customer.invoice_settings.default_payment_method);
    expect((paid.subscription as Stripe.Subscription).default_payment_method).toBe(paymentMethodId);
    const paymentMethod = await env.stripe.paymentMethods.retrieve(paymentMethodId);
    expect(paymentMethod).toMatchObject({
      type: "card",
      customer: customer.id,
      card: { brand: "mastercard", last4: "4444", exp_month: 4, exp_year: 2034 },
    });
    const listed = await env.stripe.customers.listPaymentMethods(customer.id);
    expect(listed.data.map((method) => method.id)).toEqual([paymentMethodId]);
    expect(await env.stripe.customers.retrievePaymentMethod(customer.id, paymentMethodId)).toMatchObject({
      id: paymentMethodId,
    });
    const types = env.emulator.events().map((event) => event.type);
    expect(types).toEqual(expect.arrayContaining(["payment_method.attached", "customer.updated"]));
  });

  it.each([
    ["13 / 30", "Your card's expiration date is incomplete."],
    ["01 / 20", "Your card's expiration year is in the past."],
  ])("rejects the expiry %j with %j", async (expiry, message) => {
    const session = await createSession();
    const response = await submitCheckoutForm(session.url ?? "", {
      card_number: "4242424242424242",
      card_expiry: expiry,
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(message.replaceAll("'", "&#39;"));
  });

  it("asks for an email when the session has neither customer nor customer_email", async () => {
    const session = await env.stripe.checkout.sessions.create({
      mode: "subscription",
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: SUCCESS_URL,
    });
    expect(await (await fetch(session.url ?? "")).text()).toContain('name="email"');
    const missing = await submitCheckoutForm(session.url ?? "", { card_number: "4242424242424242" });
    expect(missing.status).toBe(400);
    await submitCheckoutForm(session.url ?? "", { card_number: "4242424242424242", email: "grace@example.test" });
    const paid = await env.stripe.checkout.sessions.retrieve(session.id, { expand: ["customer"] });
    expect(paid.customer).toMatchObject({ email: "grace@example.test" });
  });
});

describe("subscriptions", () => {
  async function subscribe(): Promise<Stripe.Subscription> {
    const session = await createSession();
    await submitCheckoutForm(session.url ?? "", { card_number: "4242424242424242" });
    const paid = await env.stripe.checkout.sessions.retrieve(session.id);
    return env.stripe.subscriptions.retrieve(String(paid.subscription));
  }

  it("changes an item's price and quantity and records customer.subscription.updated", async () => {
    const subscription = await subscribe();
    const bigger = await createMonthlyPrice(env.stripe, 4900);
    const updated = await env.stripe.subscriptions.update(subscription.id, {
      items: [{ id: subscription.items.data[0]?.id, price: bigger.id, quantity: 3 }],
      proration_behavior: "none",
    });
    expect(updated.items.data).toHaveLength(1);
    expect(updated.items.data[0]).toMatchObject({ price: { id: bigger.id }, quantity: 3 });
    const [event] = (await env.stripe.events.list({ type: "customer.subscription.updated", limit: 1 })).data;
    expect(event?.data.object).toMatchObject({ id: subscription.id });
    expect(event?.data.previous_attributes).toHaveProperty("items");
  });

  it("schedules cancellation at period end, then cancels immediately", async () => {
    const subscription = await subscribe();
    const scheduled = await env.stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    expect(scheduled).toMatchObject({
      cancel_at_period_end: true,
      cancel_at: subscription.items.data[0]?.current_period_end,
      status: "active",
    });
    const canceled = await env.stripe.subscriptions.cancel(subscription.id);
    expect(canceled.status).toBe("canceled");
    expect((await env.stripe.subscriptions.list()).data).toEqual([]);
    expect((await env.stripe.subscriptions.list({ status: "canceled" })).data.map((s) => s.id)).toEqual([
      subscription.id,
    ]);
    expect(env.emulator.events()[0]?.type).toBe("customer.subscription.deleted");
  });
});
