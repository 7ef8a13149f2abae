import type Stripe from "stripe";
import { z } from "zod";
import type { EmulatorContext } from "../context";
import { previousAttributes } from "../events";
import { ID_PREFIX, newId, newInvoicePrefix } from "../ids";
import { paginate, paginationParams } from "../list";
import { formMetadata, mergeMetadata, parseParams } from "../params";
import type { Route } from "../router";

const fields = {
  email: z.string().optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  phone: z.string().optional(),
  metadata: formMetadata.optional(),
};

const createParams = z.strictObject(fields);
const updateParams = z.strictObject(fields);
const listParams = z.strictObject({ ...paginationParams, email: z.string().optional() });

/** Creates and records a customer; Checkout uses this too when the buyer has none yet. */
export function createCustomer(
  context: EmulatorContext,
  input: {
    email?: string | undefined;
    name?: string | undefined;
    description?: string | undefined;
    phone?: string | undefined;
    metadata?: Record<string, string>;
  },
  eventRequest: Stripe.Event.Request | null,
): Stripe.Customer {
  const customer = context.store.customers.put({
    id: newId(ID_PREFIX.customer),
    object: "customer",
    address: null,
    balance: 0,
    created: context.now(),
    currency: null,
    default_source: null,
    delinquent: false,
    description: input.description ?? null,
    email: input.email ?? null,
    invoice_prefix: newInvoicePrefix(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: input.metadata ?? {},
    name: input.name ?? null,
    phone: input.phone ?? null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: "none",
    test_clock: null,
  });
  context.recordEvent("customer.created", customer, eventRequest);
  return customer;
}

export const customerRoutes: Route[] = [
  {
    method: "POST",
    path: "/v1/customers",
    handle({ params, eventRequest }, context) {
      const input = parseParams(createParams, params);
      return createCustomer(context, { ...input, metadata: mergeMetadata({}, input.metadata) }, eventRequest);
    },
  },
  {
    method: "GET",
    path: "/v1/customers/:id",
    handle: ({ pathParams }, context) => context.store.customers.require(pathParams.id ?? ""),
  },
  {
    method: "POST",
    path: "/v1/customers/:id",
    handle({ params, pathParams, eventRequest }, context) {
      const before = context.store.customers.require(pathParams.id ?? "");
      const input = parseParams(updateParams, params);
      const customer = context.store.customers.put({
        ...before,
        email: input.email ?? before.email,
        name: input.name ?? before.name ?? null,
        description: input.description ?? before.description,
        phone: input.phone ?? before.phone ?? null,
        metadata: mergeMetadata(before.metadata, input.metadata),
      });
      context.recordEvent("customer.updated", customer, eventRequest, previousAttributes(before, customer));
      return customer;
    },
  },
  {
    method: "GET",
    path: "/v1/customers",
    handle({ params }, context) {
      const input = parseParams(listParams, params);
      const customers = context.store.customers
        .newestFirst()
        .filter((customer) => input.email === undefined || customer.email === input.email);
      return paginate(customers, input, "/v1/customers");
    },
  },
];
