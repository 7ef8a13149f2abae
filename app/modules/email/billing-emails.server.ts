import type Stripe from "stripe";
import type { DbOrTx } from "#db/client";
import type { orders } from "#db/schema";
import { longDate } from "~/lib/dates";
import { formatMoney } from "~/lib/money";
import { accountManagers } from "~/modules/accounts/organisations.server";
import { requireCatalog } from "~/modules/catalog/catalog.server";
import type { FirstCharge } from "~/modules/orders/first-charge";
import { queueEmail } from "./outbox.server";
import { orderConfirmationMessage, receiptMessage } from "./templates";

type Order = typeof orders.$inferSelect;

async function planNameOf(tx: DbOrTx, planSlug: string | null): Promise<string> {
  const catalog = await requireCatalog(tx);
  return catalog.plans.find((plan) => plan.slug === planSlug)?.name ?? catalog.product.name;
}

/**
 * Confirms an accepted order to the organisation's owners and admins, in the caller's transaction,
 * from Stripe's own figures (`charge`: what was charged, when and what the first charge is). Once
 * per order and address whoever calls it again (outbox key `order-confirmation:<order id>:<address>`).
 */
export async function queueOrderConfirmation(
  tx: DbOrTx,
  { order, charge, appUrl }: { order: Order; charge: FirstCharge; appUrl: string },
): Promise<void> {
  const money = (amount: number) => formatMoney({ amount, currency: charge.currency });
  const planName = await planNameOf(tx, order.planSlug);
  const message = {
    planName,
    seats: order.seats,
    billing: order.interval === "year" ? "yearly" : "monthly",
    price: `${money(charge.recurringAmount)} per ${order.interval}`,
    taxes: money(charge.tax),
    chargedToday: money(charge.chargedNow),
    firstChargeDate: longDate(charge.at),
    firstChargeAmount: money(charge.amount + charge.tax),
    trial: charge.trial,
    orderLink: `${appUrl}/orders/${order.id}`,
  };
  for (const recipient of await accountManagers(tx, order.accountId))
    await queueEmail(
      tx,
      { to: recipient.email, ...orderConfirmationMessage(recipient.name, message) },
      `order-confirmation:${order.id}:${recipient.email}`,
    );
}

/**
 * Sends the owners and admins a receipt for a paid invoice with something paid (`amount_paid` > 0),
 * in the caller's transaction: number, date paid, lines, taxes, total and the hosted invoice link
 * (Stripe's `hosted_invoice_url`; the billing page when Stripe gives none). Once per invoice and
 * address, whatever order or how often its events arrive (outbox key `receipt:<invoice id>:<address>`).
 */
export async function queueReceipt(
  tx: DbOrTx,
  {
    invoice,
    accountId,
    planSlug,
    appUrl,
  }: { invoice: Stripe.Invoice; accountId: string; planSlug: string | null; appUrl: string },
): Promise<void> {
  if (invoice.status !== "paid" || invoice.amount_paid <= 0) return;
  const currency = invoice.currency.toUpperCase();
  const money = (amount: number) => formatMoney({ amount, currency });
  const paidAt = invoice.status_transitions.paid_at ?? invoice.created;
  const receipt = {
    planName: await planNameOf(tx, planSlug),
    number: invoice.number ?? invoice.id,
    paidOn: longDate(new Date(paidAt * 1000)),
    lines: invoice.lines.data.map((line) => ({ description: line.description ?? "", amount: money(line.amount) })),
    taxes: money((invoice.total_taxes ?? []).reduce((sum, tax) => sum + tax.amount, 0)),
    total: money(invoice.amount_paid),
    invoiceLink: invoice.hosted_invoice_url ?? `${appUrl}/account/billing`,
  };
  for (const recipient of await accountManagers(tx, accountId))
    await queueEmail(
      tx,
      { to: recipient.email, ...receiptMessage(recipient.name, receipt) },
      `receipt:${invoice.id}:${recipient.email}`,
    );
}
