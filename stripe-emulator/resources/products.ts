import type Stripe from "stripe";
import { z } from "zod";
import { invalidRequest } from "../errors";
import { previousAttributes } from "../events";
import { ID_PREFIX, newId } from "../ids";
import { paginate, paginationParams } from "../list";
import { formBoolean, formMetadata, mergeMetadata, parseParams } from "../params";
import type { Route } from "../router";

const createParams = z.strictObject({
  id: z.string().optional(),
  name: z.string().min(1),
  description: z.string().optional(),
  active: formBoolean.optional(),
  metadata: formMetadata.optional(),
});

const updateParams = z.strictObject({
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  active: formBoolean.optional(),
  metadata: formMetadata.optional(),
});

const listParams = z.strictObject({ ...paginationParams, active: formBoolean.optional() });

export function newProduct(
  fields: {
    id?: string | undefined;
    name: string;
    description?: string | undefined;
    active?: boolean | undefined;
    metadata?: Record<string, string>;
  },
  now: number,
): Stripe.Product {
  return {
    id: fields.id ?? newId(ID_PREFIX.product),
    object: "product",
    active: fields.active ?? true,
    created: now,
    default_price: null,
    description: fields.description ?? null,
    images: [],
    livemode: false,
    marketing_features: [],
    metadata: fields.metadata ?? {},
    name: fields.name,
    package_dimensions: null,
    shippable: null,
    tax_code: null,
    tax_details: null,
    type: "service",
    unit_label: null,
    updated: now,
    url: null,
  };
}

export const productRoutes: Route[] = [
  {
    method: "POST",
    path: "/v1/products",
    handle({ params, eventRequest }, context) {
      const input = parseParams(createParams, params);
      if (input.id !== undefined && context.store.products.get(input.id)) {
        throw invalidRequest("Product already exists.", "id", "resource_already_exists");
      }
      const product = context.store.products.put(
        newProduct({ ...input, metadata: mergeMetadata({}, input.metadata) }, context.now()),
      );
      context.recordEvent("product.created", product, eventRequest);
      return product;
    },
  },
  {
    method: "GET",
    path: "/v1/products/:id",
    handle: ({ pathParams }, context) => context.store.products.require(pathParams.id ?? ""),
  },
  {
    method: "POST",
    path: "/v1/products/:id",
    handle({ params, pathParams, eventRequest }, context) {
      const before = context.store.products.require(pathParams.id ?? "");
      const input = parseParams(updateParams, params);
      const product = context.store.products.put({
        ...before,
        name: input.name ?? before.name,
        description: input.description ?? before.description,
        active: input.active ?? before.active,
        metadata: mergeMetadata(before.metadata, input.metadata),
        updated: context.now(),
      });
      context.recordEvent("product.updated", product, eventRequest, previousAttributes(before, product));
      return product;
    },
  },
  {
    method: "GET",
    path: "/v1/products",
    handle({ params }, context) {
      const input = parseParams(listParams, params);
      const products = context.store.products
        .newestFirst()
        .filter((product) => input.active === undefined || product.active === input.active);
      return paginate(products, input, "/v1/products");
    },
  },
];
