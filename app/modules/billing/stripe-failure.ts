import Stripe from "stripe";

/** What the customer reads, and what staff find in the audit log, when Stripe refused or failed a call. */
export type StripeFailure = {
  message: string;
  details: { type: string; code: string | null; param: string | null; requestId: string | null };
};

/**
 * Turns any error the Stripe SDK throws into a sentence for the page (the customer's choice is
 * kept by the caller), so that opening Checkout or changing a plan never answers 500 because of
 * Stripe. Card errors carry Stripe's own customer-facing message; others are not shown verbatim
 * (they are written for developers). `doing` completes "We could not …", e.g. "open the payment page".
 * Throws `error` again when it is not a Stripe error: those are the portal's own bugs.
 */
export function stripeFailure(error: unknown, doing: string): StripeFailure {
  if (!(error instanceof Stripe.errors.StripeError)) throw error;
  const details = {
    type: error.rawType ?? error.type,
    code: error.code ?? null,
    param: error.param ?? null,
    requestId: error.requestId ?? null,
  };
  return { message: messageFor(error, doing), details };
}

function messageFor(error: Stripe.errors.StripeError, doing: string): string {
  if (error instanceof Stripe.errors.StripeCardError)
    return `${error.message} Nothing was changed. Update your card, then try again.`;
  if (error.code === "resource_missing")
    return `We could not ${doing}: our payment provider no longer knows a record we keep for your organisation. Nothing was charged. Contact us and we will put it right.`;
  if (
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeAPIError ||
    error instanceof Stripe.errors.StripeRateLimitError
  )
    return `We could not ${doing}: our payment provider did not answer. Try again in a few minutes; you will not be charged twice.`;
  return `We could not ${doing}: our payment provider refused the request. Nothing was charged. Try again, or contact us if it keeps happening.`;
}
