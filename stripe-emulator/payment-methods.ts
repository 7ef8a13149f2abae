import type Stripe from "stripe";
import type { EmulatorContext } from "./context";
import { previousAttributes } from "./events";
import { ID_PREFIX, newId } from "./ids";
import { cardFingerprint, testCardByFingerprint } from "./test-cards";
import type { CardOutcome, TestCard } from "./test-cards";

/** A card as typed on a hosted page: which test card, and its expiry. */
export interface CardDetails {
  card: TestCard;
  expMonth: number;
  expYear: number;
}

const DISPLAY_BRANDS: Record<TestCard["brand"], string> = {
  visa: "visa",
  mastercard: "mastercard",
  amex: "american_express",
};

/** Stores the card as a PaymentMethod attached to the customer. The caller has checked it attaches. */
export function attachCard(
  context: EmulatorContext,
  customer: Stripe.Customer,
  details: CardDetails,
  request: Stripe.Event.Request | null,
): Stripe.PaymentMethod {
  const { card } = details;
  const paymentMethod = context.store.paymentMethods.put({
    id: newId(ID_PREFIX.paymentMethod),
    object: "payment_method",
    allow_redisplay: "always",
    billing_details: { address: null, email: customer.email, name: customer.name ?? null, phone: null, tax_id: null },
    card: {
      brand: card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: "pass" },
      country: "US",
      display_brand: DISPLAY_BRANDS[card.brand],
      exp_month: details.expMonth,
      exp_year: details.expYear,
      fingerprint: cardFingerprint(card.number),
      funding: "credit",
      generated_from: null,
      last4: card.number.slice(-4),
      networks: { available: [card.brand], preferred: null },
      regulated_status: "unregulated",
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: context.now(),
    customer: customer.id,
    customer_account: null,
    livemode: false,
    metadata: {},
    type: "card",
  });
  context.recordEvent("payment_method.attached", paymentMethod, request);
  return paymentMethod;
}

/** Makes the payment method the one the customer's invoices are charged to. */
export function setDefaultPaymentMethod(
  context: EmulatorContext,
  customer: Stripe.Customer,
  paymentMethodId: string,
  request: Stripe.Event.Request | null,
): Stripe.Customer {
  const updated = context.store.customers.put({
    ...customer,
    invoice_settings: { ...customer.invoice_settings, default_payment_method: paymentMethodId },
  });
  context.recordEvent("customer.updated", updated, request, previousAttributes(customer, updated));
  return updated;
}

/** Stripe's order: the subscription's default payment method, else the customer's invoice default. */
export function chargeablePaymentMethod(
  context: EmulatorContext,
  customerId: string,
  subscription: Stripe.Subscription | null,
): Stripe.PaymentMethod | null {
  const customer = context.store.customers.require(customerId);
  const id =
    idOf(subscription?.default_payment_method ?? null) ?? idOf(customer.invoice_settings.default_payment_method);
  return id === null ? null : (context.store.paymentMethods.get(id) ?? null);
}

/** What charging a saved card does now. */
export function chargeOutcome(paymentMethod: Stripe.PaymentMethod): CardOutcome {
  const card = testCardByFingerprint(paymentMethod.card?.fingerprint);
  if (!card) throw new Error(`Payment method ${paymentMethod.id} is not a saved test card`);
  return card.charge;
}

function idOf(value: string | { id: string } | null): string | null {
  return typeof value === "string" || value === null ? value : value.id;
}
