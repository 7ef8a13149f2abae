import type Stripe from "stripe";
import type { EmulatorContext } from "./context";
import { StripeApiError } from "./errors";
import { ID_PREFIX, newId } from "./ids";
import { pendingLines } from "./invoice-lines";
import { buildInvoice } from "./invoicing";
import { currentPeriod } from "./billing";
import { nextPeriodSubscription, renewalInvoiceDraft } from "./renewals";
import { planItemsChange } from "./subscription-updates";
import type { ItemsChange } from "./subscription-updates";

/**
 * `invoices.createPreview` for a subscription, with or without a change: the invoice the change
 * would issue now (`always_invoice`, or a restarted billing cycle), else the next renewal's
 * invoice with the change's prorations. Built by the same code as the real ones, never stored.
 */
export function previewSubscriptionInvoice(
  context: EmulatorContext,
  subscription: Stripe.Subscription,
  change: ItemsChange,
): Stripe.Invoice {
  const invoice = previewInvoice(context, subscription, change);
  if (change.items.length === 0 || !invoice.parent?.subscription_details) return invoice;
  // As Stripe does, the preview tells the time its prorations used, so the update can pass it on.
  const prorationDate = change.prorationDate ?? context.now();
  return {
    ...invoice,
    parent: {
      ...invoice.parent,
      subscription_details: { ...invoice.parent.subscription_details, subscription_proration_date: prorationDate },
    },
  };
}

function previewInvoice(
  context: EmulatorContext,
  subscription: Stripe.Subscription,
  change: ItemsChange,
): Stripe.Invoice {
  const plan = planItemsChange(context, subscription, change, (name) =>
    name.replace(/^[^[]+/, (head) => `subscription_details[${head}]`),
  );
  const id = newId(ID_PREFIX.previewInvoice);
  const waiting = pendingLines(context, subscription.id);
  const now = context.now();
  if (plan.invoiceNow.length > 0) {
    return buildInvoice(
      context,
      id,
      {
        subscription: plan.subscription,
        billingReason: "subscription_update",
        lines: [...waiting, ...plan.invoiceNow],
        period: { start: now, end: now },
      },
      now,
    );
  }
  if (subscription.status === "canceled" || subscription.cancel_at_period_end) {
    throw new StripeApiError(
      404,
      "invalid_request_error",
      `No upcoming invoices for customer: ${String(subscription.customer)}`,
      "invoice_upcoming_none",
    );
  }
  const renewsAt = currentPeriod(plan.subscription).end;
  const renewed = nextPeriodSubscription(context, plan.subscription, renewsAt);
  return buildInvoice(
    context,
    id,
    renewalInvoiceDraft(context, plan.subscription, renewed, [...waiting, ...plan.pending]),
    renewsAt,
  );
}
