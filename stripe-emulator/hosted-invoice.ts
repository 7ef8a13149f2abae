import type Stripe from "stripe";
import type { EmulatorContext } from "./context";
import { formatAmount, formatDate } from "./format";
import { page } from "./hosted-page";
import type { HtmlResponse } from "./hosted-page";
import { escapeHtml } from "./html";
import { BUSINESS_NAME } from "./invoicing";

const STATUS_LABELS: Record<string, string> = {
  draft: "Draft",
  open: "Due",
  paid: "Paid",
  uncollectible: "Uncollectible",
  void: "Void",
};

/**
 * GET: the hosted invoice page at an invoice's `hosted_invoice_url` (and its `invoice_pdf`, the same
 * page): plain HTML, no scripts, printable. Drafts have no hosted page, as at Stripe.
 */
export function showInvoice(context: EmulatorContext, invoiceId: string): HtmlResponse {
  const invoice = context.store.invoices.get(invoiceId);
  if (!invoice || invoice.status === "draft") return notFound();
  return page(200, `Invoice ${invoice.number ?? invoice.id}`, invoiceBody(invoice));
}

/** Hosted invoices take no forms (paying an open one happens through the API or the Billing Portal). */
export function submitInvoice(context: EmulatorContext, invoiceId: string): HtmlResponse {
  const shown = showInvoice(context, invoiceId);
  return shown.status === 200 ? { ...shown, status: 405 } : shown;
}

function invoiceBody(invoice: Stripe.Invoice): string {
  const money = (amount: number) => escapeHtml(formatAmount(amount, invoice.currency));
  const paidAt = invoice.status_transitions.paid_at;
  const lines = invoice.lines.data
    .map(
      (line) =>
        `<tr><th scope="row">${escapeHtml(line.description ?? "")}<br><small>${escapeHtml(formatDate(line.period.start))} – ${escapeHtml(formatDate(line.period.end))}</small></th><td>${line.quantity ?? 1}</td><td>${money(line.amount)}</td></tr>`,
    )
    .join("");
  return `
<p>${escapeHtml(BUSINESS_NAME)}</p>
<dl>
  <dt>Invoice number</dt><dd>${escapeHtml(invoice.number ?? invoice.id)}</dd>
  <dt>Date of issue</dt><dd>${escapeHtml(formatDate(invoice.effective_at ?? invoice.created))}</dd>
  ${paidAt ? `<dt>Date paid</dt><dd>${escapeHtml(formatDate(paidAt))}</dd>` : ""}
  <dt>Billed to</dt><dd>${escapeHtml(invoice.customer_name ?? invoice.customer_email ?? String(invoice.customer))}${invoice.customer_name && invoice.customer_email ? `<br>${escapeHtml(invoice.customer_email)}` : ""}</dd>
  <dt>Status</dt><dd>${escapeHtml(STATUS_LABELS[invoice.status ?? ""] ?? String(invoice.status))}</dd>
</dl>
<table>
  <caption>Lines</caption>
  <thead><tr><th scope="col">Description</th><th scope="col">Qty</th><th scope="col">Amount</th></tr></thead>
  <tbody>${lines}</tbody>
  <tfoot>
    <tr><th scope="row" colspan="2">Subtotal</th><td>${money(invoice.subtotal)}</td></tr>
    <tr><th scope="row" colspan="2">Tax</th><td>${money((invoice.total_taxes ?? []).reduce((sum, tax) => sum + tax.amount, 0))}</td></tr>
    <tr><th scope="row" colspan="2">Total</th><td>${money(invoice.total)}</td></tr>
    <tr><th scope="row" colspan="2">Amount paid</th><td>${money(invoice.amount_paid)}</td></tr>
    <tr><th scope="row" colspan="2">Amount due</th><td>${money(invoice.amount_remaining)}</td></tr>
  </tfoot>
</table>
<p><small>Stripe emulator. This page is also the invoice's PDF link: print it to keep a copy.</small></p>`;
}

function notFound(): HtmlResponse {
  return page(404, "Invoice not found", "<p>This invoice does not exist.</p>");
}
