import { z } from "zod";
import { paginate, paginationParams } from "../list";
import { parseParams } from "../params";
import type { Route } from "../router";

const listParams = z.strictObject({
  ...paginationParams,
  customer: z.string().optional(),
  subscription: z.string().optional(),
  status: z.enum(["draft", "open", "paid", "uncollectible", "void"]).optional(),
});

/** Read-only: this slice only creates invoices as a side effect of Checkout. */
export const invoiceRoutes: Route[] = [
  {
    method: "GET",
    path: "/v1/invoices/:id",
    handle: ({ pathParams }, context) => context.store.invoices.require(pathParams.id ?? ""),
  },
  {
    method: "GET",
    path: "/v1/invoices",
    handle({ params }, context) {
      const input = parseParams(listParams, params);
      const invoices = context.store.invoices
        .newestFirst()
        .filter(
          (invoice) =>
            (input.customer === undefined || invoice.customer === input.customer) &&
            (input.subscription === undefined || invoice.parent?.subscription_details?.subscription === input.subscription) &&
            (input.status === undefined || invoice.status === input.status),
        );
      return paginate(invoices, input, "/v1/invoices");
    },
  },
];
