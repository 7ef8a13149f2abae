import type Stripe from "stripe";
import { itemPeriod, newSubscriptionItem, planFromPrice, recurringOf } from "./billing";
import type { EmulatorContext } from "./context";
import { invalidRequest } from "./errors";
import { previousAttributes } from "./events";
import { mergeMetadata } from "./params";
import type { formMetadata } from "./params";
import type { z } from "zod";

/** One `items[n]` entry of an update: `id` changes that item, no `id` adds one. */
export interface ItemChange {
  id?: string | undefined;
  price?: string | undefined;
  quantity?: number | undefined;
}

export interface SubscriptionUpdate {
  items?: ItemChange[] | undefined;
  cancel_at_period_end?: boolean | undefined;
  metadata?: z.infer<typeof formMetadata> | undefined;
}

/** `POST /v1/subscriptions/:id`, also what the Billing Portal does when the customer cancels or renews. */
export function updateSubscription(
  context: EmulatorContext,
  before: Stripe.Subscription,
  update: SubscriptionUpdate,
  request: Stripe.Event.Request | null,
): Stripe.Subscription {
  if (before.status === "canceled") {
    throw invalidRequest("A canceled subscription can only update its cancellation_details and metadata.");
  }
  const items = applyItemUpdates(before, update.items ?? [], context);
  const periodEnd = items[0]?.current_period_end ?? null;
  const cancelAtPeriodEnd = update.cancel_at_period_end ?? before.cancel_at_period_end;
  const subscription = context.store.subscriptions.put({
    ...before,
    items: { ...before.items, data: items },
    cancel_at_period_end: cancelAtPeriodEnd,
    cancel_at: cancelAtPeriodEnd ? periodEnd : null,
    canceled_at: cancelAtPeriodEnd ? (before.canceled_at ?? context.now()) : null,
    metadata: mergeMetadata(before.metadata, update.metadata),
  });
  context.recordEvent("customer.subscription.updated", subscription, request, previousAttributes(before, subscription));
  return subscription;
}

/** `items[n][id]` changes that item's price or quantity; an entry without an id adds an item. */
function applyItemUpdates(
  subscription: Stripe.Subscription,
  updates: readonly ItemChange[],
  context: EmulatorContext,
): Stripe.SubscriptionItem[] {
  const items = [...subscription.items.data];
  updates.forEach((update, index) => {
    const price = update.price === undefined ? undefined : context.store.prices.require(update.price, `items[${index}][price]`);
    if (price) {
      recurringOf(price, `items[${index}][price]`);
      if (price.currency !== subscription.currency) {
        throw invalidRequest(`The price specified uses currency \`${price.currency}\` but the subscription uses \`${subscription.currency}\`.`, `items[${index}][price]`);
      }
    }
    if (update.id === undefined) {
      if (!price) throw invalidRequest(`Missing required param: items[${index}][price].`, `items[${index}][price]`, "parameter_missing");
      const first = items[0];
      const period = first ? { start: first.current_period_start, end: first.current_period_end } : itemPeriod(price, context.now(), subscription.trial_end);
      items.push(newSubscriptionItem(subscription.id, price, update.quantity ?? 1, period, context.now()));
      return;
    }
    const position = items.findIndex((item) => item.id === update.id);
    const current = items[position];
    if (!current) throw invalidRequest(`No such subscription item: '${update.id}'`, `items[${index}][id]`, "resource_missing");
    items[position] = {
      ...current,
      price: price ?? current.price,
      plan: price ? planFromPrice(price) : current.plan,
      quantity: update.quantity ?? current.quantity ?? 1,
    };
  });
  return items;
}
