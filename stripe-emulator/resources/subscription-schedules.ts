import type Stripe from "stripe";
import { z } from "zod";
import { currentPeriod, recurringOf } from "../billing";
import { cancelSubscriptionNow } from "../cancellation";
import type { EmulatorContext } from "../context";
import { invalidRequest, notImplemented } from "../errors";
import { previousAttributes } from "../events";
import { paginate, paginationParams } from "../list";
import { formInteger, formMetadata, mergeMetadata, parseParams } from "../params";
import { periodEnd } from "../periods";
import type { Route } from "../router";
import { buildPhase, releaseSchedule, scheduleFromSubscription, updateSchedule } from "../schedules";
import type { PhaseLine } from "../schedules";
import { prorationBehaviorParam } from "./subscriptions";

const createParams = z.strictObject({
  from_subscription: z.string().optional(),
  metadata: formMetadata.optional(),
});

const timestampOrNow = z.union([z.literal("now"), formInteger]);

const phaseParams = z.strictObject({
  items: z
    .array(z.strictObject({ price: z.string(), quantity: formInteger.pipe(z.number().min(1)).optional() }))
    .min(1),
  start_date: timestampOrNow.optional(),
  end_date: timestampOrNow.optional(),
  duration: z
    .strictObject({
      interval: z.enum(["day", "week", "month", "year"]),
      interval_count: formInteger.pipe(z.number().min(1)).optional(),
    })
    .optional(),
  proration_behavior: prorationBehaviorParam.optional(),
});

const updateParams = z.strictObject({
  phases: z.array(phaseParams).min(1).optional(),
  end_behavior: z.enum(["release", "cancel", "none", "renew"]).optional(),
  // Phases change the subscription only at renewals here, so there is never anything to prorate.
  proration_behavior: prorationBehaviorParam.optional(),
  metadata: formMetadata.optional(),
});

const listParams = z.strictObject({ ...paginationParams, customer: z.string().optional() });

export const subscriptionScheduleRoutes: Route[] = [
  {
    method: "POST",
    path: "/v1/subscription_schedules",
    handle({ params, eventRequest }, context) {
      const input = parseParams(createParams, params);
      if (input.from_subscription === undefined)
        throw notImplemented("schedules that do not start `from_subscription`", "from_subscription");
      const before = context.store.subscriptions.require(input.from_subscription, "from_subscription");
      if (before.status === "canceled")
        throw invalidRequest("A canceled subscription cannot be given a schedule.", "from_subscription");
      if (before.schedule !== null) {
        throw invalidRequest(
          `You cannot migrate a subscription that is already attached to a schedule: \`${String(before.schedule)}\`.`,
          "from_subscription",
        );
      }
      const schedule = context.store.subscriptionSchedules.put({
        ...scheduleFromSubscription(context, before),
        metadata: mergeMetadata({}, input.metadata),
      });
      context.recordEvent("subscription_schedule.created", schedule, eventRequest);
      const subscription = context.store.subscriptions.put({ ...before, schedule: schedule.id });
      context.recordEvent(
        "customer.subscription.updated",
        subscription,
        eventRequest,
        previousAttributes(before, subscription),
      );
      return schedule;
    },
  },
  {
    method: "GET",
    path: "/v1/subscription_schedules/:id",
    handle: ({ pathParams }, context) => context.store.subscriptionSchedules.require(pathParams.id ?? ""),
  },
  {
    method: "POST",
    path: "/v1/subscription_schedules/:id",
    handle({ params, pathParams, eventRequest }, context) {
      const before = activeSchedule(context, pathParams.id ?? "");
      const input = parseParams(updateParams, params);
      if (input.end_behavior !== undefined && input.end_behavior !== "release")
        throw notImplemented(`end_behavior=${input.end_behavior}`, "end_behavior");
      const subscription = context.store.subscriptions.require(String(before.subscription));
      const phases = input.phases ? phasesFrom(context, before, subscription, input.phases) : before.phases;
      return updateSchedule(
        context,
        before,
        {
          phases,
          end_behavior: input.end_behavior ?? before.end_behavior,
          metadata: mergeMetadata(before.metadata ?? {}, input.metadata),
        },
        eventRequest,
      );
    },
  },
  {
    method: "POST",
    path: "/v1/subscription_schedules/:id/release",
    handle({ params, pathParams, eventRequest }, context) {
      const schedule = activeSchedule(context, pathParams.id ?? "");
      parseParams(z.strictObject({}), params);
      const released = releaseSchedule(context, schedule, eventRequest);
      const before = context.store.subscriptions.require(String(schedule.subscription));
      const subscription = context.store.subscriptions.put({ ...before, schedule: null });
      context.recordEvent(
        "customer.subscription.updated",
        subscription,
        eventRequest,
        previousAttributes(before, subscription),
      );
      return released;
    },
  },
  {
    method: "POST",
    path: "/v1/subscription_schedules/:id/cancel",
    handle({ params, pathParams, eventRequest }, context) {
      const schedule = activeSchedule(context, pathParams.id ?? "");
      parseParams(z.strictObject({}), params);
      // Canceling a schedule cancels its subscription now, which cancels the schedule too.
      cancelSubscriptionNow(
        context,
        context.store.subscriptions.require(String(schedule.subscription)),
        "cancellation_requested",
        eventRequest,
      );
      return context.store.subscriptionSchedules.require(schedule.id);
    },
  },
  {
    method: "GET",
    path: "/v1/subscription_schedules",
    handle({ params }, context) {
      const input = parseParams(listParams, params);
      const schedules = context.store.subscriptionSchedules
        .newestFirst()
        .filter((schedule) => input.customer === undefined || schedule.customer === input.customer);
      return paginate(schedules, input, "/v1/subscription_schedules");
    },
  },
];

function activeSchedule(context: EmulatorContext, id: string): Stripe.SubscriptionSchedule {
  const schedule = context.store.subscriptionSchedules.require(id);
  if (schedule.status !== "active")
    throw invalidRequest(
      `You cannot update a subscription schedule that is currently in the \`${schedule.status}\` status.`,
    );
  return schedule;
}

/**
 * The phases as Stripe reads them: each starts where the previous one ends (the first where the
 * current phase started) and ends at `end_date`, after `duration`, or (the last) one billing interval on.
 */
function phasesFrom(
  context: EmulatorContext,
  schedule: Stripe.SubscriptionSchedule,
  subscription: Stripe.Subscription,
  inputs: z.infer<typeof phaseParams>[],
): Stripe.SubscriptionSchedule.Phase[] {
  const phases: Stripe.SubscriptionSchedule.Phase[] = [];
  for (const [index, input] of inputs.entries()) {
    const param = (name: string) => `phases[${index}][${name}]`;
    const lines = input.items.map((item, itemIndex): PhaseLine => {
      const priceParam = `phases[${index}][items][${itemIndex}][price]`;
      const price = context.store.prices.require(item.price, priceParam);
      recurringOf(price, priceParam);
      if (price.currency !== subscription.currency)
        throw invalidRequest("All phases must use the subscription's currency.", priceParam);
      return { price, quantity: item.quantity ?? 1 };
    });
    const expectedStart =
      phases.at(-1)?.end_date ?? schedule.current_phase?.start_date ?? currentPeriod(subscription).start;
    const start = input.start_date === "now" ? context.now() : (input.start_date ?? expectedStart);
    if (start !== expectedStart) {
      throw invalidRequest(
        index === 0
          ? "You can not modify the start date of the current phase."
          : "Each phase must start when the previous phase ends.",
        param("start_date"),
      );
    }
    if (index === 0 && !sameLines(lines, subscription.items.data)) {
      throw notImplemented(
        "changing the current phase's items (change them with POST /v1/subscriptions/:id)",
        param("items"),
      );
    }
    const end = phaseEnd(input, start, lines, index === inputs.length - 1, param);
    phases.push(buildPhase({ lines, start, end, prorationBehavior: input.proration_behavior ?? "create_prorations" }));
  }
  return phases;
}

function phaseEnd(
  input: z.infer<typeof phaseParams>,
  start: number,
  lines: readonly PhaseLine[],
  last: boolean,
  param: (name: string) => string,
): number {
  if (input.end_date === "now")
    throw notImplemented("ending a phase `now` (phases change only at renewals)", param("end_date"));
  if (input.end_date !== undefined && input.duration !== undefined) {
    throw invalidRequest("You may only specify one of these parameters: end_date, duration.", param("end_date"));
  }
  const [first] = lines;
  const end =
    input.end_date ??
    (input.duration
      ? periodEnd(start, { interval: input.duration.interval, interval_count: input.duration.interval_count ?? 1 })
      : undefined) ??
    (last && first ? periodEnd(start, recurringOf(first.price)) : undefined);
  if (end === undefined)
    throw invalidRequest(`Missing required param: ${param("end_date")}.`, param("end_date"), "parameter_missing");
  if (end <= start) throw invalidRequest("A phase must end after it starts.", param("end_date"));
  return end;
}

function sameLines(lines: readonly PhaseLine[], items: readonly Stripe.SubscriptionItem[]): boolean {
  const key = (priceId: string, quantity: number) => `${priceId}×${quantity}`;
  const wanted = lines.map((line) => key(line.price.id, line.quantity)).sort();
  const actual = items.map((item) => key(item.price.id, item.quantity ?? 1)).sort();
  return JSON.stringify(wanted) === JSON.stringify(actual);
}
