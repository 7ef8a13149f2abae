import type Stripe from "stripe";
import { currentPeriod, recurringOf, sameInterval } from "./billing";
import { cancelSubscriptionNow } from "./cancellation";
import type { EmulatorContext } from "./context";
import { collectInvoice } from "./dunning";
import { previousAttributes } from "./events";
import { pendingLines, periodLines } from "./invoice-lines";
import type { LineSpec } from "./invoice-lines";
import { issueInvoice } from "./invoicing";
import type { InvoiceDraft } from "./invoicing";
import { nextPeriodBoundary } from "./periods";
import { enterPhase, itemsForPhase, phaseStartingAt } from "./schedules";
import type { DueWork } from "./time-travel";

const RENEWING: ReadonlySet<Stripe.Subscription.Status> = new Set(["trialing", "active", "past_due", "unpaid"]);

/** Subscriptions reaching the end of their current period, or of their trial. */
export function periodEndWork(context: EmulatorContext): DueWork[] {
  return context.store.subscriptions
    .oldestFirst()
    .filter((subscription) => RENEWING.has(subscription.status))
    .map((subscription) => ({
      key: `period_end:${subscription.id}`,
      at: currentPeriod(subscription).end,
      run: () => endPeriod(context, subscription.id),
    }));
}

/**
 * The subscription as it will be in the period starting at `at`: the items of a schedule phase
 * starting then, the next period's dates, the trial over. Changes nothing, so previews use it too.
 */
export function nextPeriodSubscription(
  context: EmulatorContext,
  subscription: Stripe.Subscription,
  at: number,
): Stripe.Subscription {
  const phase = phaseStartingAt(context, subscription, at);
  const items = phase ? itemsForPhase(context, subscription, phase, at) : subscription.items.data;
  const [current] = subscription.items.data;
  const [next] = items;
  if (!current || !next) throw new Error(`Subscription ${subscription.id} has no items`);
  // A phase with another interval starts a new billing cycle, as Stripe's `phase_start` anchor does.
  const anchor = sameInterval(current.price, next.price) ? subscription.billing_cycle_anchor : at;
  const end = nextPeriodBoundary(anchor, at, recurringOf(next.price));
  return {
    ...subscription,
    billing_cycle_anchor: anchor,
    status: subscription.status === "trialing" ? "active" : subscription.status,
    items: {
      ...subscription.items,
      data: items.map((item) => ({ ...item, current_period_start: at, current_period_end: end })),
    },
  };
}

/** A renewal's invoice: the prorations waiting for it, then every item for the new period. */
export function renewalInvoiceDraft(
  context: EmulatorContext,
  before: Stripe.Subscription,
  renewed: Stripe.Subscription,
  pending: readonly LineSpec[],
): InvoiceDraft {
  return {
    subscription: renewed,
    billingReason: "subscription_cycle",
    lines: [...pending, ...periodLines(context, renewed.items.data, false)],
    period: currentPeriod(before),
  };
}

/** Cancels at period end if asked to; otherwise starts the next period, invoices it and charges the card. */
function endPeriod(context: EmulatorContext, subscriptionId: string): void {
  const before = context.store.subscriptions.require(subscriptionId);
  if (before.cancel_at_period_end) {
    cancelSubscriptionNow(context, before, "cancellation_requested", null);
    return;
  }
  const now = context.now();
  const renewed = { ...nextPeriodSubscription(context, before, now), schedule: enterPhase(context, before, now) };
  // Simplification: an unpaid subscription keeps its billing cycle but is not invoiced again.
  const invoice =
    renewed.status === "unpaid"
      ? null
      : issueInvoice(context, renewalInvoiceDraft(context, before, renewed, pendingLines(context, before.id)), null);
  const subscription = context.store.subscriptions.put({
    ...renewed,
    latest_invoice: invoice?.id ?? renewed.latest_invoice,
  });
  context.recordEvent("customer.subscription.updated", subscription, null, previousAttributes(before, subscription));
  if (invoice) collectInvoice(context, invoice.id, "first", null);
}
