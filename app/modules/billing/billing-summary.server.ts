import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database } from "#db/client";
import { billingCustomers } from "#db/schema";
import type { Money } from "~/lib/money";
import { currentSubscription } from "./subscriptions.server";

/** A card as people recognise it: "Visa ending 4242, expires 12/2030". */
export type CardSummary = { brand: string; last4: string; expMonth: number; expYear: number };

/** One invoice of the list; `number` and the links only when Stripe has them (drafts have none). */
export type InvoiceSummary = {
  id: string;
  number: string | null;
  /** When Stripe issued it, ISO 8601 UTC. */
  issuedAt: string;
  total: Money;
  status: string;
  hostedUrl: string | null;
  pdfUrl: string | null;
};

/**
 * What Stripe says the organisation pays: the next invoice (none while the subscription ends at
 * its period end), the card it is charged to, and a page of invoices, newest first. `nextCursor`
 * is the `starting_after` of the following page, null on the last.
 */
export type BillingSummary = {
  available: true;
  nextInvoice: { total: Money; date: string } | null;
  card: CardSummary | null;
  invoices: InvoiceSummary[];
  nextCursor: string | null;
};
export type BillingSummaryResult = BillingSummary | { available: false; message: string };

export const BILLING_UNAVAILABLE = "Billing details are unavailable right now. Please try again in a few minutes.";

/** Short enough that a card changed elsewhere shows soon; long enough that reloads cost Stripe nothing. */
const CACHE_MS = 60_000;
/** Invoices per page: a year of monthly invoices and a little. */
export const INVOICE_PAGE_SIZE = 12;

type Cached = { stamp: string; at: number; summary: BillingSummary };
const cache = new Map<string, Cached>();

/**
 * Forgets the organisation's cached summary: after the portal itself changed the subscription in
 * Stripe, so the next page shows Stripe's answer, not the one from before.
 */
export function dropBillingSummary(accountId: string): void {
  cache.delete(accountId);
}

/**
 * The organisation's billing summary, from Stripe (the source of truth for payment state). Null
 * when it has no Stripe customer or no subscription. The first page is cached per organisation
 * for 60 s under a stamp of the subscription mirror (its `updatedAt`): every processed webhook of
 * that customer rewrites the mirror (process-event.server.ts), so the stamp changes and the cache
 * is dropped, in whichever process the webhook ran. A Stripe failure answers `available: false`
 * with a sentence, never throws; only the preview failing leaves the rest (no next invoice).
 */
export async function billingSummary(
  deps: { db: Database; stripe: Stripe },
  accountId: string,
  page: { startingAfter?: string } = {},
): Promise<BillingSummaryResult | null> {
  const [customer] = await deps.db
    .select({ id: billingCustomers.stripeCustomerId })
    .from(billingCustomers)
    .where(eq(billingCustomers.accountId, accountId));
  const mirrored = await currentSubscription(deps.db, accountId);
  if (!customer || !mirrored) return null;
  const stamp = `${mirrored.id}:${mirrored.updatedAt.toISOString()}`;
  const firstPage = page.startingAfter === undefined;
  const hit = firstPage ? cache.get(accountId) : undefined;
  if (hit && hit.stamp === stamp && Date.now() - hit.at < CACHE_MS) return hit.summary;
  try {
    const [subscription, invoices] = await Promise.all([
      deps.stripe.subscriptions.retrieve(mirrored.id, { expand: ["default_payment_method"] }),
      deps.stripe.invoices.list({
        customer: customer.id,
        limit: INVOICE_PAGE_SIZE,
        ...(page.startingAfter ? { starting_after: page.startingAfter } : {}),
      }),
    ]);
    const [card, nextInvoice] = await Promise.all([
      cardOf(deps.stripe, subscription, customer.id),
      upcoming(deps.stripe, subscription, customer.id),
    ]);
    const shown = invoices.data.filter((invoice) => invoice.status !== "draft");
    const summary: BillingSummary = {
      available: true,
      nextInvoice,
      card,
      invoices: shown.map(invoiceSummary),
      nextCursor: invoices.has_more ? (invoices.data.at(-1)?.id ?? null) : null,
    };
    if (firstPage) cache.set(accountId, { stamp, at: Date.now(), summary });
    return summary;
  } catch {
    return { available: false, message: BILLING_UNAVAILABLE };
  }
}

/** The subscription's own default card, else the customer's invoice default (Stripe's order of precedence). */
async function cardOf(stripe: Stripe, subscription: Stripe.Subscription, customerId: string) {
  const own = subscription.default_payment_method;
  if (own && typeof own !== "string") return cardSummary(own);
  const customer = await stripe.customers.retrieve(customerId, {
    expand: ["invoice_settings.default_payment_method"],
  });
  if (customer.deleted) return null;
  const fallback = customer.invoice_settings.default_payment_method;
  return fallback && typeof fallback !== "string" ? cardSummary(fallback) : null;
}

function cardSummary(paymentMethod: Stripe.PaymentMethod): CardSummary | null {
  const card = paymentMethod.card;
  return card ? { brand: card.brand, last4: card.last4, expMonth: card.exp_month, expYear: card.exp_year } : null;
}

/**
 * The invoice Stripe will issue at the period end (`invoices.createPreview`), dated by that end.
 * None for a subscription ending at its period end or ended; a preview Stripe refuses leaves none.
 */
async function upcoming(
  stripe: Stripe,
  subscription: Stripe.Subscription,
  customerId: string,
): Promise<BillingSummary["nextInvoice"]> {
  const periodEnd = subscription.items.data[0]?.current_period_end;
  if (subscription.cancel_at_period_end || subscription.ended_at || !periodEnd) return null;
  try {
    const preview = await stripe.invoices.createPreview({ customer: customerId, subscription: subscription.id });
    return {
      total: { amount: preview.amount_due, currency: preview.currency.toUpperCase() },
      date: new Date(periodEnd * 1000).toISOString(),
    };
  } catch {
    return null;
  }
}

function invoiceSummary(invoice: Stripe.Invoice): InvoiceSummary {
  return {
    id: invoice.id ?? "",
    number: invoice.number ?? null,
    issuedAt: new Date(invoice.created * 1000).toISOString(),
    total: { amount: invoice.total, currency: invoice.currency.toUpperCase() },
    status: invoice.status ?? "draft",
    hostedUrl: invoice.hosted_invoice_url ?? null,
    pdfUrl: invoice.invoice_pdf ?? null,
  };
}
