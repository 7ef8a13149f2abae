/**
 * Which playbook states an account is in (issue 16 item 3), pure over its facts: for a rule's
 * trigger and params, the subjects in state now, each with the reason in words and a link. The
 * evaluator (playbooks.server.ts) compares them with the stored states to fire on entry only.
 */
import type { PlaybookTrigger } from "#db/schema";
import { longDate } from "~/lib/dates";
import type { AccountFacts } from "./facts";

export type RuleParams = Record<string, number | string | boolean>;

/** One state the account is in: `subject` tells apart several at once (a trial, a subscription, a day mark). */
export type RuleHit = { subject: string; reason: string; link: string; trialId: string | null };

/** A knob of a trigger, as the admin form shows it: a whole number in a range, or a yes/no. */
export type ParamSpec =
  | { key: string; label: string; kind: "number"; min: number; max: number }
  | { key: string; label: string; kind: "boolean" };

const DAY = 86_400_000;

/**
 * How long a day mark (trial day 1, service day 30, the first payment) stays in state: a job that
 * missed a day still fires it, and an account long past the mark when a rule is added or enabled
 * does not get a stale task.
 */
export const MARK_WINDOW_DAYS = 7;

const percent = { min: 1, max: 100 } as const;
const days = { min: 1, max: 365 } as const;

/** Each trigger's params, in the order the admin form shows them. */
export const triggerParams: Record<PlaybookTrigger, ParamSpec[]> = {
  trial_started: [
    { key: "day", label: "Trial day", kind: "number", ...days },
    { key: "manualSetup", label: "Only plans that staff set up (otherwise only the others)", kind: "boolean" },
  ],
  trial_no_milestone: [{ key: "day", label: "Trial day", kind: "number", ...days }],
  trial_ending_activated: [
    { key: "daysBefore", label: "Days before the trial ends", kind: "number", ...days },
    { key: "activationPercent", label: "Milestones reached at least (%)", kind: "number", ...percent },
  ],
  first_payment: [],
  service_day: [{ key: "day", label: "Day of service", kind: "number", min: 1, max: 3650 }],
  inactive: [{ key: "days", label: "Days without an active user", kind: "number", ...days }],
  setup_stuck: [{ key: "waitingDays", label: "Days waiting on the customer", kind: "number", ...days }],
  payment_failing: [],
  seats_unused: [
    { key: "afterDays", label: "Days after the first payment", kind: "number", ...days },
    { key: "usedPercent", label: "Users bought that are active below (%)", kind: "number", ...percent },
  ],
  annual_renewal: [{ key: "daysBefore", label: "Days before the renewal", kind: "number", ...days }],
  expansion: [
    { key: "limitPercent", label: "Share of a plan limit in use at least (%)", kind: "number", ...percent },
    { key: "previewDays", label: "Upgrade preview opened within (days)", kind: "number", ...days },
  ],
};

/** A number param, or `fallback` when the stored params lack it (a rule saved before the param existed). */
function num(params: RuleParams, key: string, fallback: number): number {
  const value = params[key];
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/** Whole days from `from` to `to` (negative when `to` is earlier). */
const daysBetween = (from: Date, to: Date) => Math.floor((to.getTime() - from.getTime()) / DAY);

/** The account pays or trials now: check-ins and usage rules are for live accounts, not churned ones. */
function isLive(facts: AccountFacts): boolean {
  return (
    facts.trial?.status === "active" ||
    facts.subscriptions.some((s) => ["active", "trialing", "past_due", "unpaid"].includes(s.status))
  );
}

/**
 * The trigger in words with its params, for the playbooks page: "A trial reaches day 3 with no
 * milestone". Missing params read as the template's defaults.
 */
export function triggerSentence(trigger: PlaybookTrigger, params: RuleParams): string {
  switch (trigger) {
    case "trial_started":
      return `A trial reaches day ${num(params, "day", 1)} (${params.manualSetup ? "plans that staff set up" : "plans set up automatically"})`;
    case "trial_no_milestone":
      return `A trial reaches day ${num(params, "day", 3)} with no milestone`;
    case "trial_ending_activated":
      return `A trial ends within ${plural(num(params, "daysBefore", 3), "day")} with at least ${num(params, "activationPercent", 60)}% of its milestones reached`;
    case "first_payment":
      return "The first payment arrives";
    case "service_day":
      return `The service reaches day ${num(params, "day", 30)}`;
    case "inactive":
      return `No active user for ${plural(num(params, "days", 7), "day")}`;
    case "setup_stuck":
      return `A setup failed, or has waited on the customer for ${plural(num(params, "waitingDays", 2), "day")}`;
    case "payment_failing":
      return "A payment is failing";
    case "seats_unused":
      return `${num(params, "afterDays", 60)} days after the first payment, fewer than ${num(params, "usedPercent", 50)}% of the users bought are active`;
    case "annual_renewal":
      return `An annual plan renews within ${plural(num(params, "daysBefore", 60), "day")}`;
    case "expansion":
      return `A plan limit is ${num(params, "limitPercent", 80)}% used, or the upgrade preview was opened in the last ${plural(num(params, "previewDays", 7), "day")}`;
  }
}

/**
 * The subjects of `trigger` the account is in at `now`, with the reason in words and a link to act
 * from (the account's staff page). Source of the rules: the 30-60-90 template of issue 16 item 3.
 * Day marks hold for MARK_WINDOW_DAYS; the others hold as long as their condition does.
 */
export function ruleHits(trigger: PlaybookTrigger, params: RuleParams, facts: AccountFacts, now: Date): RuleHit[] {
  const link = `/staff/accounts/${facts.accountId}`;
  const hit = (subject: string, reason: string, trialId: string | null = null): RuleHit[] => [
    { subject, reason, link, trialId },
  ];
  const trial = facts.trial?.status === "active" ? facts.trial : null;
  // Trial days count from when its clock started (a manual setup starts it later); day 1 is the first.
  const trialDay = trial ? daysBetween(trial.clockStartedAt ?? trial.startedAt, now) + 1 : 0;
  const { milestones, usage } = facts;
  switch (trigger) {
    case "trial_started": {
      if (!trial || trial.manualSetup !== Boolean(params.manualSetup)) return [];
      // A manual setup's trial is welcomed from its start: the call is what gets the setup going.
      const day = daysBetween(trial.startedAt, now) + 1;
      const mark = num(params, "day", 1);
      if (day < mark || day >= mark + MARK_WINDOW_DAYS) return [];
      return hit(
        trial.id,
        trial.manualSetup
          ? `${facts.name} started a trial on ${longDate(trial.startedAt)} of a plan that staff set up.`
          : `${facts.name} started a trial on ${longDate(trial.startedAt)}.`,
        trial.id,
      );
    }
    case "trial_no_milestone": {
      const mark = num(params, "day", 3);
      if (!trial || trialDay < mark || milestones.reached > 0) return [];
      return hit(
        trial.id,
        `The trial is on day ${trialDay} and has reached none of its ${plural(milestones.planned, "milestone")}.`,
        trial.id,
      );
    }
    case "trial_ending_activated": {
      if (!trial?.endsAt || milestones.planned === 0) return [];
      const left = trial.endsAt.getTime() - now.getTime();
      const share = milestones.reached / milestones.planned;
      if (left <= 0 || left > num(params, "daysBefore", 3) * DAY) return [];
      if (share * 100 < num(params, "activationPercent", 60)) return [];
      return hit(
        trial.id,
        `The trial ends on ${longDate(trial.endsAt)} and has reached ${milestones.reached} of its ${plural(milestones.planned, "milestone")} (${Math.round(share * 100)}%): it is ready to buy.`,
        trial.id,
      );
    }
    case "first_payment": {
      if (!facts.firstPaidAt) return [];
      const since = daysBetween(facts.firstPaidAt, now);
      if (since < 0 || since >= MARK_WINDOW_DAYS) return [];
      return hit("", `${facts.name} paid for the first time on ${longDate(facts.firstPaidAt)}.`);
    }
    case "service_day": {
      if (!facts.serviceStartedAt || !isLive(facts)) return [];
      const mark = num(params, "day", 30);
      const day = daysBetween(facts.serviceStartedAt, now);
      if (day < mark || day >= mark + MARK_WINDOW_DAYS) return [];
      return hit(
        `day${mark}`,
        `${facts.name} has had the service for ${mark} days, since ${longDate(facts.serviceStartedAt)}.`,
      );
    }
    case "inactive": {
      // Without any report from the product there is nothing to judge inactivity by.
      if (!usage.hasData || !isLive(facts)) return [];
      const since = usage.lastActiveAt ?? facts.serviceStartedAt;
      if (!since || now.getTime() - since.getTime() < num(params, "days", 7) * DAY) return [];
      return hit(
        "",
        usage.lastActiveAt
          ? `No one has used the product since ${longDate(usage.lastActiveAt)}.`
          : `No one has used the product since the service started on ${longDate(since)}.`,
      );
    }
    case "setup_stuck": {
      const hits: RuleHit[] = [];
      if (facts.setup.failedSince)
        hits.push(...hit("failed", `A setup has been failing since ${longDate(facts.setup.failedSince)}.`));
      const waiting = facts.setup.waitingCustomerSince;
      if (waiting && now.getTime() - waiting.getTime() >= num(params, "waitingDays", 2) * DAY)
        hits.push(
          ...hit(
            "waiting-customer",
            `A setup has been waiting on the customer since ${longDate(waiting)} (${plural(daysBetween(waiting, now), "day")}).`,
          ),
        );
      return hits;
    }
    case "payment_failing": {
      const { failingSince, worstStatus } = facts.payment;
      if (!failingSince && worstStatus === "ok") return [];
      const status = { ok: "failing", failing: "failing", past_due: "past due", unpaid: "unpaid" }[worstStatus];
      return hit(
        "",
        failingSince
          ? `A payment has been failing since ${longDate(failingSince)}.`
          : `A subscription's payment is ${status}.`,
      );
    }
    case "seats_unused": {
      if (!facts.firstPaidAt || !usage.hasData || usage.seatsBought === 0 || !isLive(facts)) return [];
      const afterDays = num(params, "afterDays", 60);
      if (daysBetween(facts.firstPaidAt, now) < afterDays) return [];
      const share = usage.activeUsers28d / usage.seatsBought;
      if (share * 100 >= num(params, "usedPercent", 50)) return [];
      return hit(
        "",
        `${usage.activeUsers28d} of the ${plural(usage.seatsBought, "user")} bought were active in the last 28 days, ${afterDays} days or more after the first payment.`,
      );
    }
    case "annual_renewal": {
      const within = num(params, "daysBefore", 60) * DAY;
      // Stripe's period end is the renewal date: its clock, not ours, decides when the plan renews.
      return facts.subscriptions
        .filter(
          (s) =>
            s.interval === "year" &&
            !s.cancelAtPeriodEnd &&
            !s.endedAt &&
            ["active", "past_due"].includes(s.status) &&
            s.currentPeriodEnd !== null &&
            s.currentPeriodEnd.getTime() > now.getTime() &&
            s.currentPeriodEnd.getTime() - now.getTime() <= within,
        )
        .flatMap((s) =>
          hit(
            s.id,
            `An annual plan renews on ${longDate(s.currentPeriodEnd!)} (in ${plural(Math.ceil((s.currentPeriodEnd!.getTime() - now.getTime()) / DAY), "day")}).`,
          ),
        );
    }
    case "expansion": {
      if (!isLive(facts)) return [];
      const reasons: string[] = [];
      const share = usage.maxLimitShare;
      if (share !== null && share * 100 >= num(params, "limitPercent", 80))
        reasons.push(`${Math.round(share * 100)}% of a plan limit is in use`);
      const preview = facts.signals.upgradePreviewAt;
      if (preview && now.getTime() - preview.getTime() <= num(params, "previewDays", 7) * DAY)
        reasons.push(`the upgrade preview was opened on ${longDate(preview)}`);
      if (!reasons.length) return [];
      const sentence = reasons.join(", and ");
      return hit("", `${sentence[0]!.toUpperCase()}${sentence.slice(1)}.`);
    }
  }
}
