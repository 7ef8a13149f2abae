import type Stripe from "stripe";
import { z } from "zod";
import { itemPeriod, newSubscriptionItem, planFromPrice, recurringOf } from "../billing";
import { cancelSubscriptionNow } from "../cancellation";
import type { EmulatorContext } from "../context";
import { invalidRequest } from "../errors";
import { previousAttributes } from "../events";
import { paginate, paginationParams } from "../list";
import { formBoolean, formInteger, formMetadata, mergeMetadata, parseParams } from "../params";
import type { Route } from "../router";

const itemUpdate = z.strictObject({
  id: z.string().optional(),
  price: z.string().optional(),
  quantity: formInteger.pipe(z.number().min(1)).optional(),
});

const updateParams = z.strictObject({
  items: z.array(itemUpdate).optional(),
  // Accepted so callers can state their intent; this slice computes no prorations (see README).
  proration_behavior: z.enum(["create_prorations", "none", "always_invoice"]).optional(),
  cancel_at_period_end: formBoolean.optional(),
  metadata: formMetadata.optional(),
});

const listParams = z.strictObject({
  ...paginationParams,
  customer: z.string().optional(),
  price: z.string().optional(),
  status: z.enum(["active", "all", "canceled", "ended", "incomplete", "incomplete_expired", "past_due", "paused", "trialing", "unpaid"]).optional(),
});

const cancelParams = z.strictObject({});

export const subscriptionRoutes: Route[] = [
  {
    method: "GET",
    path: "/v1/subscriptions/:id",
    handle: ({ pathParams }, context) => context.store.subscriptions.require(pathParams.id ?? ""),
  },
  {
    method: "POST",
    path: "/v1/subscriptions/:id",
    handle({ params, pathParams, eventRequest }, context) {
      const before = context.store.subscriptions.require(pathParams.id ?? "");
      const input = parseParams(updateParams, params);
      if (before.status === "canceled") {
        throw invalidRequest("A canceled subscription can only update its cancellation_details and metadata.");
      }
      const items = applyItemUpdates(before, input.items ?? [], context);
      const periodEnd = items[0]?.current_period_end ?? null;
      const cancelAtPeriodEnd = input.cancel_at_period_end ?? before.cancel_at_period_end;
      const subscription = context.store.subscriptions.put({
        ...before,
        items: { ...before.items, data: items },
        cancel_at_period_end: cancelAtPeriodEnd,
        cancel_at: cancelAtPeriodEnd ? periodEnd : null,
        canceled_at: cancelAtPeriodEnd ? (before.canceled_at ?? context.now()) : null,
        metadata: mergeMetadata(before.metadata, input.metadata),
      });
      context.recordEvent("customer.subscription.updated", subscription, eventRequest, previousAttributes(before, subscription));
      return subscription;
    },
  },
  {
    method: "DELETE",
    path: "/v1/subscriptions/:id",
    handle({ params, pathParams, eventRequest }, context) {
      const before = context.store.subscriptions.require(pathParams.id ?? "");
      parseParams(cancelParams, params);
      if (before.status === "canceled") throw invalidRequest(`The subscription ${before.id} has already been canceled.`);
      return cancelSubscriptionNow(context, before, "cancellation_requested", eventRequest);
    },
  },
  {
    method: "GET",
    path: "/v1/subscriptions",
    handle({ params }, context) {
      const input = parseParams(listParams, params);
      const subscriptions = context.store.subscriptions.newestFirst().filter(
        (subscription) =>
          matchesStatus(subscription.status, input.status) &&
          (input.customer === undefined || subscription.customer === input.customer) &&
          (input.price === undefined || subscription.items.data.some((item) => item.price.id === input.price)),
      );
      return paginate(subscriptions, input, "/v1/subscriptions");
    },
  },
];

/** Without a status filter Stripe lists every subscription that has not been canceled. */
function matchesStatus(status: Stripe.Subscription.Status, filter: string | undefined): boolean {
  if (filter === "all") return true;
  if (filter === undefined) return status !== "canceled";
  if (filter === "ended") return status === "canceled" || status === "incomplete_expired";
  return status === filter;
}

/** `items[n][id]` changes that item's price or quantity; an entry without an id adds an item. */
function applyItemUpdates(
  subscription: Stripe.Subscription,
  updates: z.infer<typeof itemUpdate>[],
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
