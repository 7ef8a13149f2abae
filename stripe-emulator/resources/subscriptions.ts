import type Stripe from "stripe";
import { z } from "zod";
import { cancelSubscriptionNow } from "../cancellation";
import { invalidRequest } from "../errors";
import { paginate, paginationParams } from "../list";
import { formBoolean, formInteger, formMetadata, parseParams } from "../params";
import type { Route } from "../router";
import { updateSubscription } from "../subscription-updates";

/** `items[n]` of an update, and `subscription_details[items][n]` of an invoice preview. */
export const itemChangeParams = z.strictObject({
  id: z.string().optional(),
  price: z.string().optional(),
  quantity: formInteger.pipe(z.number().min(1)).optional(),
  deleted: formBoolean.optional(),
});

export const prorationBehaviorParam = z.enum(["create_prorations", "none", "always_invoice"]);
/** `billing_cycle_anchor[type]`, an object in this API version (the preview's `timestamp` type is not implemented). */
export const billingCycleAnchorParam = z.strictObject({ type: z.enum(["now", "unchanged"]) });

const updateParams = z.strictObject({
  items: z.array(itemChangeParams).optional(),
  proration_behavior: prorationBehaviorParam.optional(),
  proration_date: formInteger.optional(),
  billing_cycle_anchor: billingCycleAnchorParam.optional(),
  payment_behavior: z
    .enum(["allow_incomplete", "error_if_incomplete", "pending_if_incomplete", "default_incomplete"])
    .optional(),
  cancel_at_period_end: formBoolean.optional(),
  metadata: formMetadata.optional(),
});

const listParams = z.strictObject({
  ...paginationParams,
  customer: z.string().optional(),
  price: z.string().optional(),
  status: z
    .enum([
      "active",
      "all",
      "canceled",
      "ended",
      "incomplete",
      "incomplete_expired",
      "past_due",
      "paused",
      "trialing",
      "unpaid",
    ])
    .optional(),
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
      return updateSubscription(
        context,
        before,
        {
          items: input.items,
          prorationBehavior: input.proration_behavior,
          prorationDate: input.proration_date,
          billingCycleAnchor: input.billing_cycle_anchor?.type,
          paymentBehavior: input.payment_behavior,
          cancelAtPeriodEnd: input.cancel_at_period_end,
          metadata: input.metadata,
        },
        eventRequest,
      );
    },
  },
  {
    method: "DELETE",
    path: "/v1/subscriptions/:id",
    handle({ params, pathParams, eventRequest }, context) {
      const before = context.store.subscriptions.require(pathParams.id ?? "");
      parseParams(cancelParams, params);
      if (before.status === "canceled")
        throw invalidRequest(`The subscription ${before.id} has already been canceled.`);
      return cancelSubscriptionNow(context, before, "cancellation_requested", eventRequest);
    },
  },
  {
    method: "GET",
    path: "/v1/subscriptions",
    handle({ params }, context) {
      const input = parseParams(listParams, params);
      const subscriptions = context.store.subscriptions
        .newestFirst()
        .filter(
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
