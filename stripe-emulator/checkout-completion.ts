import type Stripe from "stripe";
import { newSubscription } from "./billing";
import { sessionView } from "./checkout-session-view";
import type { EmulatorContext } from "./context";
import { collectInvoice } from "./dunning";
import { periodLines } from "./invoice-lines";
import { issueInvoice } from "./invoicing";
import { attachCard, setDefaultPaymentMethod } from "./payment-methods";
import type { CardDetails } from "./payment-methods";
import { createCustomer } from "./resources/customers";

/**
 * What happens when the buyer pays on the hosted page: the customer (created if the session had
 * none) with the card saved as its default, the subscription, its first invoice paid with that
 * card, and the events Stripe sends for each. The caller has checked that the card goes through.
 */
export function completeCheckout(
  context: EmulatorContext,
  sessionId: string,
  email: string | null,
  card: CardDetails,
): Stripe.Checkout.Session {
  const session = context.store.checkoutSessions.require(sessionId);
  const newCustomer =
    typeof session.customer === "string"
      ? context.store.customers.require(session.customer)
      : createCustomer(context, { email: email ?? session.customer_email ?? undefined }, null);
  const paymentMethod = attachCard(context, newCustomer, card, null);
  const customer = setDefaultPaymentMethod(context, newCustomer, paymentMethod.id, null);
  const [firstLine, ...otherLines] = (session.line_items?.data ?? []).flatMap((item) =>
    item.price ? [{ price: item.price, quantity: item.quantity ?? 1 }] : [],
  );
  if (!firstLine) throw new Error(`Checkout Session ${session.id} has no line items`);
  const pending = context.store.checkoutSubscriptionData.get(session.id) ?? { trialEnd: null, metadata: {} };
  const now = context.now();
  const subscription = newSubscription(
    {
      customer: customer.id,
      lines: [firstLine, ...otherLines],
      trialEnd: pending.trialEnd,
      metadata: pending.metadata,
      defaultPaymentMethod: paymentMethod.id,
    },
    now,
  );
  const invoice = issueInvoice(
    context,
    {
      subscription,
      billingReason: "subscription_create",
      lines: periodLines(context, subscription.items.data, subscription.status === "trialing"),
      // A subscription's first invoice covers no past usage, so Stripe gives it an empty period.
      period: { start: now, end: now },
    },
    null,
  );
  context.store.subscriptions.put({ ...subscription, latest_invoice: invoice.id });
  context.store.checkoutSubscriptionData.delete(session.id);
  context.recordEvent("customer.subscription.created", context.store.subscriptions.require(subscription.id), null);
  collectInvoice(context, invoice.id, "first", null);

  const completed = context.store.checkoutSessions.put({
    ...session,
    status: "complete",
    // Stripe reports a session with nothing to charge today (a trial) as `no_payment_required`.
    payment_status: invoice.amount_due > 0 ? "paid" : "no_payment_required",
    customer: customer.id,
    customer_details: {
      address: null,
      business_name: null,
      email: customer.email,
      individual_name: null,
      name: customer.name ?? null,
      phone: customer.phone ?? null,
      tax_exempt: "none",
      tax_ids: [],
    },
    invoice: invoice.id,
    subscription: subscription.id,
  });
  context.recordEvent("checkout.session.completed", sessionView(completed, []), null);
  return completed;
}
