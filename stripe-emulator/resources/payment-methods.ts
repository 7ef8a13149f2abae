import { z } from "zod";
import { noSuch } from "../errors";
import { paginate, paginationParams } from "../list";
import { parseParams } from "../params";
import type { Route } from "../router";

/** Payment methods are saved by the hosted pages (Checkout, Billing Portal); the API reads them. */
export const paymentMethodRoutes: Route[] = [
  {
    method: "GET",
    path: "/v1/payment_methods/:id",
    handle: ({ pathParams }, context) => context.store.paymentMethods.require(pathParams.id ?? ""),
  },
  {
    method: "GET",
    path: "/v1/customers/:customer/payment_methods",
    handle({ params, pathParams }, context) {
      const customer = context.store.customers.require(pathParams.customer ?? "");
      const input = parseParams(z.strictObject({ ...paginationParams, type: z.string().optional() }), params);
      const paymentMethods = context.store.paymentMethods
        .newestFirst()
        .filter(
          (paymentMethod) =>
            paymentMethod.customer === customer.id && (input.type === undefined || paymentMethod.type === input.type),
        );
      return paginate(paymentMethods, input, `/v1/customers/${customer.id}/payment_methods`);
    },
  },
  {
    method: "GET",
    path: "/v1/customers/:customer/payment_methods/:id",
    handle({ pathParams }, context) {
      const customer = context.store.customers.require(pathParams.customer ?? "");
      const paymentMethod = context.store.paymentMethods.require(pathParams.id ?? "");
      if (paymentMethod.customer !== customer.id) throw noSuch("PaymentMethod", paymentMethod.id);
      return paymentMethod;
    },
  },
];
