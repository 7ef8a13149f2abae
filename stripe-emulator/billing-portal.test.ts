import type Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import type { StripeEmulatorOptions } from "./index";
import { submitPortalForm } from "./hosted-forms";
import {
  DAY_SECONDS,
  eventTypesSince,
  startWithClient,
  subscribeThroughCheckout,
} from "../test/support/stripe-emulator";
import type { EmulatorUnderTest } from "../test/support/stripe-emulator";

const RETURN_URL = "https://portal.example.test/account/billing?from=<portal>";

let env: EmulatorUnderTest | undefined;
afterEach(async () => {
  await env?.emulator.stop();
  env = undefined;
});

async function subscribedCustomer(options: StripeEmulatorOptions = {}) {
  env = await startWithClient(options);
  const { stripe, emulator } = env;
  const product = await stripe.products.create({ name: "Pro plan" });
  const price = await stripe.prices.create({
    product: product.id,
    currency: "usd",
    unit_amount: 1500,
    recurring: { interval: "month" },
    nickname: "Pro monthly",
  });
  const subscription = await subscribeThroughCheckout(stripe, price, { quantity: 3 });
  const session = await stripe.billingPortal.sessions.create({
    customer: String(subscription.customer),
    return_url: RETURN_URL,
  });
  return { stripe, emulator, subscription, session, customerId: String(subscription.customer) };
}

function changeCard(session: Stripe.BillingPortal.Session, cardNumber: string): Promise<Response> {
  return submitPortalForm(session.url, {
    action: "update_payment_method",
    card_number: cardNumber,
    card_expiry: "12 / 40",
    card_cvc: "123",
  });
}

async function pageText(session: Stripe.BillingPortal.Session): Promise<string> {
  const response = await fetch(session.url);
  expect(response.status).toBe(200);
  return response.text();
}

describe("Billing Portal sessions", () => {
  it("creates a session whose page shows the customer, plan, card, invoices and the way back", async () => {
    const { session, customerId, subscription } = await subscribedCustomer();
    expect(session).toMatchObject({
      object: "billing_portal.session",
      customer: customerId,
      return_url: RETURN_URL,
      livemode: false,
    });
    expect(session.id).toMatch(/^bps_/);
    expect(session.url).toBe(`${env?.emulator.url}/p/session/${session.id}`);

    const html = await pageText(session);
    expect(html).toContain("Signed in as ada@example.test");
    expect(html).toMatch(/<h3 id="plan-sub_\w+">Pro monthly<\/h3>/);
    expect(html).toContain("<dt>Quantity</dt><dd>3</dd>");
    expect(html).toContain("<dt>Status</dt><dd>Active</dd>");
    const periodEnd = new Date((subscription.items.data[0]?.current_period_end ?? 0) * 1000).toLocaleDateString(
      "en-US",
      { timeZone: "UTC", dateStyle: "long" },
    );
    expect(html).toContain(`<dt>Current period ends</dt><dd>${periodEnd}</dd>`);
    expect(html).toContain('<button type="submit">Cancel plan</button>');
    expect(html).toContain("Visa •••• 4242, expires 12/");
    expect(html).toMatch(/<label for="card_number">Card number<\/label>/);
    expect(html).toMatch(
      /<th scope="row"><a href="http:\/\/[^"]+\/i\/in_\w+">[0-9A-Z]{8}-0001<\/a><\/th><td>[^<]+<\/td><td>\$45\.00<\/td><td>Paid<\/td>/,
    );
    expect(html).toContain(
      '<a href="https://portal.example.test/account/billing?from=&lt;portal&gt;">Return to Example Business</a>',
    );
    expect(html).not.toContain("<script");
  });

  it("refuses an unknown customer", async () => {
    env = await startWithClient();
    await expect(env.stripe.billingPortal.sessions.create({ customer: "cus_missing" })).rejects.toMatchObject({
      statusCode: 404,
      param: "customer",
    });
  });

  it("cancels at period end and renews again, each through a form that redirects back to the page", async () => {
    const { stripe, emulator, session, subscription } = await subscribedCustomer();
    const lastEvent = emulator.events()[0]?.id;
    const cancel = await submitPortalForm(session.url, { action: "cancel", subscription: subscription.id });
    expect(cancel.status).toBe(303);
    expect(cancel.headers.get("location")).toBe(`/p/session/${session.id}`);
    expect(await stripe.subscriptions.retrieve(subscription.id)).toMatchObject({
      cancel_at_period_end: true,
      status: "active",
    });
    const periodEnd = new Date((subscription.items.data[0]?.current_period_end ?? 0) * 1000).toLocaleDateString(
      "en-US",
      { timeZone: "UTC", dateStyle: "long" },
    );
    const html = await pageText(session);
    expect(html).toContain(`Your plan will be canceled on ${periodEnd}.`);
    expect(html).toContain('<button type="submit">Renew plan</button>');

    expect((await submitPortalForm(session.url, { action: "renew", subscription: subscription.id })).status).toBe(303);
    expect(await stripe.subscriptions.retrieve(subscription.id)).toMatchObject({
      cancel_at_period_end: false,
      cancel_at: null,
    });
    expect(eventTypesSince(emulator, lastEvent)).toEqual([
      "customer.subscription.updated",
      "customer.subscription.updated",
    ]);
  });

  it("shows Stripe's message for a card declined when saved, and changes nothing", async () => {
    const { stripe, emulator, session, customerId } = await subscribedCustomer();
    const lastEvent = emulator.events()[0]?.id;
    const response = await changeCard(session, "4000 0000 0000 0002");
    expect(response.status).toBe(402);
    expect(await response.text()).toContain('<p id="card-error" role="alert">Your card was declined.</p>');
    expect((await stripe.customers.listPaymentMethods(customerId)).data).toHaveLength(1);
    expect(eventTypesSince(emulator, lastEvent)).toEqual([]);
  });

  it("asks for the expiry and CVC of a new card", async () => {
    const { session } = await subscribedCustomer();
    const response = await submitPortalForm(session.url, {
      action: "update_payment_method",
      card_number: "4242424242424242",
      card_expiry: "12 / 40",
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Your card&#39;s security code is incomplete.");
  });
});

describe("a failing renewal, recovered through the portal", () => {
  it("card changed to 0341 → renewal fails → past_due → retries → unpaid → card changed to 4242 → paid → active", async () => {
    const { stripe, emulator, session, subscription, customerId } = await subscribedCustomer();
    let lastEvent = emulator.events()[0]?.id;
    expect((await changeCard(session, "4000 0000 0000 0341")).status).toBe(303);
    expect(eventTypesSince(emulator, lastEvent)).toEqual([
      "payment_method.attached",
      "customer.updated",
      "customer.subscription.updated",
    ]);
    const customer = await stripe.customers.retrieve(customerId);
    const failingCard = String((customer as Stripe.Customer).invoice_settings.default_payment_method);
    expect(await stripe.paymentMethods.retrieve(failingCard)).toMatchObject({
      card: { last4: "0341", exp_month: 12, exp_year: 2040 },
    });
    expect(await stripe.subscriptions.retrieve(subscription.id)).toMatchObject({ default_payment_method: failingCard });
    expect(await pageText(session)).toContain("Visa •••• 0341, expires 12/2040");

    const periodEnd = subscription.items.data[0]?.current_period_end ?? NaN;
    await emulator.advanceTime(periodEnd - emulator.now() + 60);
    const pastDue = await stripe.subscriptions.retrieve(subscription.id);
    expect(pastDue.status).toBe("past_due");
    const invoiceId = String(pastDue.latest_invoice);
    await emulator.advanceTime(7 * DAY_SECONDS);
    expect(await stripe.subscriptions.retrieve(subscription.id)).toMatchObject({ status: "unpaid" });
    expect(await stripe.invoices.retrieve(invoiceId)).toMatchObject({ status: "open", attempt_count: 4 });
    expect(await pageText(session)).toContain("<dt>Status</dt><dd>Unpaid</dd>");

    lastEvent = emulator.events()[0]?.id;
    expect((await changeCard(session, "4242 4242 4242 4242")).status).toBe(303);
    expect(await stripe.invoices.retrieve(invoiceId)).toMatchObject({
      status: "paid",
      amount_paid: 4500,
      attempt_count: 5,
    });
    expect(await stripe.subscriptions.retrieve(subscription.id)).toMatchObject({ status: "active" });
    expect(eventTypesSince(emulator, lastEvent)).toEqual([
      "payment_method.attached",
      "customer.updated",
      "customer.subscription.updated",
      "invoice.paid",
      "invoice.payment_succeeded",
      "customer.subscription.updated",
    ]);
    expect(emulator.events()[0]?.data.previous_attributes).toEqual({ status: "unpaid" });
    expect(await pageText(session)).toMatch(/<td>\$45\.00<\/td><td>Paid<\/td><\/tr><tr>/);
  });

  it("with the canceled policy the subscription ends after the last retry; a new card then retries nothing", async () => {
    const { stripe, emulator, session, subscription } = await subscribedCustomer({
      dunning: { finalStatus: "canceled" },
    });
    await changeCard(session, "4000 0000 0000 9995");
    const periodEnd = subscription.items.data[0]?.current_period_end ?? NaN;
    await emulator.advanceTime(periodEnd - emulator.now() + 8 * DAY_SECONDS);
    const canceled = await stripe.subscriptions.retrieve(subscription.id);
    expect(canceled).toMatchObject({ status: "canceled", cancellation_details: { reason: "payment_failed" } });
    expect(await pageText(session)).toContain("No current plan.");

    await changeCard(session, "4242 4242 4242 4242");
    expect(await stripe.invoices.retrieve(String(canceled.latest_invoice))).toMatchObject({
      status: "open",
      attempt_count: 4,
    });
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe("canceled");
  });
});
