import type Stripe from "stripe";
import type { EmulatorContext } from "./context";
import { ID_PREFIX, invoicePrefixOf, newId } from "./ids";
import { amountDue, invoiceLine } from "./invoice-lines";
import type { LineSpec } from "./invoice-lines";

/** The business the emulated account belongs to, shown on invoices and the Billing Portal. */
export const BUSINESS_NAME = "Example Business";

/** What a subscription invoice is made of. */
export interface InvoiceDraft {
  subscription: Stripe.Subscription;
  billingReason: Stripe.Invoice.BillingReason;
  lines: readonly LineSpec[];
  /** The service period the invoice closes; empty (start = end) for first and update invoices. */
  period: { start: number; end: number };
}

/** An unsaved draft invoice; `invoices.createPreview` returns one of these as it is. */
export function buildInvoice(
  context: EmulatorContext,
  id: string,
  draft: InvoiceDraft,
  created: number,
): Stripe.Invoice {
  const { subscription } = draft;
  const customer = context.store.customers.require(String(subscription.customer));
  const lines = draft.lines.map((line) => invoiceLine(line, id, subscription.id));
  const total = lines.reduce((sum, line) => sum + line.amount, 0);
  const due = amountDue(lines);
  return {
    id,
    object: "invoice",
    account_country: "US",
    account_name: BUSINESS_NAME,
    account_tax_ids: null,
    amount_due: due,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: due,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: draft.billingReason,
    collection_method: "charge_automatically",
    created,
    currency: subscription.currency,
    custom_fields: null,
    customer: customer.id,
    customer_account: null,
    customer_address: null,
    customer_email: customer.email,
    customer_name: customer.name ?? null,
    customer_phone: customer.phone ?? null,
    customer_shipping: null,
    customer_tax_exempt: "none",
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: null,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    issuer: { type: "self" },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: "list", data: lines, has_more: false, url: `/v1/invoices/${id}/lines` },
    livemode: false,
    metadata: {},
    hosted_invoice_url: null,
    invoice_pdf: null,
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: {
      quote_details: null,
      subscription_details: { metadata: subscription.metadata, subscription: subscription.id },
      type: "subscription_details",
    },
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: draft.period.end,
    period_start: draft.period.start,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: "draft",
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal: total,
    subtotal_excluding_tax: total,
    test_clock: null,
    total,
    total_discount_amounts: [],
    total_excluding_tax: total,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: created,
  };
}

/**
 * Creates and finalizes the invoice (events `invoice.created`, `invoice.finalized`); the pending
 * items it bills are marked as invoiced. Collecting payment is the caller's next step.
 */
export function issueInvoice(
  context: EmulatorContext,
  draft: InvoiceDraft,
  request: Stripe.Event.Request | null,
): Stripe.Invoice {
  const now = context.now();
  const created = context.store.invoices.put(buildInvoice(context, newId(ID_PREFIX.invoice), draft, now));
  context.recordEvent("invoice.created", created, request);
  for (const line of draft.lines) {
    const item = line.invoiceItem === null ? undefined : context.store.invoiceItems.get(line.invoiceItem);
    if (item) context.store.invoiceItems.put({ ...item, invoice: created.id });
  }
  const finalized = context.store.invoices.put({
    ...created,
    status: "open",
    number: nextInvoiceNumber(context, created.customer as string),
    // Stripe gives an invoice its hosted page and PDF when it is finalized, never to a draft.
    hosted_invoice_url: hostedInvoiceUrl(context, created.id),
    invoice_pdf: invoicePdfUrl(context, created.id),
    effective_at: now,
    ending_balance: 0,
    status_transitions: { ...created.status_transitions, finalized_at: now },
  });
  context.recordEvent("invoice.finalized", finalized, request);
  return finalized;
}

/**
 * "<customer's invoice prefix>-<sequence>", as Stripe numbers invoices by default: the sequence
 * counts the customer's finalized invoices, from 0001.
 */
function nextInvoiceNumber(context: EmulatorContext, customerId: string): string {
  const customer = context.store.customers.require(customerId);
  const numbered = context.store.invoices
    .oldestFirst()
    .filter((invoice) => invoice.customer === customerId && invoice.number !== null).length;
  return `${invoicePrefixOf(customer)}-${String(numbered + 1).padStart(4, "0")}`;
}

/** Path of an invoice's hosted page, served by `hosted-invoice.ts`. */
export function hostedInvoicePath(invoiceId: string): string {
  return `/i/${encodeURIComponent(invoiceId)}`;
}

function hostedInvoiceUrl(context: EmulatorContext, invoiceId: string): string {
  return `${context.baseUrl}${hostedInvoicePath(invoiceId)}`;
}

/** The "PDF" is the same printable page (see README): the emulator writes no PDF files. */
function invoicePdfUrl(context: EmulatorContext, invoiceId: string): string {
  return `${context.baseUrl}${hostedInvoicePath(invoiceId)}/pdf`;
}
