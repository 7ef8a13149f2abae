import type Stripe from "stripe";
import { newSubscription, recordPaidInvoiceEvents, storePaidInvoice } from "./billing";
import type { EmulatorContext } from "./context";
import { sessionView } from "./resources/checkout-sessions";
import { createCustomer } from "./resources/customers";

/**
 * What happens when the buyer pays on the hosted page: the customer (created if the session had
 * none), the subscription, its first invoice, and the events Stripe sends for each.
 */
export function completeCheckout(context: EmulatorContext, sessionId: string, email: string | null): Stripe.Checkout.Session {
  const session = context.store.checkoutSessions.require(sessionId);
  const customer =
    typeof session.customer === "string"
      ? context.store.customers.require(session.customer)
      : createCustomer(context, { email: email ?? session.customer_email ?? undefined }, null);
  const [firstLine, ...otherLines] = (session.line_items?.data ?? []).flatMap((item) =>
    item.price ? [{ price: item.price, quantity: item.quantity ?? 1 }] : [],
  );
  if (!firstLine) throw new Error(`Checkout Session ${session.id} has no line items`);
  const pending = context.store.checkoutSubscriptionData.get(session.id) ?? { trialEnd: null, metadata: {} };
  const subscription = newSubscription(
    { customer: customer.id, lines: [firstLine, ...otherLines], trialEnd: pending.trialEnd, metadata: pending.metadata },
    context.now(),
  );
  const invoice = storePaidInvoice(context, subscription, customer, "subscription_create");
  context.store.subscriptions.put({ ...subscription, latest_invoice: invoice.id });
  context.store.checkoutSubscriptionData.delete(session.id);
  context.recordEvent("customer.subscription.created", context.store.subscriptions.require(subscription.id), null);
  recordPaidInvoiceEvents(context, invoice);

  const completed = context.store.checkoutSessions.put({
    ...session,
    status: "complete",
    // Stripe reports a session with nothing to charge today (a trial) as `no_payment_required`.
    payment_status: invoice.amount_paid > 0 ? "paid" : "no_payment_required",
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
