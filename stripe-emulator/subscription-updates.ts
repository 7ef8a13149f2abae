import type Stripe from "stripe";
import type { z } from "zod";
import { currentPeriod, newSubscriptionItem, planFromPrice, recurringOf, sameInterval } from "./billing";
import type { EmulatorContext } from "./context";
import { collectInvoice } from "./dunning";
import { invalidRequest, notImplemented } from "./errors";
import { previousAttributes } from "./events";
import { amountDue, pendingLines, periodLines, storePendingItem } from "./invoice-lines";
import type { LineSpec } from "./invoice-lines";
import { issueInvoice } from "./invoicing";
import { mergeMetadata } from "./params";
import type { formMetadata } from "./params";
import { paymentFailureError, paymentOutcome } from "./payments";
import { periodEnd } from "./periods";
import { prorationLines, unusedTimeLines } from "./prorations";

/** One `items[n]` entry: `id` changes or (`deleted`) removes that item; no `id` adds one. */
export interface ItemChange {
  id?: string | undefined;
  price?: string | undefined;
  quantity?: number | undefined;
  deleted?: boolean | undefined;
}

export type ProrationBehavior = "create_prorations" | "always_invoice" | "none";

/** A change of items, as an update makes it and a preview imagines it. */
export interface ItemsChange {
  items: readonly ItemChange[];
  prorationBehavior?: ProrationBehavior | undefined;
  prorationDate?: number | undefined;
  billingCycleAnchor?: "now" | "unchanged" | undefined;
}

export interface SubscriptionUpdate extends Partial<ItemsChange> {
  paymentBehavior?:
    "allow_incomplete" | "error_if_incomplete" | "pending_if_incomplete" | "default_incomplete" | undefined;
  cancelAtPeriodEnd?: boolean | undefined;
  metadata?: z.infer<typeof formMetadata> | undefined;
}

/** What a change does, before anything is stored: the update applies it, a preview shows it. */
export interface PlannedChange {
  subscription: Stripe.Subscription;
  /** Invoiced at once: the prorations under `always_invoice`; credit and a full new period when the cycle restarts. */
  invoiceNow: LineSpec[];
  /** Prorations kept for the next invoice (`create_prorations`). */
  pending: LineSpec[];
}

/** Names a param as the request spelled it: `items[0][price]` or `subscription_details[items][0][price]`. */
export type ParamName = (name: string) => string;

/** `POST /v1/subscriptions/:id`; also what the Billing Portal does when the customer cancels or renews. */
export function updateSubscription(
  context: EmulatorContext,
  before: Stripe.Subscription,
  update: SubscriptionUpdate,
  request: Stripe.Event.Request | null,
): Stripe.Subscription {
  if (before.status === "canceled") {
    throw invalidRequest("A canceled subscription can only update its cancellation_details and metadata.");
  }
  if (update.paymentBehavior === "pending_if_incomplete" || update.paymentBehavior === "default_incomplete") {
    throw notImplemented(`payment_behavior=${update.paymentBehavior}`, "payment_behavior");
  }
  const plan = planItemsChange(context, before, { ...update, items: update.items ?? [] }, (name) => name);
  const invoiceLines = plan.invoiceNow.length > 0 ? [...pendingLines(context, before.id), ...plan.invoiceNow] : [];
  if (update.paymentBehavior === "error_if_incomplete" && invoiceLines.length > 0) {
    // Refused as a whole: nothing is stored when the charge would fail.
    const outcome = paymentOutcome(context, String(before.customer), plan.subscription, amountDue(invoiceLines));
    if (outcome.kind !== "succeeded") throw paymentFailureError(outcome);
  }
  for (const line of plan.pending) storePendingItem(context, line, before, request);
  const cancelAtPeriodEnd = update.cancelAtPeriodEnd ?? before.cancel_at_period_end;
  const changed: Stripe.Subscription = {
    ...plan.subscription,
    cancel_at_period_end: cancelAtPeriodEnd,
    cancel_at: cancelAtPeriodEnd ? currentPeriod(plan.subscription).end : null,
    canceled_at: cancelAtPeriodEnd ? (before.canceled_at ?? context.now()) : null,
    metadata: mergeMetadata(before.metadata, update.metadata),
  };
  const now = context.now();
  const invoice =
    invoiceLines.length > 0
      ? issueInvoice(
          context,
          {
            subscription: changed,
            billingReason: "subscription_update",
            lines: invoiceLines,
            period: { start: now, end: now },
          },
          request,
        )
      : null;
  const subscription = context.store.subscriptions.put({
    ...changed,
    latest_invoice: invoice?.id ?? changed.latest_invoice,
  });
  context.recordEvent("customer.subscription.updated", subscription, request, previousAttributes(before, subscription));
  if (invoice) collectInvoice(context, invoice.id, "first", request);
  return context.store.subscriptions.require(subscription.id);
}

/**
 * The items after the change and what it costs, as Stripe works it out: nothing during a trial;
 * a new billing period starting now (old items credited, new ones charged in full) when asked
 * for or when the interval changes; otherwise prorations, invoiced now or kept for later.
 */
export function planItemsChange(
  context: EmulatorContext,
  before: Stripe.Subscription,
  change: ItemsChange,
  param: ParamName,
): PlannedChange {
  const items = applyItemChanges(context, before, change.items, param);
  if (before.status === "trialing") return { subscription: withItems(before, items), invoiceNow: [], pending: [] };
  const now = context.now();
  const period = currentPeriod(before);
  const date = change.prorationDate ?? now;
  if (date < period.start || date > period.end) {
    throw invalidRequest(
      "`proration_date` must fall within the subscription's current billing period.",
      param("proration_date"),
    );
  }
  const prorate = change.prorationBehavior !== "none";
  const window = { date, period };
  const [first] = items;
  const [current] = before.items.data;
  if (first && current && (change.billingCycleAnchor === "now" || !sameInterval(first.price, current.price))) {
    const end = periodEnd(now, recurringOf(first.price));
    const restarted = items.map((item) => ({ ...item, current_period_start: now, current_period_end: end }));
    return {
      subscription: { ...withItems(before, restarted), billing_cycle_anchor: now },
      invoiceNow: [
        ...(prorate ? unusedTimeLines(context, before.items.data, window) : []),
        ...periodLines(context, restarted, false),
      ],
      pending: [],
    };
  }
  const prorations = prorate ? prorationLines(context, before.items.data, items, window) : [];
  const subscription = withItems(before, items);
  return change.prorationBehavior === "always_invoice"
    ? { subscription, invoiceNow: prorations, pending: [] }
    : { subscription, invoiceNow: [], pending: prorations };
}

function withItems(subscription: Stripe.Subscription, items: Stripe.SubscriptionItem[]): Stripe.Subscription {
  return { ...subscription, items: { ...subscription.items, data: items } };
}

function applyItemChanges(
  context: EmulatorContext,
  subscription: Stripe.Subscription,
  changes: readonly ItemChange[],
  param: ParamName,
): Stripe.SubscriptionItem[] {
  let items = [...subscription.items.data];
  changes.forEach((change, index) => {
    const itemParam = (field: string) => param(`items[${index}][${field}]`);
    const price =
      change.price === undefined ? undefined : context.store.prices.require(change.price, itemParam("price"));
    if (price) {
      recurringOf(price, itemParam("price"));
      if (price.currency !== subscription.currency) {
        throw invalidRequest(
          `The price specified uses currency \`${price.currency}\` but the subscription uses \`${subscription.currency}\`.`,
          itemParam("price"),
        );
      }
    }
    if (change.id === undefined) {
      if (!price)
        throw invalidRequest(`Missing required param: ${itemParam("price")}.`, itemParam("price"), "parameter_missing");
      items.push(
        newSubscriptionItem(subscription.id, price, change.quantity ?? 1, currentPeriod(subscription), context.now()),
      );
      return;
    }
    const current = items.find((item) => item.id === change.id);
    if (!current)
      throw invalidRequest(`No such subscription item: '${change.id}'`, itemParam("id"), "resource_missing");
    items = change.deleted
      ? items.filter((item) => item !== current)
      : items.map((item) =>
          item === current
            ? {
                ...item,
                price: price ?? item.price,
                plan: price ? planFromPrice(price) : item.plan,
                quantity: change.quantity ?? item.quantity ?? 1,
              }
            : item,
        );
  });
  const [first, ...others] = items;
  if (!first) throw invalidRequest("A subscription needs at least one item.", param("items"));
  if (others.some((item) => !sameInterval(item.price, first.price))) {
    throw invalidRequest(
      "All prices on a subscription must have the same `recurring.interval` and `recurring.interval_count`.",
      param("items"),
    );
  }
  return items;
}
