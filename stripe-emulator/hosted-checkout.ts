import type Stripe from "stripe";
import { cardFields, readCardFields } from "./card-form";
import { completeCheckout } from "./checkout-completion";
import type { EmulatorContext } from "./context";
import { formatAmount } from "./format";
import { page, redirect } from "./hosted-page";
import type { HtmlResponse } from "./hosted-page";
import { escapeHtml } from "./html";
import type { CardDetails } from "./payment-methods";

/** GET: the payment page of an open session. */
export function showCheckout(context: EmulatorContext, sessionId: string): HtmlResponse {
  const session = context.store.checkoutSessions.get(sessionId);
  if (!session) return notFound();
  if (session.status !== "open") return closedPage(session);
  return paymentPage(200, session, amountDueToday(context, session), null);
}

/** POST: the Pay button. Test cards decide the outcome; a success redirects to `success_url`. */
export function payCheckout(context: EmulatorContext, sessionId: string, form: URLSearchParams): HtmlResponse {
  const session = context.store.checkoutSessions.get(sessionId);
  if (!session) return notFound();
  if (session.status !== "open") return closedPage(session);
  const dueToday = amountDueToday(context, session);
  const email = (form.get("email") ?? "").trim();
  if (needsEmail(session) && !email.includes("@"))
    return paymentPage(400, session, dueToday, "Your email address is incomplete.");
  const card = readCardFields(form, context.now(), { requireExpiryAndCvc: false });
  if ("error" in card) return paymentPage(400, session, dueToday, card.error);
  const declined = declineMessage(dueToday, card);
  if (declined) return paymentPage(402, session, dueToday, declined);
  const completed = completeCheckout(context, session.id, email || null, card);
  return redirect((completed.success_url ?? "").replaceAll("{CHECKOUT_SESSION_ID}", completed.id));
}

/** The card must attach; it is charged only when something is due today. */
function declineMessage(dueToday: number, { card }: CardDetails): string | null {
  if (card.attach.kind === "declined") return card.attach.message;
  if (dueToday > 0 && card.charge.kind === "declined") return card.charge.message;
  return null;
}

/** Nothing is due before a trial ends. */
function amountDueToday(context: EmulatorContext, session: Stripe.Checkout.Session): number {
  const trialEnd = context.store.checkoutSubscriptionData.get(session.id)?.trialEnd ?? null;
  return trialEnd === null ? (session.amount_total ?? 0) : 0;
}

function needsEmail(session: Stripe.Checkout.Session): boolean {
  return session.customer === null && session.customer_email === null;
}

function paymentPage(
  status: number,
  session: Stripe.Checkout.Session,
  dueToday: number,
  error: string | null,
): HtmlResponse {
  const currency = session.currency ?? "usd";
  const rows = (session.line_items?.data ?? [])
    .map((item) => {
      const interval = item.price?.recurring
        ? ` per ${item.price.recurring.interval_count > 1 ? `${item.price.recurring.interval_count} ` : ""}${item.price.recurring.interval}`
        : "";
      return `<tr><th scope="row">${escapeHtml(item.description ?? "")}</th><td>${item.quantity ?? 1}</td><td>${escapeHtml(formatAmount(item.amount_total, item.currency))}${escapeHtml(interval)}</td></tr>`;
    })
    .join("");
  const emailField = needsEmail(session)
    ? `<p><label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email" required></p>`
    : `<p>Paying as ${escapeHtml(session.customer_email ?? "an existing customer")}</p>`;
  const body = `
<table>
  <caption>Order summary</caption>
  <thead><tr><th scope="col">Item</th><th scope="col">Qty</th><th scope="col">Price</th></tr></thead>
  <tbody>${rows}</tbody>
  <tfoot><tr><th scope="row" colspan="2">Total due today</th><td>${escapeHtml(formatAmount(dueToday, currency))}</td></tr></tfoot>
</table>
<form method="post" action="/c/pay/${escapeHtml(encodeURIComponent(session.id))}">
  ${emailField}
  ${cardFields({ requireExpiryAndCvc: false, error })}
  <p><button type="submit">Pay</button></p>
</form>
${session.cancel_url ? `<p><a href="${escapeHtml(session.cancel_url)}">Cancel and return</a></p>` : ""}
<p><small>Stripe emulator. Test cards: 4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined; 4000 0000 0000 9995 has insufficient funds; 4000 0000 0000 0341 is saved but declines later charges. Any future expiry and CVC.</small></p>`;
  return page(status, "Subscribe", body);
}

function notFound(): HtmlResponse {
  return page(404, "Checkout not found", `<p>This Checkout Session does not exist.</p>`);
}

function closedPage(session: Stripe.Checkout.Session): HtmlResponse {
  const message =
    session.status === "complete"
      ? "This Checkout Session has already been paid."
      : "This Checkout Session has expired.";
  return page(410, "Checkout closed", `<p>${escapeHtml(message)}</p>`);
}
