import Stripe from "stripe";
import type { EmulatorContext } from "./context";
import { invalidRequest } from "./errors";
import { ID_PREFIX, newId } from "./ids";
import { periodEnd } from "./periods";

/** Stripe still returns the legacy `plan` beside `price` on subscription items. */
export function planFromPrice(price: Stripe.Price): Stripe.Plan {
  const recurring = recurringOf(price);
  return {
    id: price.id,
    object: "plan",
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: price.billing_scheme,
    created: price.created,
    currency: price.currency,
    interval: recurring.interval,
    interval_count: recurring.interval_count,
    livemode: false,
    metadata: price.metadata,
    meter: null,
    nickname: price.nickname,
    product: typeof price.product === "string" ? price.product : price.product.id,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: recurring.usage_type,
  };
}

/** Subscriptions need recurring prices; Stripe rejects one-time prices with this message. */
export function recurringOf(price: Stripe.Price, param = "price"): Stripe.Price.Recurring {
  if (!price.recurring) {
    throw invalidRequest(`The price specified is set to \`type=one_time\` but this field only accepts prices with \`type=recurring\`.`, param);
  }
  return price.recurring;
}

export interface ItemPeriod {
  start: number;
  end: number;
}

/** The item's current period: the trial when there is one, else one billing interval from `start`. */
export function itemPeriod(price: Stripe.Price, start: number, trialEnd: number | null): ItemPeriod {
  return { start, end: trialEnd ?? periodEnd(start, recurringOf(price)) };
}

export function newSubscriptionItem(
  subscriptionId: string,
  price: Stripe.Price,
  quantity: number,
  period: ItemPeriod,
  now: number,
): Stripe.SubscriptionItem {
  return {
    id: newId(ID_PREFIX.subscriptionItem),
    object: "subscription_item",
    billing_thresholds: null,
    created: now,
    current_period_end: period.end,
    current_period_start: period.start,
    current_trial: null,
    discounts: [],
    metadata: {},
    plan: planFromPrice(price),
    price,
    quantity,
    subscription: subscriptionId,
    tax_rates: [],
  };
}

export interface SubscriptionLine {
  price: Stripe.Price;
  quantity: number;
}

export interface NewSubscription {
  customer: string;
  /** At least one line; all lines share the first one's billing interval. */
  lines: readonly [SubscriptionLine, ...SubscriptionLine[]];
  trialEnd: number | null;
  metadata: Record<string, string>;
}

export function newSubscription(input: NewSubscription, now: number): Stripe.Subscription {
  const id = newId(ID_PREFIX.subscription);
  const period = itemPeriod(input.lines[0].price, now, input.trialEnd);
  const items = input.lines.map((line) => newSubscriptionItem(id, line.price, line.quantity, period, now));
  return {
    id,
    object: "subscription",
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: input.trialEnd ?? now,
    billing_cycle_anchor_config: null,
    billing_mode: { flexible: null, type: "classic" },
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
    collection_method: "charge_automatically",
    created: now,
    currency: input.lines[0].price.currency,
    customer: input.customer,
    customer_account: null,
    days_until_due: null,
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    ended_at: null,
    invoice_settings: { account_tax_ids: null, custom_fields: null, description: null, footer: null, issuer: { type: "self" } },
    items: { object: "list", data: items, has_more: false, url: `/v1/subscription_items?subscription=${id}` },
    latest_invoice: null,
    livemode: false,
    managed_payments: null,
    metadata: input.metadata,
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: "off" },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: now,
    status: input.trialEnd === null ? "active" : "trialing",
    test_clock: null,
    transfer_data: null,
    trial_end: input.trialEnd,
    trial_settings: { end_behavior: { billing_cycle_anchor: null, missing_payment_method: "create_invoice" } },
    trial_start: input.trialEnd === null ? null : now,
  };
}

/**
 * Stores a paid invoice for the subscription's current items: what Stripe issues when a
 * subscription starts (nothing to pay during a trial, so the amount is zero then).
 */
export function storePaidInvoice(
  context: EmulatorContext,
  subscription: Stripe.Subscription,
  customer: Stripe.Customer,
  billingReason: Stripe.Invoice.BillingReason,
): Stripe.Invoice {
  const now = context.now();
  const id = newId(ID_PREFIX.invoice);
  const trialing = subscription.status === "trialing";
  const lines = subscription.items.data.map((item): Stripe.InvoiceLineItem => {
    const quantity = item.quantity ?? 1;
    const amount = trialing ? 0 : (item.price.unit_amount ?? 0) * quantity;
    return {
      id: newId(ID_PREFIX.lineItem),
      object: "line_item",
      amount,
      currency: item.price.currency,
      description: trialing ? `Trial period for ${quantity} × ${item.price.nickname ?? item.price.id}` : `${quantity} × ${item.price.nickname ?? item.price.id}`,
      discount_amounts: [],
      discountable: true,
      discounts: [],
      invoice: id,
      livemode: false,
      metadata: {},
      parent: {
        invoice_item_details: null,
        subscription_item_details: {
          invoice_item: null,
          proration: false,
          proration_details: { credited_items: null },
          subscription: subscription.id,
          subscription_item: item.id,
        },
        type: "subscription_item_details",
      },
      period: { start: item.current_period_start, end: item.current_period_end },
      pretax_credit_amounts: [],
      pricing: {
        price_details: { price: item.price.id, product: typeof item.price.product === "string" ? item.price.product : item.price.product.id },
        type: "price_details",
        unit_amount_decimal: item.price.unit_amount_decimal,
      },
      quantity,
      quantity_decimal: Stripe.Decimal.from(quantity),
      subscription: subscription.id,
      subtotal: amount,
      taxes: [],
    };
  });
  const total = lines.reduce((sum, line) => sum + line.amount, 0);
  const invoice = context.store.invoices.put({
    id,
    object: "invoice",
    account_country: "US",
    account_name: "Stripe emulator",
    account_tax_ids: null,
    amount_due: total,
    amount_overpaid: 0,
    amount_paid: total,
    amount_remaining: 0,
    amount_shipping: 0,
    application: null,
    attempt_count: total > 0 ? 1 : 0,
    attempted: total > 0,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: billingReason,
    collection_method: "charge_automatically",
    created: now,
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
    effective_at: now,
    ending_balance: 0,
    footer: null,
    from_invoice: null,
    issuer: { type: "self" },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: "list", data: lines, has_more: false, url: `/v1/invoices/${id}/lines` },
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: `EMU-${String(context.store.invoices.newestFirst().length + 1).padStart(4, "0")}`,
    on_behalf_of: null,
    parent: {
      quote_details: null,
      subscription_details: { metadata: subscription.metadata, subscription: subscription.id },
      type: "subscription_details",
    },
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    // A subscription's first invoice covers no past usage, so Stripe gives it an empty period.
    period_end: now,
    period_start: now,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: "paid",
    status_transitions: { finalized_at: now, marked_uncollectible_at: null, paid_at: now, voided_at: null },
    subtotal: total,
    subtotal_excluding_tax: total,
    test_clock: null,
    total,
    total_discount_amounts: [],
    total_excluding_tax: total,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: now,
  });
  return invoice;
}

/** The events Stripe sends as an invoice is created, finalized and paid in one go. */
export function recordPaidInvoiceEvents(context: EmulatorContext, invoice: Stripe.Invoice): void {
  context.recordEvent("invoice.created", invoice, null);
  context.recordEvent("invoice.finalized", invoice, null);
  context.recordEvent("invoice.paid", invoice, null);
  context.recordEvent("invoice.payment_succeeded", invoice, null);
}
