import type Stripe from "stripe";

/** Line items are stored on the session but, as in Stripe, only returned when expanded. */
export function sessionView(session: Stripe.Checkout.Session, expand: readonly string[]): Stripe.Checkout.Session {
  if (expand.some((path) => path === "line_items" || path.startsWith("line_items."))) return session;
  const view = { ...session };
  delete view.line_items;
  return view;
}
