import type Stripe from "stripe";
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
    throw invalidRequest(
      `The price specified is set to \`type=one_time\` but this field only accepts prices with \`type=recurring\`.`,
      param,
    );
  }
  return price.recurring;
}

/** The period all items share (they are billed together, so their periods are equal). */
export function currentPeriod(subscription: Stripe.Subscription): { start: number; end: number } {
  const [item] = subscription.items.data;
  if (!item) throw new Error(`Subscription ${subscription.id} has no items`);
  return { start: item.current_period_start, end: item.current_period_end };
}

/** Items billed together must share an interval; a change of interval restarts the billing cycle. */
export function sameInterval(a: Stripe.Price, b: Stripe.Price): boolean {
  return a.recurring?.interval === b.recurring?.interval && a.recurring?.interval_count === b.recurring?.interval_count;
}

export interface ItemPeriod {
  start: number;
  end: number;
}

/** The item's current period: the trial when there is one, else one billing interval from `start`. */
function itemPeriod(price: Stripe.Price, start: number, trialEnd: number | null): ItemPeriod {
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
  defaultPaymentMethod: string | null;
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
    default_payment_method: input.defaultPaymentMethod,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    ended_at: null,
    invoice_settings: {
      account_tax_ids: null,
      custom_fields: null,
      description: null,
      footer: null,
      issuer: { type: "self" },
    },
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
