import type Stripe from "stripe";
import { z } from "zod";
import { recurringOf } from "../billing";
import { expireCheckoutSession } from "../checkout-expiry";
import { sessionView } from "../checkout-session-view";
import type { EmulatorContext } from "../context";
import { invalidRequest } from "../errors";
import { ID_PREFIX, newId } from "../ids";
import { paginate, paginationParams } from "../list";
import { formInteger, formMetadata, mergeMetadata, parseParams } from "../params";
import type { Route } from "../router";

const SESSION_LIFETIME_SECONDS = 24 * 60 * 60;
const MIN_TRIAL_SECONDS = 48 * 60 * 60;

const createParams = z.strictObject({
  // Only subscription Checkout exists in this slice; other modes fail loudly rather than half-work.
  mode: z.literal("subscription"),
  line_items: z
    .array(z.strictObject({ price: z.string(), quantity: formInteger.pipe(z.number().min(1)).optional() }))
    .min(1)
    .max(20),
  customer: z.string().optional(),
  customer_email: z.string().optional(),
  client_reference_id: z.string().max(200).optional(),
  success_url: z.string().url(),
  cancel_url: z.string().url().optional(),
  subscription_data: z
    .strictObject({
      trial_end: formInteger.optional(),
      trial_period_days: formInteger.pipe(z.number().min(1).max(730)).optional(),
      metadata: formMetadata.optional(),
    })
    .optional(),
  metadata: formMetadata.optional(),
});

const listParams = z.strictObject({
  ...paginationParams,
  customer: z.string().optional(),
  subscription: z.string().optional(),
  status: z.enum(["open", "complete", "expired"]).optional(),
});

/** Where the buyer pays: the emulator's own hosted page. */
export function hostedCheckoutPath(sessionId: string): string {
  return `/c/pay/${sessionId}`;
}

export const checkoutSessionRoutes: Route[] = [
  {
    method: "POST",
    path: "/v1/checkout/sessions",
    handle({ params }, context) {
      const input = parseParams(createParams, params);
      if (input.customer !== undefined && input.customer_email !== undefined) {
        throw invalidRequest(
          "You may only specify one of these parameters: customer, customer_email.",
          "customer_email",
        );
      }
      const customer =
        input.customer === undefined ? undefined : context.store.customers.require(input.customer, "customer");
      const now = context.now();
      const lineItems = input.line_items.map((line, index) =>
        lineItem(context, line.price, line.quantity ?? 1, `line_items[${index}][price]`),
      );
      const first = lineItems[0]?.price;
      for (const [index, item] of lineItems.entries()) {
        const recurring = recurringOf(item.price, `line_items[${index}][price]`);
        if (first && (item.currency !== first.currency || recurring.interval !== first.recurring?.interval)) {
          throw invalidRequest(
            "All prices on a subscription must have the same `currency` and `recurring.interval`.",
            `line_items[${index}][price]`,
          );
        }
      }
      const trialEnd = trialEndOf(input.subscription_data, now);
      const total = lineItems.reduce((sum, item) => sum + item.amount_total, 0);
      const id = newId(ID_PREFIX.checkoutSession);
      context.store.checkoutSubscriptionData.set(id, {
        trialEnd,
        metadata: mergeMetadata({}, input.subscription_data?.metadata),
      });
      return context.store.checkoutSessions.put({
        id,
        object: "checkout.session",
        adaptive_pricing: null,
        after_expiration: null,
        allow_promotion_codes: null,
        allowed_payment_method_types: null,
        amount_subtotal: total,
        amount_total: total,
        automatic_tax: { enabled: false, liability: null, provider: null, status: null },
        billing_address_collection: null,
        cancel_url: input.cancel_url ?? null,
        client_reference_id: input.client_reference_id ?? null,
        client_secret: null,
        collected_information: null,
        consent: null,
        consent_collection: null,
        created: now,
        currency: first?.currency ?? null,
        currency_conversion: null,
        custom_fields: [],
        custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
        customer: customer?.id ?? null,
        customer_account: null,
        customer_creation: customer ? null : "always",
        customer_details: null,
        customer_email: input.customer_email ?? null,
        discounts: [],
        expires_at: now + SESSION_LIFETIME_SECONDS,
        integration_identifier: null,
        invoice: null,
        invoice_creation: null,
        line_items: { object: "list", data: lineItems, has_more: false, url: `/v1/checkout/sessions/${id}/line_items` },
        livemode: false,
        locale: null,
        managed_payments: null,
        metadata: mergeMetadata({}, input.metadata),
        mode: "subscription",
        origin_context: null,
        payment_intent: null,
        payment_link: null,
        payment_method_collection: "always",
        payment_method_configuration_details: null,
        payment_method_options: null,
        payment_method_types: ["card"],
        payment_status: "unpaid",
        permissions: null,
        recovered_from: null,
        saved_payment_method_options: null,
        setup_intent: null,
        shipping_address_collection: null,
        shipping_cost: null,
        shipping_options: [],
        status: "open",
        submit_type: null,
        subscription: null,
        success_url: input.success_url,
        total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
        ui_mode: "hosted",
        url: `${context.baseUrl}${hostedCheckoutPath(id)}`,
        wallet_options: null,
      });
    },
  },
  {
    method: "GET",
    path: "/v1/checkout/sessions/:id",
    handle: ({ pathParams, expand }, context) =>
      sessionView(context.store.checkoutSessions.require(pathParams.id ?? ""), expand),
  },
  {
    method: "POST",
    path: "/v1/checkout/sessions/:id/expire",
    handle({ params, pathParams, eventRequest }, context) {
      parseParams(z.strictObject({}), params);
      return expireCheckoutSession(context, context.store.checkoutSessions.require(pathParams.id ?? ""), eventRequest);
    },
  },
  {
    method: "GET",
    path: "/v1/checkout/sessions/:id/line_items",
    handle({ pathParams, params }, context) {
      const session = context.store.checkoutSessions.require(pathParams.id ?? "");
      const input = parseParams(z.strictObject(paginationParams), params);
      return paginate(session.line_items?.data ?? [], input, `/v1/checkout/sessions/${session.id}/line_items`);
    },
  },
  {
    method: "GET",
    path: "/v1/checkout/sessions",
    handle({ params }, context) {
      const input = parseParams(listParams, params);
      const sessions = context.store.checkoutSessions
        .newestFirst()
        .filter(
          (session) =>
            (input.customer === undefined || session.customer === input.customer) &&
            (input.subscription === undefined || session.subscription === input.subscription) &&
            (input.status === undefined || session.status === input.status),
        )
        .map((session) => sessionView(session, []));
      return paginate(sessions, input, "/v1/checkout/sessions");
    },
  },
];

function lineItem(
  context: EmulatorContext,
  priceId: string,
  quantity: number,
  param: string,
): Stripe.LineItem & { price: Stripe.Price } {
  const price = context.store.prices.require(priceId, param);
  if (!price.active) throw invalidRequest(`The price \`${price.id}\` is not active.`, param);
  const product = context.store.products.get(typeof price.product === "string" ? price.product : price.product.id);
  const amount = (price.unit_amount ?? 0) * quantity;
  return {
    id: newId(ID_PREFIX.lineItem),
    object: "item",
    adjustable_quantity: null,
    amount_discount: 0,
    amount_subtotal: amount,
    amount_tax: 0,
    amount_total: amount,
    currency: price.currency,
    description: product?.name ?? price.nickname ?? price.id,
    metadata: {},
    price,
    quantity,
  };
}

/** Stripe wants a trial to end at least 48 hours from now. */
function trialEndOf(
  data: { trial_end?: number | undefined; trial_period_days?: number | undefined } | undefined,
  now: number,
): number | null {
  if (data?.trial_end !== undefined && data.trial_period_days !== undefined) {
    throw invalidRequest(
      "You may only specify one of these parameters: trial_end, trial_period_days.",
      "subscription_data[trial_end]",
    );
  }
  if (data?.trial_period_days !== undefined) return now + data.trial_period_days * 86_400;
  if (data?.trial_end === undefined) return null;
  if (data.trial_end < now + MIN_TRIAL_SECONDS) {
    throw invalidRequest(
      "`subscription_data[trial_end]` must be at least 48 hours in the future.",
      "subscription_data[trial_end]",
    );
  }
  return data.trial_end;
}
