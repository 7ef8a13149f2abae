import type Stripe from "stripe";
import { currentPeriod } from "./billing";
import { cardFields, readCardFields } from "./card-form";
import { changeDefaultCard } from "./card-change";
import type { EmulatorContext } from "./context";
import { formatAmount, formatDate } from "./format";
import { page, redirect } from "./hosted-page";
import type { HtmlResponse } from "./hosted-page";
import { escapeHtml } from "./html";
import { priceLabel } from "./invoice-lines";
import { BUSINESS_NAME } from "./invoicing";
import { chargeablePaymentMethod } from "./payment-methods";
import { hostedPortalPath } from "./resources/billing-portal-sessions";
import { updateSubscription } from "./subscription-updates";

const ENDED: ReadonlySet<Stripe.Subscription.Status> = new Set(["canceled", "incomplete_expired"]);
const BRAND_NAMES: Record<string, string> = { visa: "Visa", mastercard: "Mastercard", amex: "American Express" };

/** GET: the customer's subscriptions, card and invoices. */
export function showPortal(context: EmulatorContext, sessionId: string): HtmlResponse {
  const session = context.store.billingPortalSessions.get(sessionId);
  if (!session) return notFound();
  return portalPage(context, 200, session, null);
}

/** POST: one of the page's forms (`action` says which); success redirects back to the page. */
export function submitPortal(context: EmulatorContext, sessionId: string, form: URLSearchParams): HtmlResponse {
  const session = context.store.billingPortalSessions.get(sessionId);
  if (!session) return notFound();
  const action = form.get("action");
  if (action === "update_payment_method") return updatePaymentMethod(context, session, form);
  if (action !== "cancel" && action !== "renew")
    return page(400, "Billing", "<p>This form is not one the portal knows.</p>");
  const subscription = context.store.subscriptions.get(form.get("subscription") ?? "");
  if (!subscription || subscription.customer !== session.customer || ENDED.has(subscription.status)) {
    return page(404, "Billing", "<p>This subscription cannot be changed here.</p>");
  }
  updateSubscription(context, subscription, { cancelAtPeriodEnd: action === "cancel" }, null);
  return redirect(hostedPortalPath(session.id));
}

function updatePaymentMethod(
  context: EmulatorContext,
  session: Stripe.BillingPortal.Session,
  form: URLSearchParams,
): HtmlResponse {
  const card = readCardFields(form, context.now(), { requireExpiryAndCvc: true });
  if ("error" in card) return portalPage(context, 400, session, card.error);
  if (card.card.attach.kind === "declined") return portalPage(context, 402, session, card.card.attach.message);
  changeDefaultCard(context, context.store.customers.require(session.customer), card, null);
  return redirect(hostedPortalPath(session.id));
}

function portalPage(
  context: EmulatorContext,
  status: number,
  session: Stripe.BillingPortal.Session,
  cardError: string | null,
): HtmlResponse {
  const customer = context.store.customers.require(session.customer);
  const subscriptions = context.store.subscriptions
    .newestFirst()
    .filter((subscription) => subscription.customer === customer.id && !ENDED.has(subscription.status));
  const body = `
<p>Signed in as ${escapeHtml(customer.email ?? customer.name ?? customer.id)}</p>
<section aria-labelledby="plans-heading">
  <h2 id="plans-heading">Current plan</h2>
  ${subscriptions.length === 0 ? "<p>No current plan.</p>" : subscriptions.map((subscription) => subscriptionSection(context, session, subscription)).join("\n")}
</section>
<section aria-labelledby="payment-method-heading">
  <h2 id="payment-method-heading">Payment method</h2>
  <p>${escapeHtml(cardSummary(chargeablePaymentMethod(context, customer.id, null)))}</p>
  <form method="post" action="${escapeHtml(hostedPortalPath(session.id))}">
    <input type="hidden" name="action" value="update_payment_method">
    <fieldset>
      <legend>Update payment method</legend>
      ${cardFields({ requireExpiryAndCvc: true, error: cardError })}
      <p><button type="submit">Update payment method</button></p>
    </fieldset>
  </form>
</section>
<section aria-labelledby="invoices-heading">
  <h2 id="invoices-heading">Invoice history</h2>
  ${invoiceTable(context, customer.id)}
</section>
${session.return_url ? `<p><a href="${escapeHtml(session.return_url)}">Return to ${escapeHtml(BUSINESS_NAME)}</a></p>` : ""}
<p><small>Stripe emulator. Test cards: 4242 4242 4242 4242 works; 4000 0000 0000 0341 is saved but declines charges; 4000 0000 0000 0002 is declined.</small></p>`;
  return page(status, "Billing", body);
}

function subscriptionSection(
  context: EmulatorContext,
  session: Stripe.BillingPortal.Session,
  subscription: Stripe.Subscription,
): string {
  const [item] = subscription.items.data;
  const plan = item ? (item.price.nickname ?? priceLabel(context, item.price)) : "";
  const periodEnd = formatDate(currentPeriod(subscription).end);
  const headingId = `plan-${subscription.id}`;
  const action = subscription.cancel_at_period_end
    ? `<p>Your plan will be canceled on ${escapeHtml(periodEnd)}.</p>${subscriptionForm(session, subscription, "renew", "Renew plan")}`
    : subscriptionForm(session, subscription, "cancel", "Cancel plan");
  return `<article aria-labelledby="${escapeHtml(headingId)}">
  <h3 id="${escapeHtml(headingId)}">${escapeHtml(plan)}</h3>
  <dl>
    <dt>Quantity</dt><dd>${item?.quantity ?? 1}</dd>
    <dt>Status</dt><dd>${escapeHtml(statusLabel(subscription.status))}</dd>
    <dt>Current period ends</dt><dd>${escapeHtml(periodEnd)}</dd>
  </dl>
  ${action}
</article>`;
}

function subscriptionForm(
  session: Stripe.BillingPortal.Session,
  subscription: Stripe.Subscription,
  action: "cancel" | "renew",
  label: string,
): string {
  return `<form method="post" action="${escapeHtml(hostedPortalPath(session.id))}">
    <input type="hidden" name="action" value="${action}">
    <input type="hidden" name="subscription" value="${escapeHtml(subscription.id)}">
    <p><button type="submit">${escapeHtml(label)}</button></p>
  </form>`;
}

function invoiceTable(context: EmulatorContext, customerId: string): string {
  const invoices = context.store.invoices
    .newestFirst()
    .filter((invoice) => invoice.customer === customerId && invoice.status !== "draft");
  if (invoices.length === 0) return "<p>No invoices yet.</p>";
  const rows = invoices
    .map(
      (invoice) =>
        `<tr><th scope="row">${invoiceLink(invoice)}</th><td>${escapeHtml(formatDate(invoice.created))}</td><td>${escapeHtml(formatAmount(invoice.amount_due, invoice.currency))}</td><td>${escapeHtml(statusLabel(invoice.status ?? ""))}</td></tr>`,
    )
    .join("");
  return `<table>
  <thead><tr><th scope="col">Number</th><th scope="col">Date</th><th scope="col">Amount</th><th scope="col">Status</th></tr></thead>
  <tbody>${rows}</tbody>
</table>`;
}

/** The invoice's number, linked to its hosted page once it has one. */
function invoiceLink(invoice: Stripe.Invoice): string {
  const number = escapeHtml(invoice.number ?? invoice.id);
  return invoice.hosted_invoice_url ? `<a href="${escapeHtml(invoice.hosted_invoice_url)}">${number}</a>` : number;
}

function cardSummary(paymentMethod: Stripe.PaymentMethod | null): string {
  const card = paymentMethod?.card;
  if (!card) return "No payment method on file.";
  const expiry = `${String(card.exp_month).padStart(2, "0")}/${card.exp_year}`;
  return `${BRAND_NAMES[card.brand] ?? card.brand} •••• ${card.last4}, expires ${expiry}`;
}

/** "past_due" → "Past due". */
function statusLabel(status: string): string {
  const words = status.replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function notFound(): HtmlResponse {
  return page(404, "Billing", "<p>This Billing Portal session does not exist.</p>");
}
