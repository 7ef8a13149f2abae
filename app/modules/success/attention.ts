/**
 * The portfolio's default order (issue 16 item 6): `account_success.attention`, lower needs more
 * attention. Pure, so the order can be tested without a database.
 */
import type { HealthBand, LifecycleStage } from "#db/schema";
import type { AccountFacts } from "./facts";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * `tier × 100 + min(99, health score)` (99 without a score), so within a tier the worse score
 * comes first. Tiers, the first that applies:
 * 0. a payment failing, past due or unpaid;
 * 1. a setup stuck: failed, waiting on the customer 3 days or more, or on staff 2 days or more;
 * 2. health red;
 * 3. health dropped 15 points or more in the last 7 days, or an active trial ending within 7 days;
 * 4. health yellow;
 * 5. health green;
 * 8. no health (prospects: never paid, no active trial);
 * 9. churned.
 */
export function attentionOf(input: {
  facts: AccountFacts;
  stage: LifecycleStage;
  score: number | null;
  band: HealthBand | null;
  droppedAt: Date | null;
}): number {
  const { facts, stage, score, band, droppedAt } = input;
  const now = facts.now.getTime();
  const olderThan = (at: Date | null, days: number) => at !== null && now - at.getTime() >= days * DAY_MS;
  const trialEndsSoon =
    facts.trial?.status === "active" && facts.trial.endsAt !== null && facts.trial.endsAt.getTime() - now <= 7 * DAY_MS;
  const tier =
    stage === "churned"
      ? 9
      : facts.payment.worstStatus !== "ok"
        ? 0
        : facts.setup.failedSince ||
            olderThan(facts.setup.waitingCustomerSince, 3) ||
            olderThan(facts.setup.waitingStaffSince, 2)
          ? 1
          : band === "red"
            ? 2
            : (droppedAt && now - droppedAt.getTime() <= 7 * DAY_MS) || trialEndsSoon
              ? 3
              : band === "yellow"
                ? 4
                : band === "green"
                  ? 5
                  : 8;
  return tier * 100 + Math.min(99, score ?? 99);
}
