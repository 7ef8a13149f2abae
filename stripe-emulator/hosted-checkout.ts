import type Stripe from "stripe";
import { completeCheckout } from "./checkout-completion";
import type { EmulatorContext } from "./context";
import { escapeHtml } from "./html";
import { cardOutcome } from "./test-cards";

export interface HtmlResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** No scripts at all; the page's own <style> is the only inline content allowed. */
const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
  "cache-control": "no-store",
};

/** GET: the payment page of an open session. */
export function showCheckout(context: EmulatorContext, sessionId: string): HtmlResponse {
  const session = context.store.checkoutSessions.get(sessionId);
  if (!session) return page(404, "Checkout not found", `<p>This Checkout Session does not exist.</p>`);
  if (session.status !== "open") return closedPage(session);
  return paymentPage(200, session, null);
}

/** POST: the Pay button. Test cards decide the outcome; a success redirects to `success_url`. */
export function payCheckout(context: EmulatorContext, sessionId: string, form: URLSearchParams): HtmlResponse {
  const session = context.store.checkoutSessions.get(sessionId);
  if (!session) return page(404, "Checkout not found", `<p>This Checkout Session does not exist.</p>`);
  if (session.status !== "open") return closedPage(session);
  const email = (form.get("email") ?? "").trim();
  if (needsEmail(session) && !email.includes("@")) return paymentPage(400, session, "Your email address is incomplete.");
  const outcome = cardOutcome(form.get("card_number") ?? "");
  if (outcome.kind === "declined") return paymentPage(402, session, outcome.message);
  const completed = completeCheckout(context, session.id, email || null);
  const successUrl = (completed.success_url ?? "").replaceAll("{CHECKOUT_SESSION_ID}", completed.id);
  return { status: 303, headers: { location: successUrl, "cache-control": "no-store" }, body: "" };
}

function needsEmail(session: Stripe.Checkout.Session): boolean {
  return session.customer === null && session.customer_email === null;
}

function paymentPage(status: number, session: Stripe.Checkout.Session, error: string | null): HtmlResponse {
  const currency = session.currency ?? "usd";
  const rows = (session.line_items?.data ?? [])
    .map((item) => {
      const interval = item.price?.recurring ? ` per ${item.price.recurring.interval_count > 1 ? `${item.price.recurring.interval_count} ` : ""}${item.price.recurring.interval}` : "";
      return `<tr><th scope="row">${escapeHtml(item.description ?? "")}</th><td>${item.quantity ?? 1}</td><td>${escapeHtml(formatAmount(item.amount_total, item.currency))}${escapeHtml(interval)}</td></tr>`;
    })
    .join("");
  const errorId = "card-error";
  const emailField = needsEmail(session)
    ? `<p><label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email" required></p>`
    : `<p>Paying as ${escapeHtml(session.customer_email ?? "an existing customer")}</p>`;
  const body = `
<table>
  <caption>Order summary</caption>
  <thead><tr><th scope="col">Item</th><th scope="col">Qty</th><th scope="col">Price</th></tr></thead>
  <tbody>${rows}</tbody>
  <tfoot><tr><th scope="row" colspan="2">Total due today</th><td>${escapeHtml(formatAmount(session.amount_total ?? 0, currency))}</td></tr></tfoot>
</table>
<form method="post" action="/c/pay/${escapeHtml(encodeURIComponent(session.id))}">
  ${emailField}
  <p>
    <label for="card_number">Card number</label>
    <input id="card_number" name="card_number" inputmode="numeric" autocomplete="cc-number" required${error ? ` aria-invalid="true" aria-describedby="${errorId}"` : ""}>
  </p>
  ${error ? `<p id="${errorId}" role="alert">${escapeHtml(error)}</p>` : ""}
  <p><button type="submit">Pay</button></p>
</form>
${session.cancel_url ? `<p><a href="${escapeHtml(session.cancel_url)}">Cancel and return</a></p>` : ""}
<p><small>Stripe emulator. Test cards: 4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined; 4000 0000 0000 9995 has insufficient funds.</small></p>`;
  return page(status, "Subscribe", body);
}

function closedPage(session: Stripe.Checkout.Session): HtmlResponse {
  const message = session.status === "complete" ? "This Checkout Session has already been paid." : "This Checkout Session has expired.";
  return page(410, "Checkout closed", `<p>${escapeHtml(message)}</p>`);
}

function page(status: number, title: string, body: string): HtmlResponse {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Stripe emulator</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }
table { width: 100%; border-collapse: collapse; margin-bottom: 1.5rem; }
th, td { text-align: left; padding: .4rem 0; border-bottom: 1px solid #ccc; }
label { display: block; font-weight: 600; margin-bottom: .25rem; }
input { width: 100%; padding: .5rem; font-size: 1rem; box-sizing: border-box; }
button { padding: .6rem 1.5rem; font-size: 1rem; background: #533afd; color: #fff; border: 0; border-radius: 4px; }
button:focus-visible, input:focus-visible, a:focus-visible { outline: 3px solid #1a1a1a; outline-offset: 2px; }
[role="alert"] { color: #a4000f; font-weight: 600; }
</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>`;
  return { status, headers: PAGE_HEADERS, body: html };
}

/** Amounts are in the currency's minor unit (cents; yen have none). */
function formatAmount(amount: number, currency: string): string {
  const format = new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amount / 10 ** digits);
}
