import type Stripe from "stripe";
import type { EmulatorContext } from "./context";
import { invalidRequest } from "./errors";
import { sessionView } from "./checkout-session-view";
import type { DueWork } from "./time-travel";

/** Closes an open session for good (`checkout.session.expired`), at `expires_at` or when asked. */
export function expireCheckoutSession(
  context: EmulatorContext,
  session: Stripe.Checkout.Session,
  request: Stripe.Event.Request | null,
): Stripe.Checkout.Session {
  if (session.status !== "open") {
    throw invalidRequest(
      `Only Checkout Sessions with a status in ["open"] can be expired. This session has status \`${session.status}\`.`,
    );
  }
  const expired = context.store.checkoutSessions.put({ ...session, status: "expired" });
  context.recordEvent("checkout.session.expired", sessionView(expired, []), request);
  return expired;
}

export function checkoutExpiryWork(context: EmulatorContext): DueWork[] {
  return context.store.checkoutSessions
    .oldestFirst()
    .filter((session) => session.status === "open")
    .map((session) => ({
      key: `checkout_expiry:${session.id}`,
      at: session.expires_at,
      run: () => expireCheckoutSession(context, context.store.checkoutSessions.require(session.id), null),
    }));
}
