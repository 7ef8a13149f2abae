import type Stripe from "stripe";
import type { EmulatorContext } from "./context";
import { retryOpenInvoices } from "./dunning";
import { previousAttributes } from "./events";
import { attachCard, setDefaultPaymentMethod } from "./payment-methods";
import type { CardDetails } from "./payment-methods";

/**
 * The customer's new card (it attaches; the caller checked) becomes the default for their invoices
 * and subscriptions. Open invoices of past_due or unpaid subscriptions are retried at once: the
 * emulator's stand-in for Stripe retrying automatically when a new payment method arrives.
 */
export function changeDefaultCard(
  context: EmulatorContext,
  customer: Stripe.Customer,
  card: CardDetails,
  request: Stripe.Event.Request | null,
): void {
  const paymentMethod = attachCard(context, customer, card, request);
  setDefaultPaymentMethod(context, customer, paymentMethod.id, request);
  const withOwnCard = context.store.subscriptions
    .oldestFirst()
    .filter(
      (subscription) =>
        subscription.customer === customer.id &&
        subscription.status !== "canceled" &&
        subscription.default_payment_method !== null,
    );
  for (const before of withOwnCard) {
    const subscription = context.store.subscriptions.put({ ...before, default_payment_method: paymentMethod.id });
    context.recordEvent(
      "customer.subscription.updated",
      subscription,
      request,
      previousAttributes(before, subscription),
    );
  }
  retryOpenInvoices(context, customer.id, request);
}
