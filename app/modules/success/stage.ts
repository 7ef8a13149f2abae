/**
 * Where an account is in its life with us (issue 16 item 1): pure over `AccountFacts` and the
 * health just computed, so the job and the tests agree.
 */
import type { HealthBand, LifecycleStage } from "#db/schema";
import { daysSince } from "./health";
import type { AccountFacts, SubscriptionFacts } from "./facts";

/** Onboarding lasts this many days of paid service ("day N of 90"). */
export const ONBOARDING_DAYS = 90;

/** Stripe statuses of a subscription the customer has bought and not left (trialing = bought, first charge pending). */
const PAYING = new Set(["active", "trialing", "past_due", "unpaid"]);

/** A subscription the customer has and pays (or owes) for now. */
export function isPaying(subscription: SubscriptionFacts): boolean {
  return !subscription.endedAt && PAYING.has(subscription.status);
}

/**
 * When paid service started: the later of the first payment and the service's start (a trial
 * that converted started its service before paying: onboarding counts from the payment; a setup
 * done by staff after payment counts from the setup). Null when neither is known.
 */
export function paidServiceStart(facts: AccountFacts): Date | null {
  const { firstPaidAt, serviceStartedAt } = facts;
  if (!firstPaidAt || !serviceStartedAt) return firstPaidAt ?? serviceStartedAt;
  return firstPaidAt > serviceStartedAt ? firstPaidAt : serviceStartedAt;
}

/**
 * The account's stage and, where it counts, its day (1 on the first day):
 * - paying (a live subscription: active, trialing, past due or unpaid) and **at risk** when the
 *   health band is red, a payment is failing (failing, past due or unpaid), a setup failed, or it
 *   is cancelled at the period end; else **onboarding** on paid-service days 1-90 (stageDay = N,
 *   "day N of 90"); else **adopted**;
 * - not paying, with an active trial: **trial** (stageDay = the trial's day, null while its clock
 *   waits for a manual setup);
 * - not paying, once paid (a first payment or a subscription that ended): **churned**;
 * - otherwise **prospect** (signed up; a trial that expired unpaid stays a prospect).
 */
export function lifecycleStage(
  facts: AccountFacts,
  health: { band: HealthBand } | null,
): { stage: LifecycleStage; stageDay: number | null } {
  const now = facts.now;
  if (facts.subscriptions.some(isPaying)) {
    const atRisk =
      health?.band === "red" ||
      facts.payment.worstStatus !== "ok" ||
      facts.setup.failedSince !== null ||
      facts.subscriptions.some((s) => isPaying(s) && s.cancelAtPeriodEnd);
    if (atRisk) return { stage: "at_risk", stageDay: null };
    const day = daysSince(paidServiceStart(facts), now);
    if (day === null || day + 1 <= ONBOARDING_DAYS)
      return { stage: "onboarding", stageDay: day === null ? 1 : day + 1 };
    return { stage: "adopted", stageDay: null };
  }
  if (facts.trial?.status === "active") {
    const clock = facts.trial.endsAt ? (facts.trial.clockStartedAt ?? facts.trial.startedAt) : null;
    const day = daysSince(clock, now);
    return { stage: "trial", stageDay: day === null ? null : day + 1 };
  }
  if (facts.firstPaidAt || facts.subscriptions.some((s) => s.endedAt !== null))
    return { stage: "churned", stageDay: null };
  return { stage: "prospect", stageDay: null };
}
