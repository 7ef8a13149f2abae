import Stripe from "stripe";
import type { EmulatorContext } from "./context";
import { formatAmount, formatInterval } from "./format";
import { ID_PREFIX, newId } from "./ids";

/** One line of an invoice before it is put on one: what is billed, for which period, and why. */
export interface LineSpec {
  price: Stripe.Price;
  quantity: number;
  amount: number;
  description: string;
  period: { start: number; end: number };
  subscriptionItem: string;
  proration: boolean;
  /** The pending invoice item the line bills (a proration kept for the next invoice). */
  invoiceItem: string | null;
}

/** What a set of lines leaves to pay: a credit larger than the charges leaves nothing (Stripe would keep the rest as customer balance). */
export function amountDue(lines: readonly { amount: number }[]): number {
  return Math.max(
    0,
    lines.reduce((sum, line) => sum + line.amount, 0),
  );
}

export function productIdOf(price: Stripe.Price): string {
  return typeof price.product === "string" ? price.product : price.product.id;
}

/** What invoices call a price: its product's name, as Stripe does. */
export function priceLabel(context: EmulatorContext, price: Stripe.Price): string {
  return context.store.products.get(productIdOf(price))?.name ?? price.nickname ?? price.id;
}

/** Each item billed for its current period; a trial period is billed at zero. */
export function periodLines(
  context: EmulatorContext,
  items: readonly Stripe.SubscriptionItem[],
  trial: boolean,
): LineSpec[] {
  return items.map((item) => {
    const quantity = item.quantity ?? 1;
    const label = priceLabel(context, item.price);
    const unitAmount = item.price.unit_amount ?? 0;
    const interval = item.price.recurring ? ` / ${formatInterval(item.price.recurring)}` : "";
    return {
      price: item.price,
      quantity,
      amount: trial ? 0 : unitAmount * quantity,
      description: trial
        ? `Trial period for ${label}`
        : `${quantity} × ${label} (at ${formatAmount(unitAmount, item.price.currency)}${interval})`,
      period: { start: item.current_period_start, end: item.current_period_end },
      subscriptionItem: item.id,
      proration: false,
      invoiceItem: null,
    };
  });
}

/** The subscription's prorations still waiting for an invoice, oldest first. */
export function pendingLines(context: EmulatorContext, subscriptionId: string): LineSpec[] {
  return pendingItems(context, subscriptionId).map((item) => ({
    price: context.store.prices.require(String(item.pricing?.price_details?.price)),
    quantity: item.quantity,
    amount: item.amount,
    description: item.description ?? "",
    period: item.period,
    subscriptionItem: item.parent?.subscription_details?.subscription_item ?? "",
    proration: item.proration,
    invoiceItem: item.id,
  }));
}

export function pendingItems(context: EmulatorContext, subscriptionId: string): Stripe.InvoiceItem[] {
  return context.store.invoiceItems
    .oldestFirst()
    .filter((item) => item.invoice === null && item.parent?.subscription_details?.subscription === subscriptionId);
}

/** Keeps a proration for the subscription's next invoice, as Stripe's `create_prorations` does. */
export function storePendingItem(
  context: EmulatorContext,
  line: LineSpec,
  subscription: Stripe.Subscription,
  request: Stripe.Event.Request | null,
): Stripe.InvoiceItem {
  const item = context.store.invoiceItems.put({
    id: newId(ID_PREFIX.invoiceItem),
    object: "invoiceitem",
    amount: line.amount,
    currency: line.price.currency,
    customer: String(subscription.customer),
    customer_account: null,
    date: context.now(),
    description: line.description,
    discountable: false,
    discounts: [],
    invoice: null,
    livemode: false,
    metadata: {},
    parent: {
      subscription_details: { subscription: subscription.id, subscription_item: line.subscriptionItem },
      type: "subscription_details",
    },
    period: line.period,
    pricing: {
      price_details: { price: line.price.id, product: productIdOf(line.price) },
      type: "price_details",
      unit_amount_decimal: line.price.unit_amount_decimal,
    },
    proration: line.proration,
    proration_details: { credited_items: null, discount_amounts: [] },
    quantity: line.quantity,
    quantity_decimal: Stripe.Decimal.from(line.quantity),
    tax_rates: [],
    test_clock: null,
  });
  context.recordEvent("invoiceitem.created", item, request);
  return item;
}

export function invoiceLine(line: LineSpec, invoiceId: string, subscriptionId: string): Stripe.InvoiceLineItem {
  return {
    id: newId(ID_PREFIX.invoiceLine),
    object: "line_item",
    amount: line.amount,
    currency: line.price.currency,
    description: line.description,
    discount_amounts: [],
    discountable: !line.proration,
    discounts: [],
    invoice: invoiceId,
    livemode: false,
    metadata: {},
    parent: {
      invoice_item_details: null,
      subscription_item_details: {
        invoice_item: line.invoiceItem,
        proration: line.proration,
        proration_details: { credited_items: null },
        subscription: subscriptionId,
        subscription_item: line.subscriptionItem,
      },
      type: "subscription_item_details",
    },
    period: line.period,
    pretax_credit_amounts: [],
    pricing: {
      price_details: { price: line.price.id, product: productIdOf(line.price) },
      type: "price_details",
      unit_amount_decimal: line.price.unit_amount_decimal,
    },
    quantity: line.quantity,
    quantity_decimal: Stripe.Decimal.from(line.quantity),
    subscription: subscriptionId,
    subtotal: line.amount,
    taxes: [],
  };
}
