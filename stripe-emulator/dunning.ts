import type Stripe from "stripe";
import { cancelSubscriptionNow } from "./cancellation";
import type { EmulatorContext } from "./context";
import { previousAttributes } from "./events";
import { markInvoicePaid, markPaymentFailed, paymentOutcome } from "./payments";
import type { PaymentOutcome } from "./payments";
import type { DueWork } from "./time-travel";

/**
 * `first`: the automatic attempt when an invoice is issued, which starts the retry schedule;
 * `retry`: a scheduled retry; `manual`: `invoices.pay` or a new card, which leave the schedule alone.
 */
export type AttemptKind = "first" | "retry" | "manual";

const DAY_SECONDS = 86_400;

/**
 * Tries to collect an open invoice and moves its subscription along: paid, a past_due or unpaid
 * subscription is active again once nothing else is owed; failed, it becomes past_due and follows
 * the retry schedule, ending in the dunning policy's final status.
 */
export function collectInvoice(
  context: EmulatorContext,
  invoiceId: string,
  attempt: AttemptKind,
  request: Stripe.Event.Request | null,
): PaymentOutcome {
  const invoice = context.store.invoices.require(invoiceId);
  const subscription = subscriptionOf(context, invoice);
  const outcome = paymentOutcome(context, String(invoice.customer), subscription ?? null, invoice.amount_due);
  if (outcome.kind === "succeeded") {
    markInvoicePaid(context, invoice, request);
    context.store.paymentRetries.delete(invoice.id);
    if (subscription) reactivateIfNothingOwed(context, subscription.id, request);
    return outcome;
  }
  const retry = nextRetry(context, invoice, attempt);
  markPaymentFailed(context, invoice, retry.at, request);
  if (subscription) degradeAfterFailure(context, subscription.id, retry.exhausted, request);
  return outcome;
}

/** Stands in for Stripe retrying automatically with a new card: every open invoice of a past_due or unpaid subscription. */
export function retryOpenInvoices(
  context: EmulatorContext,
  customerId: string,
  request: Stripe.Event.Request | null,
): void {
  const owing = context.store.subscriptions
    .oldestFirst()
    .filter(
      (subscription) =>
        subscription.customer === customerId &&
        (subscription.status === "past_due" || subscription.status === "unpaid"),
    );
  for (const subscription of owing) {
    for (const invoice of openInvoices(context, subscription.id))
      collectInvoice(context, invoice.id, "manual", request);
  }
}

/** Scheduled retries of invoices whose subscription still runs. */
export function paymentRetryWork(context: EmulatorContext): DueWork[] {
  return context.store.invoices.oldestFirst().flatMap((invoice) => {
    const at = invoice.next_payment_attempt;
    if (invoice.status !== "open" || at === null || !context.store.paymentRetries.has(invoice.id)) return [];
    if (subscriptionOf(context, invoice)?.status === "canceled") return [];
    return [{ key: `payment_retry:${invoice.id}`, at, run: () => collectInvoice(context, invoice.id, "retry", null) }];
  });
}

function nextRetry(
  context: EmulatorContext,
  invoice: Stripe.Invoice,
  attempt: AttemptKind,
): { at: number | null; exhausted: boolean } {
  if (attempt === "manual") return { at: invoice.next_payment_attempt, exhausted: false };
  const previous = context.store.paymentRetries.get(invoice.id);
  const state =
    attempt === "retry" && previous
      ? { ...previous, retriesMade: previous.retriesMade + 1 }
      : { firstFailureAt: context.now(), retriesMade: 0 };
  const retryDay = context.dunning.retryDays[state.retriesMade];
  if (retryDay === undefined) {
    context.store.paymentRetries.delete(invoice.id);
    return { at: null, exhausted: true };
  }
  context.store.paymentRetries.set(invoice.id, state);
  return { at: state.firstFailureAt + retryDay * DAY_SECONDS, exhausted: false };
}

function degradeAfterFailure(
  context: EmulatorContext,
  subscriptionId: string,
  exhausted: boolean,
  request: Stripe.Event.Request | null,
): void {
  const subscription = context.store.subscriptions.require(subscriptionId);
  if (subscription.status === "canceled") return;
  if (!exhausted) {
    if (subscription.status === "active" || subscription.status === "trialing")
      setStatus(context, subscription, "past_due", request);
    return;
  }
  if (context.dunning.finalStatus === "canceled")
    cancelSubscriptionNow(context, subscription, "payment_failed", request);
  else setStatus(context, subscription, "unpaid", request);
}

function reactivateIfNothingOwed(
  context: EmulatorContext,
  subscriptionId: string,
  request: Stripe.Event.Request | null,
): void {
  const subscription = context.store.subscriptions.require(subscriptionId);
  const owing = subscription.status === "past_due" || subscription.status === "unpaid";
  if (owing && openInvoices(context, subscription.id).length === 0) setStatus(context, subscription, "active", request);
}

function setStatus(
  context: EmulatorContext,
  before: Stripe.Subscription,
  status: Stripe.Subscription.Status,
  request: Stripe.Event.Request | null,
): void {
  if (before.status === status) return;
  const subscription = context.store.subscriptions.put({ ...before, status });
  context.recordEvent("customer.subscription.updated", subscription, request, previousAttributes(before, subscription));
}

function openInvoices(context: EmulatorContext, subscriptionId: string): Stripe.Invoice[] {
  return context.store.invoices
    .oldestFirst()
    .filter(
      (invoice) => invoice.status === "open" && invoice.parent?.subscription_details?.subscription === subscriptionId,
    );
}

function subscriptionOf(context: EmulatorContext, invoice: Stripe.Invoice): Stripe.Subscription | undefined {
  const id = invoice.parent?.subscription_details?.subscription;
  return id === undefined ? undefined : context.store.subscriptions.get(typeof id === "string" ? id : id.id);
}
