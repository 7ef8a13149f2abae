import { z } from "zod";
import { collectInvoice } from "../dunning";
import { invalidRequest, notImplemented } from "../errors";
import { previewSubscriptionInvoice } from "../invoice-preview";
import { paginate, paginationParams } from "../list";
import { formInteger, parseParams } from "../params";
import { paymentFailureError } from "../payments";
import type { Route } from "../router";
import { billingCycleAnchorParam, itemChangeParams, prorationBehaviorParam } from "./subscriptions";

const listParams = z.strictObject({
  ...paginationParams,
  customer: z.string().optional(),
  subscription: z.string().optional(),
  status: z.enum(["draft", "open", "paid", "uncollectible", "void"]).optional(),
});

const previewParams = z.strictObject({
  customer: z.string().optional(),
  subscription: z.string().optional(),
  subscription_details: z
    .strictObject({
      items: z.array(itemChangeParams).optional(),
      proration_behavior: prorationBehaviorParam.optional(),
      proration_date: formInteger.optional(),
      billing_cycle_anchor: billingCycleAnchorParam.optional(),
    })
    .optional(),
});

/** Invoices are issued by subscriptions (Checkout, renewals, updates); the API reads, previews and pays them. */
export const invoiceRoutes: Route[] = [
  {
    method: "POST",
    path: "/v1/invoices/create_preview",
    handle({ params }, context) {
      const input = parseParams(previewParams, params);
      if (input.subscription === undefined) throw notImplemented("previews without `subscription`", "subscription");
      const subscription = context.store.subscriptions.require(input.subscription, "subscription");
      if (input.customer !== undefined && input.customer !== subscription.customer) {
        throw invalidRequest(
          `The subscription \`${subscription.id}\` does not belong to the customer \`${input.customer}\`.`,
          "customer",
        );
      }
      const details = input.subscription_details;
      return previewSubscriptionInvoice(context, subscription, {
        items: details?.items ?? [],
        prorationBehavior: details?.proration_behavior,
        prorationDate: details?.proration_date,
        billingCycleAnchor: details?.billing_cycle_anchor?.type,
      });
    },
  },
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
      if (invoice.status !== "open")
        throw invalidRequest(
          `Invoice is already ${invoice.status === "paid" ? "paid" : invoice.status}.`,
          undefined,
          "invoice_not_editable",
        );
      const outcome = collectInvoice(context, invoice.id, "manual", eventRequest);
      if (outcome.kind !== "succeeded") throw paymentFailureError(outcome);
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
            (input.subscription === undefined ||
              invoice.parent?.subscription_details?.subscription === input.subscription) &&
            (input.status === undefined || invoice.status === input.status),
        );
      return paginate(invoices, input, "/v1/invoices");
    },
  },
];
