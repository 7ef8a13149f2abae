import type Stripe from "stripe";
import type { EmulatorContext } from "./context";
import { cardError, StripeApiError } from "./errors";
import { chargeablePaymentMethod, chargeOutcome } from "./payment-methods";
import type { CardDecline } from "./test-cards";

/** A charge that did not happen: the card declined, or there was no card to charge. */
export type PaymentFailure = CardDecline | { kind: "no_payment_method" };
export type PaymentOutcome = { kind: "succeeded" } | PaymentFailure;

/** What charging `amount` to the customer now would do. Nothing to pay always succeeds. */
export function paymentOutcome(
  context: EmulatorContext,
  customerId: string,
  subscription: Stripe.Subscription | null,
  amount: number,
): PaymentOutcome {
  if (amount <= 0) return { kind: "succeeded" };
  const paymentMethod = chargeablePaymentMethod(context, customerId, subscription);
  return paymentMethod ? chargeOutcome(paymentMethod) : { kind: "no_payment_method" };
}

/** Records a successful payment: `invoice.paid` and `invoice.payment_succeeded`. */
export function markInvoicePaid(
  context: EmulatorContext,
  invoice: Stripe.Invoice,
  request: Stripe.Event.Request | null,
): Stripe.Invoice {
  const now = context.now();
  const charged = invoice.amount_due > 0;
  const paid = context.store.invoices.put({
    ...invoice,
    status: "paid",
    amount_paid: invoice.amount_due,
    amount_remaining: 0,
    attempted: invoice.attempted || charged,
    attempt_count: invoice.attempt_count + (charged ? 1 : 0),
    next_payment_attempt: null,
    status_transitions: { ...invoice.status_transitions, paid_at: now },
  });
  context.recordEvent("invoice.paid", paid, request);
  context.recordEvent("invoice.payment_succeeded", paid, request);
  return paid;
}

/** Records a failed attempt (`invoice.payment_failed`); the invoice stays open. */
export function markPaymentFailed(
  context: EmulatorContext,
  invoice: Stripe.Invoice,
  nextPaymentAttempt: number | null,
  request: Stripe.Event.Request | null,
): Stripe.Invoice {
  const failed = context.store.invoices.put({
    ...invoice,
    attempted: true,
    attempt_count: invoice.attempt_count + 1,
    next_payment_attempt: nextPaymentAttempt,
  });
  context.recordEvent("invoice.payment_failed", failed, request);
  return failed;
}

/** The API error for a charge a request made that failed: 402 `card_error`, or 400 without a card. */
export function paymentFailureError(failure: PaymentFailure): StripeApiError {
  if (failure.kind === "declined") return cardError(failure);
  return new StripeApiError(
    400,
    "invalid_request_error",
    "This customer has no attached payment source or default payment method.",
  );
}
