import type Stripe from "stripe";
import { currentPeriod, newSubscriptionItem, planFromPrice } from "./billing";
import type { EmulatorContext } from "./context";
import { previousAttributes } from "./events";
import { ID_PREFIX, newId } from "./ids";

/** A phase's item as the emulator needs it: the price object and how many. */
export interface PhaseLine {
  price: Stripe.Price;
  quantity: number;
}

export interface PhaseInput {
  lines: readonly PhaseLine[];
  start: number;
  end: number;
  prorationBehavior: Stripe.SubscriptionSchedule.Phase.ProrationBehavior;
}

/** `from_subscription`: one phase holding the subscription's items until its current period ends. */
export function scheduleFromSubscription(
  context: EmulatorContext,
  subscription: Stripe.Subscription,
): Stripe.SubscriptionSchedule {
  const period = currentPeriod(subscription);
  const lines = subscription.items.data.map((item) => ({ price: item.price, quantity: item.quantity ?? 1 }));
  return {
    id: newId(ID_PREFIX.subscriptionSchedule),
    object: "subscription_schedule",
    application: null,
    billing_mode: { flexible: null, type: "classic" },
    canceled_at: null,
    completed_at: null,
    created: context.now(),
    current_phase: { start_date: period.start, end_date: period.end },
    customer: String(subscription.customer),
    customer_account: null,
    default_settings: {
      application_fee_percent: null,
      billing_cycle_anchor: "automatic",
      billing_thresholds: null,
      collection_method: "charge_automatically",
      default_payment_method: null,
      description: null,
      invoice_settings: {
        account_tax_ids: null,
        custom_fields: null,
        days_until_due: null,
        description: null,
        footer: null,
        issuer: { type: "self" },
      },
      on_behalf_of: null,
      transfer_data: null,
    },
    end_behavior: "release",
    livemode: false,
    metadata: {},
    pause_schedules: [],
    phases: [buildPhase({ lines, start: period.start, end: period.end, prorationBehavior: "create_prorations" })],
    released_at: null,
    released_subscription: null,
    status: "active",
    subscription: subscription.id,
    test_clock: null,
  };
}

export function buildPhase(input: PhaseInput): Stripe.SubscriptionSchedule.Phase {
  const [first] = input.lines;
  return {
    add_invoice_items: [],
    application_fee_percent: null,
    billing_cycle_anchor: null,
    billing_thresholds: null,
    collection_method: null,
    currency: first?.price.currency ?? "usd",
    default_payment_method: null,
    description: null,
    discounts: [],
    end_date: input.end,
    invoice_settings: null,
    items: input.lines.map((line) => ({
      billing_thresholds: null,
      discounts: [],
      metadata: {},
      plan: line.price.id,
      price: line.price.id,
      quantity: line.quantity,
      tax_rates: [],
    })),
    metadata: {},
    on_behalf_of: null,
    proration_behavior: input.prorationBehavior,
    start_date: input.start,
    transfer_data: null,
    trial_end: null,
  };
}

/**
 * The phase a renewal at `at` enters: the latest one started by then that is not the current one.
 * The emulator moves between phases only at renewals, so a phase starting mid-period waits for the next.
 */
export function phaseStartingAt(
  context: EmulatorContext,
  subscription: Stripe.Subscription,
  at: number,
): Stripe.SubscriptionSchedule.Phase | undefined {
  const schedule = activeScheduleOf(context, subscription);
  const currentStart = schedule?.current_phase?.start_date ?? Infinity;
  return schedule?.phases.filter((phase) => phase.start_date <= at && phase.start_date > currentStart).at(-1);
}

/** The subscription's items for a phase: an item keeps its id while its price stays; the rest are new. */
export function itemsForPhase(
  context: EmulatorContext,
  subscription: Stripe.Subscription,
  phase: Stripe.SubscriptionSchedule.Phase,
  at: number,
): Stripe.SubscriptionItem[] {
  const period = currentPeriod(subscription);
  return phase.items.map((phaseItem) => {
    const price = context.store.prices.require(
      typeof phaseItem.price === "string" ? phaseItem.price : phaseItem.price.id,
    );
    const quantity = phaseItem.quantity ?? 1;
    const kept = subscription.items.data.find((item) => item.price.id === price.id);
    return kept
      ? { ...kept, price, plan: planFromPrice(price), quantity }
      : newSubscriptionItem(subscription.id, price, quantity, period, at);
  });
}

/**
 * Moves the schedule into the phase a renewal at `at` enters. The last phase of a schedule that
 * ends with `release` lets the subscription go right away: it keeps that phase's items.
 * Returns what the subscription's `schedule` becomes.
 */
export function enterPhase(context: EmulatorContext, subscription: Stripe.Subscription, at: number): string | null {
  const schedule = activeScheduleOf(context, subscription);
  const phase = phaseStartingAt(context, subscription, at);
  if (!schedule || !phase) return schedule?.id ?? null;
  if (phase === schedule.phases.at(-1) && schedule.end_behavior === "release") {
    releaseSchedule(context, schedule, null);
    return null;
  }
  updateSchedule(
    context,
    schedule,
    { current_phase: { start_date: phase.start_date, end_date: phase.end_date } },
    null,
  );
  return schedule.id;
}

/** The schedule lets go of its subscription, which carries on as it is; the caller detaches the subscription. */
export function releaseSchedule(
  context: EmulatorContext,
  schedule: Stripe.SubscriptionSchedule,
  request: Stripe.Event.Request | null,
): Stripe.SubscriptionSchedule {
  const released = context.store.subscriptionSchedules.put({
    ...schedule,
    status: "released",
    released_at: context.now(),
    released_subscription:
      typeof schedule.subscription === "string" ? schedule.subscription : (schedule.subscription?.id ?? null),
    subscription: null,
    current_phase: null,
  });
  context.recordEvent("subscription_schedule.released", released, request);
  return released;
}

/** When its subscription ends, the schedule ends with it. */
export function cancelScheduleOf(
  context: EmulatorContext,
  subscription: Stripe.Subscription,
  request: Stripe.Event.Request | null,
): void {
  const schedule = activeScheduleOf(context, subscription);
  if (!schedule) return;
  const canceled = context.store.subscriptionSchedules.put({
    ...schedule,
    status: "canceled",
    canceled_at: context.now(),
    current_phase: null,
  });
  context.recordEvent("subscription_schedule.canceled", canceled, request);
}

export function updateSchedule(
  context: EmulatorContext,
  before: Stripe.SubscriptionSchedule,
  changes: Partial<Stripe.SubscriptionSchedule>,
  request: Stripe.Event.Request | null,
): Stripe.SubscriptionSchedule {
  const schedule = context.store.subscriptionSchedules.put({ ...before, ...changes });
  context.recordEvent("subscription_schedule.updated", schedule, request, previousAttributes(before, schedule));
  return schedule;
}

function activeScheduleOf(
  context: EmulatorContext,
  subscription: Stripe.Subscription,
): Stripe.SubscriptionSchedule | undefined {
  const id = typeof subscription.schedule === "string" ? subscription.schedule : subscription.schedule?.id;
  const schedule = id === undefined ? undefined : context.store.subscriptionSchedules.get(id);
  return schedule?.status === "active" ? schedule : undefined;
}
