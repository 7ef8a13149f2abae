import { z } from "zod";
import { ID_PREFIX, newId } from "../ids";
import { parseParams } from "../params";
import type { Route } from "../router";

/** The emulator has one portal configuration: every feature its hosted page offers. */
const DEFAULT_CONFIGURATION = "bpc_emulatordefaultconfiguration";

const createParams = z.strictObject({
  customer: z.string(),
  return_url: z.string().url().optional(),
});

/** Where the customer manages their billing: the emulator's own hosted page. */
export function hostedPortalPath(sessionId: string): string {
  return `/p/session/${sessionId}`;
}

export const billingPortalSessionRoutes: Route[] = [
  {
    method: "POST",
    path: "/v1/billing_portal/sessions",
    handle({ params, eventRequest }, context) {
      const input = parseParams(createParams, params);
      const customer = context.store.customers.require(input.customer, "customer");
      const id = newId(ID_PREFIX.billingPortalSession);
      const session = context.store.billingPortalSessions.put({
        id,
        object: "billing_portal.session",
        configuration: DEFAULT_CONFIGURATION,
        created: context.now(),
        customer: customer.id,
        customer_account: null,
        flow: null,
        livemode: false,
        locale: null,
        on_behalf_of: null,
        return_url: input.return_url ?? null,
        url: `${context.baseUrl}${hostedPortalPath(id)}`,
      });
      context.recordEvent("billing_portal.session.created", session, eventRequest);
      return session;
    },
  },
];
