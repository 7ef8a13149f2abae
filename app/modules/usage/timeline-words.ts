/**
 * The account timeline's sentences: what each recorded row says happened, in words a person reads
 * (plan names, amounts, counts; never keys, slugs or ids). Pure functions of the rows that
 * timeline.server.ts reads, so every wording is tested without a database.
 */
import { formatMoney } from "~/lib/money";
import { planLabel, wordsFromKey, type PlanNames } from "~/modules/catalog/labels";
import { statusLabels } from "~/modules/provisioning-labels";
import { bandLabels, outcomeLabels } from "~/modules/success/words";

/** A request's operation as the subject of a sentence ("Setup of Team, 5 users: …"). */
const operationNouns: Record<string, string> = {
  provision: "Setup",
  modify: "Change",
  suspend: "Suspension",
  resume: "Resumption",
  deprovision: "Removal",
};
import type { Operation, RequestStatus } from "../../../provisioning/types";

/** What a timeline item is about; an item may be two (a staff member extending a trial). */
export const TIMELINE_KINDS = ["billing", "provisioning", "trial", "usage", "staff"] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export const timelineKindLabels: Record<TimelineKind, string> = {
  billing: "Billing",
  provisioning: "Setup",
  trial: "Trial",
  usage: "Usage",
  staff: "Staff action",
};

type Details = Record<string, unknown>;

const text = (value: unknown): string | null => (typeof value === "string" && value ? value : null);
const count = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);
const users = (seats: unknown) => {
  const n = count(seats);
  return n === null ? "" : `, ${n} ${n === 1 ? "user" : "users"}`;
};
const per = (interval: unknown) => (interval === "month" || interval === "year" ? `, billed per ${interval}` : "");
const quoted = (reason: unknown) => (text(reason) ? `: “${text(reason)}”` : "");

/**
 * An audit action (`audit_events.action` with its `details`, as app/modules/* record them) in words.
 * Actions without their own sentence (a `usage_key.*` action added later, say) read generically
 * from the action's words: "Usage key: rotated".
 */
export function auditSentence(action: string, details: Details, planNames: PlanNames): string {
  const plan = (slug: unknown) => planLabel(text(slug), planNames);
  switch (action) {
    case "order.checkout_opened":
      return `Order placed: ${plan(details.plan)}${users(details.seats)}${per(details.interval)}; waiting for payment.`;
    case "order.checkout_failed":
      return "An order could not open its payment page.";
    case "order.checkout_superseded":
      return "An unpaid order was replaced by a newer checkout.";
    case "order.paid":
      if (details.awaiting === "approval") return "Order paid; its setup waits for staff approval.";
      return `Order paid: ${plan(details.planSlug)}${users(details.seats)}; setup requested${details.trial ? ". The trial became a subscription." : "."}`;
    case "order.approved":
      return `Order approved: ${plan(details.planSlug)}${users(details.seats)}; setup requested${details.trial ? ". The trial became a subscription." : "."}`;
    case "order.expired":
      return "An order's checkout expired without payment.";
    case "order.payment_failed":
      return "An order's payment failed.";
    case "subscription.upgraded":
      return `Plan changed at once to ${plan(details.planSlug)}${users(details.seats)}${per(details.interval)}.`;
    case "subscription.downgrade_scheduled":
      return `Change to ${plan(details.planSlug)}${users(details.seats)}${per(details.interval)} scheduled for the end of the billing period.`;
    case "subscription.downgrade_cancelled":
      return "The scheduled plan change was called off; the current plan continues.";
    case "subscription.resumed":
      return "Cancellation taken back: the subscription renews again.";
    case "subscription.removed":
      return "The ended subscription's service was queued for removal after the retention period.";
    case "subscription.reconciled":
      return "The subscription was brought back in line with Stripe.";
    case "billing.customer_updated":
      return "Billing details sent to Stripe were updated.";
    case "billing.customer_replaced":
      return "The billing customer in Stripe was replaced (the old one no longer existed).";
    case "trial.started": {
      const days = count(details.lengthDays);
      return `Trial of ${plan(details.plan)} started${days === null ? "" : ` (${days} days)`}.`;
    }
    case "trial.clock_started":
      return "The trial's clock started: its service is ready.";
    case "trial.extended": {
      const days = count(details.days);
      return `Trial extended${days === null ? "" : ` by ${days} ${days === 1 ? "day" : "days"}`}${quoted(details.reason)}.`;
    }
    case "trial.expired":
      return "The trial ended without a purchase; its service is paused.";
    case "trial.removed":
      return "The ended trial's service was queued for removal.";
    case "trial.granted":
      return `Another trial allowed${quoted(details.reason)}.`;
    case "trial.outreach_recorded":
      return `Staff reached out about the trial (${details.via === "emailed" ? "emailed" : "called"}).`;
    case "account.note_added":
      return "Staff added a note.";
    case "account.assigned":
      return details.to ? "A staff member now looks after the account." : "The account went to the team's queue.";
    case "health.override_set": {
      const band = bandLabels[text(details.band) as keyof typeof bandLabels];
      const until = text(details.expiresAt)?.slice(0, 10);
      return `Staff judged the health ${band ? band.toLowerCase() : "differently"}${until ? ` until ${until}` : ""}${quoted(details.reason)}.`;
    }
    case "health.override_cleared":
      return "Staff's judgement of the health was cleared; the computed score counts again.";
    case "task.created":
      return `Task for staff${details.ruleName ? ` (${text(details.ruleName)})` : ""}: ${text(details.reason) ?? ""}`;
    case "task.refired":
      return `The task's rule fired again: ${text(details.reason) ?? ""}`;
    case "task.completed": {
      const outcome = outcomeLabels[text(details.outcome) as keyof typeof outcomeLabels];
      return `A staff task was completed${outcome ? `: ${outcome.toLowerCase()}` : ""}.`;
    }
  }
  const [subject = "", verb = ""] = action.split(".", 2);
  if (subject === "usage_key") return `Usage reporting key ${wordsFromKey(verb).toLowerCase()}.`;
  return `${wordsFromKey(subject)}: ${wordsFromKey(verb).toLowerCase()}.`;
}

/**
 * One provisioning transition (`provisioning_events`) in words: the operation on the plan and the
 * status it reached. An event that kept its status (a claim) reads with its recorded message.
 */
export function provisioningSentence(event: {
  operation: Operation;
  planName: string | null;
  seats: number | null;
  fromStatus: RequestStatus | null;
  toStatus: RequestStatus;
  message: string;
}): string {
  const what = `${operationNouns[event.operation] ?? wordsFromKey(event.operation)} of ${event.planName ?? "the service"}${users(event.seats)}`;
  if (event.fromStatus === event.toStatus) return `${what}: ${event.message}.`;
  const to = statusLabels[event.toStatus] ?? wordsFromKey(event.toStatus);
  return event.fromStatus
    ? `${what}: ${(statusLabels[event.fromStatus] ?? wordsFromKey(event.fromStatus)).toLowerCase()} → ${to.toLowerCase()}.`
    : `${what}: ${to.toLowerCase()}.`;
}

/**
 * A Stripe event (Stripe API: Events, the invoice and subscription objects) in words: payments,
 * failures, and cancellation at the period end set or taken back (Stripe's billing portal).
 */
export function stripeSentence(
  type: string,
  object: Details,
  previous: Details | null,
  planSlug: string | null,
  planNames: PlanNames,
): string {
  const currency = text(object.currency);
  const money = (amount: unknown) =>
    currency && count(amount) !== null ? formatMoney({ amount: count(amount)!, currency: currency.toUpperCase() }) : "";
  const plan = planSlug ? ` for ${planLabel(planSlug, planNames)}` : "";
  switch (type) {
    case "invoice.paid":
      return `Payment of ${money(object.amount_paid)} received${plan}.`;
    case "invoice.payment_failed":
      return `Payment of ${money(object.amount_remaining ?? object.amount_due)} failed${plan}; Stripe retries it.`;
    case "invoice.payment_action_required":
      return `Payment of ${money(object.amount_remaining ?? object.amount_due)}${plan} waits for the customer to confirm it.`;
    case "customer.subscription.deleted":
      return `The subscription${plan} ended.`;
    case "customer.subscription.updated":
      if (previous && "cancel_at_period_end" in previous)
        return object.cancel_at_period_end
          ? `The subscription${plan} was cancelled at the end of its billing period.`
          : `The cancellation of the subscription${plan} was taken back.`;
      return `The subscription${plan} changed.`;
  }
  return wordsFromKey(type.replaceAll(".", " "));
}

/** A milestone reached, with the whole days since its service started (ADR 21: time to milestone). */
export function milestoneSentence(title: string, days: number): string {
  const after = days < 1 ? "on the first day" : `${days} ${days === 1 ? "day" : "days"} after the service started`;
  return `Milestone reached: ${title} (${after}).`;
}
