import { z } from "zod";
import { collectInvoice } from "../dunning";
import { cardError, invalidRequest, StripeApiError } from "../errors";
import { paginate, paginationParams } from "../list";
import { parseParams } from "../params";
import type { Route } from "../router";

const listParams = z.strictObject({
  ...paginationParams,
  customer: z.string().optional(),
  subscription: z.string().optional(),
  status: z.enum(["draft", "open", "paid", "uncollectible", "void"]).optional(),
});

/** Invoices are issued by subscriptions (Checkout, renewals, updates); the API reads, previews and pays them. */
export const invoiceRoutes: Route[] = [
  {
    method: "GET",
    path: "/v1/invoices/:id",
    handle: ({ pathParams }, context) => context.store.invoices.require(pathParams.id ?? ""),
  },
  {
    method: "GET",
    path: "/v1/invoices/:id/lines",
    handle({ params, pathParams }, context) {
      const invoice = context.store.invoices.require(pathParams.id ?? "");
      return paginate(invoice.lines.data, parseParams(z.strictObject(paginationParams), params), invoice.lines.url);
    },
  },
  {
    method: "POST",
    path: "/v1/invoices/:id/pay",
    handle({ params, pathParams, eventRequest }, context) {
      const invoice = context.store.invoices.require(pathParams.id ?? "");
      parseParams(z.strictObject({}), params);
      if (invoice.status !== "open") throw invalidRequest(`Invoice is already ${invoice.status === "paid" ? "paid" : invoice.status}.`, undefined, "invoice_not_editable");
      const outcome = collectInvoice(context, invoice.id, "manual", eventRequest);
      if (outcome.kind === "no_payment_method") {
        throw new StripeApiError(400, "invalid_request_error", "This customer has no attached payment source or default payment method.");
      }
      if (outcome.kind === "declined") throw cardError(outcome);
      return context.store.invoices.require(invoice.id);
    },
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
