import Stripe from "stripe";
import { z } from "zod";
import type { EmulatorContext } from "../context";
import { invalidRequest } from "../errors";
import { previousAttributes } from "../events";
import { ID_PREFIX, newId } from "../ids";
import { paginate, paginationParams } from "../list";
import { formBoolean, formInteger, formMetadata, formStringList, mergeMetadata, parseParams } from "../params";
import type { Route } from "../router";
import { newProduct } from "./products";

const interval = z.enum(["day", "week", "month", "year"]);

const createParams = z.strictObject({
  currency: z
    .string()
    .regex(/^[a-zA-Z]{3}$/, "Invalid currency")
    .transform((code) => code.toLowerCase()),
  unit_amount: formInteger.pipe(z.number().min(0)),
  product: z.string().optional(),
  product_data: z.strictObject({ name: z.string().min(1), metadata: formMetadata.optional() }).optional(),
  recurring: z.strictObject({ interval, interval_count: formInteger.pipe(z.number().min(1)).optional() }).optional(),
  lookup_key: z.string().max(200).optional(),
  transfer_lookup_key: formBoolean.optional(),
  nickname: z.string().optional(),
  active: formBoolean.optional(),
  metadata: formMetadata.optional(),
});

const updateParams = z.strictObject({
  active: formBoolean.optional(),
  // An empty value clears the lookup key.
  lookup_key: z.string().max(200).optional(),
  transfer_lookup_key: formBoolean.optional(),
  nickname: z.string().optional(),
  metadata: formMetadata.optional(),
});

const listParams = z.strictObject({
  ...paginationParams,
  active: formBoolean.optional(),
  currency: z.string().optional(),
  product: z.string().optional(),
  type: z.enum(["one_time", "recurring"]).optional(),
  lookup_keys: formStringList.max(10).optional(),
});

export const priceRoutes: Route[] = [
  {
    method: "POST",
    path: "/v1/prices",
    handle({ params, eventRequest }, context) {
      const input = parseParams(createParams, params);
      const productId = resolveProduct(input, context, eventRequest);
      if (input.lookup_key) claimLookupKey(input.lookup_key, input.transfer_lookup_key ?? false, context, eventRequest);
      const price = context.store.prices.put({
        id: newId(ID_PREFIX.price),
        object: "price",
        active: input.active ?? true,
        billing_scheme: "per_unit",
        created: context.now(),
        currency: input.currency,
        custom_unit_amount: null,
        livemode: false,
        lookup_key: input.lookup_key ?? null,
        metadata: mergeMetadata({}, input.metadata),
        nickname: input.nickname ?? null,
        product: productId,
        recurring: input.recurring
          ? {
              interval: input.recurring.interval,
              interval_count: input.recurring.interval_count ?? 1,
              meter: null,
              trial_period_days: null,
              usage_type: "licensed",
            }
          : null,
        tax_behavior: "unspecified",
        tiers_mode: null,
        transform_quantity: null,
        type: input.recurring ? "recurring" : "one_time",
        unit_amount: input.unit_amount,
        unit_amount_decimal: Stripe.Decimal.from(input.unit_amount),
      });
      context.recordEvent("price.created", price, eventRequest);
      return price;
    },
  },
  {
    method: "GET",
    path: "/v1/prices/:id",
    handle: ({ pathParams }, context) => context.store.prices.require(pathParams.id ?? ""),
  },
  {
    method: "POST",
    path: "/v1/prices/:id",
    handle({ params, pathParams, eventRequest }, context) {
      const before = context.store.prices.require(pathParams.id ?? "");
      const input = parseParams(updateParams, params);
      if (input.lookup_key && input.lookup_key !== before.lookup_key) {
        claimLookupKey(input.lookup_key, input.transfer_lookup_key ?? false, context, eventRequest);
      }
      const price = context.store.prices.put({
        ...before,
        active: input.active ?? before.active,
        lookup_key: input.lookup_key === undefined ? before.lookup_key : input.lookup_key || null,
        nickname: input.nickname ?? before.nickname,
        metadata: mergeMetadata(before.metadata, input.metadata),
      });
      context.recordEvent("price.updated", price, eventRequest, previousAttributes(before, price));
      return price;
    },
  },
  {
    method: "GET",
    path: "/v1/prices",
    handle({ params }, context) {
      const input = parseParams(listParams, params);
      const prices = context.store.prices
        .newestFirst()
        .filter(
          (price) =>
            (input.active === undefined || price.active === input.active) &&
            (input.currency === undefined || price.currency === input.currency.toLowerCase()) &&
            (input.product === undefined || price.product === input.product) &&
            (input.type === undefined || price.type === input.type) &&
            (input.lookup_keys === undefined ||
              (price.lookup_key !== null && input.lookup_keys.includes(price.lookup_key))),
        );
      return paginate(prices, input, "/v1/prices");
    },
  },
];

function resolveProduct(
  input: z.infer<typeof createParams>,
  context: EmulatorContext,
  eventRequest: Stripe.Event.Request,
): string {
  if (input.product !== undefined && input.product_data !== undefined) {
    throw invalidRequest("You may only specify one of these parameters: product, product_data.", "product");
  }
  if (input.product !== undefined) return context.store.products.require(input.product, "product").id;
  if (input.product_data === undefined)
    throw invalidRequest("Missing required param: product.", "product", "parameter_missing");
  const product = context.store.products.put(
    newProduct(
      { name: input.product_data.name, metadata: mergeMetadata({}, input.product_data.metadata) },
      context.now(),
    ),
  );
  context.recordEvent("product.created", product, eventRequest);
  return product.id;
}

/** A lookup key names one price; `transfer_lookup_key` moves it from the price holding it. */
function claimLookupKey(
  lookupKey: string,
  transfer: boolean,
  context: EmulatorContext,
  eventRequest: Stripe.Event.Request,
): void {
  const holder = context.store.prices.newestFirst().find((price) => price.lookup_key === lookupKey);
  if (!holder) return;
  if (!transfer) {
    throw invalidRequest(
      `A price (\`${holder.id}\`) already uses that lookup key.`,
      "lookup_key",
      "lookup_key_already_exists",
    );
  }
  const released = context.store.prices.put({ ...holder, lookup_key: null });
  context.recordEvent("price.updated", released, eventRequest, { lookup_key: lookupKey });
}
