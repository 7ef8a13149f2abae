/**
 * The health score (issue 16 item 2, ADR 22): pure over `AccountFacts`, so the job, the tests and
 * the recompute of history all score the same way. Each measure has its own 0-100 score and a
 * sentence; the account's score is their weighted mean, where a measure with no data gives its
 * weight to the others in proportion (it never counts as zero).
 */
import type { HealthBand, HealthMeasure, HealthMeasureKey, HealthProfile, HealthWeights } from "#db/schema";
import type { AccountFacts } from "./facts";

const DAY_MS = 24 * 60 * 60 * 1000;

/** Every measure, in the order pages list them. */
export const MEASURE_KEYS: readonly HealthMeasureKey[] = [
  "milestones",
  "active_users",
  "breadth",
  "frequency",
  "unused_seats",
  "setup",
  "payment",
  "contact",
];

/** Both profiles, in the order pages show them. */
export const PROFILES: readonly HealthProfile[] = ["onboarding", "standard"];

/**
 * The weights in force while no admin has saved any (version 0). Standard accounts are judged by
 * use and payment; in the onboarding profile (the first 30 days of service) activation milestones
 * weigh most and the seats are not judged yet.
 */
export const DEFAULT_WEIGHTS: HealthWeights = {
  standard: {
    milestones: 0,
    active_users: 25,
    breadth: 10,
    frequency: 15,
    unused_seats: 15,
    setup: 10,
    payment: 20,
    contact: 5,
  },
  onboarding: {
    milestones: 40,
    active_users: 10,
    breadth: 0,
    frequency: 10,
    unused_seats: 0,
    setup: 20,
    payment: 10,
    contact: 10,
  },
};

/** The onboarding profile lasts this many days from the service's start. */
export const ONBOARDING_PROFILE_DAYS = 30;
/** A score below this is red; below `YELLOW_BELOW` yellow; otherwise green. */
export const RED_BELOW = 50;
export const YELLOW_BELOW = 75;
/** Breadth's denominator is at least this many features, so using one feature of one is not "all of them". */
export const BREADTH_FLOOR = 3;
/** Frequency is full at five active days a week (a working week). */
export const FULL_DAYS_PER_WEEK = 5;

/** A staff override in force: its band replaces the computed one (see `scoreHealth`). */
export type HealthOverrideInForce = { id: string; band: HealthBand; expiresAt: Date };

export type HealthResult = {
  /** The computed score (an override sets the band only, see `scoreHealth`). */
  score: number;
  band: HealthBand;
  profile: HealthProfile;
  /** The weighted score before any override. */
  computedScore: number;
  measures: HealthMeasure[];
  /** The override applied, or null (none, or expired at `now`). */
  overrideId: string | null;
};

/** The band of a 0-100 score: red < 50, yellow < 75, green. */
export function bandOf(score: number): HealthBand {
  return score < RED_BELOW ? "red" : score < YELLOW_BELOW ? "yellow" : "green";
}

/**
 * When the service started counting for the account: the facts' service start, else the trial's
 * clock or start, else the first payment; null when nothing started yet.
 */
export function serviceStartOf(facts: AccountFacts): Date | null {
  return facts.serviceStartedAt ?? facts.trial?.clockStartedAt ?? facts.trial?.startedAt ?? facts.firstPaidAt ?? null;
}

/** Whole days from `from` to `now` (0 on the day itself), or null without a start. */
export function daysSince(from: Date | null, now: Date): number | null {
  return from ? Math.max(0, Math.floor((now.getTime() - from.getTime()) / DAY_MS)) : null;
}

/** Onboarding for the first 30 days of service (milestones weigh most), standard after. */
export function profileOf(facts: AccountFacts, now: Date): HealthProfile {
  const days = daysSince(serviceStartOf(facts), now);
  return days === null || days < ONBOARDING_PROFILE_DAYS ? "onboarding" : "standard";
}

const plural = (n: number, one: string, other: string) => `${n.toLocaleString("en-US")} ${n === 1 ? one : other}`;
const clamp = (n: number) => Math.max(0, Math.min(100, Math.round(n)));

/**
 * The share of users bought we expect in use by the account's month with the seats (month 1 =
 * days 0-29 of service): month 1: 20%; months 2-3: 40%; months 4-6: 60%; month 7 on: 80%. The
 * unused-seats measure is the share in use ÷ that expectation (capped at 100): the same 25% in
 * use scores 63 (yellow, a warning) in month 2 and 31 (red) in month 9.
 */
export function expectedSeatShare(month: number): number {
  return month <= 1 ? 0.2 : month <= 3 ? 0.4 : month <= 6 ? 0.6 : 0.8;
}

type Judged = { score: number | null; explanation: string };

function activeUsers(facts: AccountFacts): Judged {
  const { hasData, activeUsers28d: active, seatsBought: bought } = facts.usage;
  if (!hasData || bought <= 0) return { score: null, explanation: "The product has not reported its users yet." };
  return {
    score: clamp((Math.min(active, bought) / bought) * 100),
    explanation: `${active.toLocaleString("en-US")} of ${plural(bought, "user", "users")} bought ${active === 1 ? "was" : "were"} active in the last 28 days.`,
  };
}

function breadth(facts: AccountFacts): Judged {
  const { hasData, featuresUsed28d: used, featuresEverUsed: ever } = facts.usage;
  if (!hasData) return { score: null, explanation: "The product has not reported which features are used yet." };
  const of = Math.max(ever, used, BREADTH_FLOOR);
  return {
    score: clamp((used / of) * 100),
    explanation: `${plural(used, "feature was", "features were")} used in the last 28 days, of ${of.toLocaleString("en-US")} the account has used.`,
  };
}

function frequency(facts: AccountFacts): Judged {
  const { hasData, activeDays28d: days } = facts.usage;
  if (!hasData) return { score: null, explanation: "The product has not reported any activity yet." };
  const perWeek = days / 4;
  return {
    score: clamp((perWeek / FULL_DAYS_PER_WEEK) * 100),
    explanation: `Active on ${perWeek.toLocaleString("en-US", { maximumFractionDigits: 1 })} days a week over the last 4 weeks (${days} of 28 days).`,
  };
}

function unusedSeats(facts: AccountFacts, now: Date): Judged {
  const { hasData, activeUsers28d, seatsBought: bought } = facts.usage;
  const days = daysSince(serviceStartOf(facts), now);
  if (!hasData || bought <= 0 || days === null)
    return { score: null, explanation: "The product has not reported its users yet." };
  const month = Math.floor(days / 30) + 1;
  const inUse = Math.min(activeUsers28d, bought);
  const expected = expectedSeatShare(month);
  return {
    score: clamp((inUse / bought / expected) * 100),
    explanation: `${(bought - inUse).toLocaleString("en-US")} of ${plural(bought, "user", "users")} bought ${bought - inUse === 1 ? "is" : "are"} unused in month ${month}; by now we expect at least ${Math.round(expected * 100)}% in use.`,
  };
}

function setup(facts: AccountFacts, now: Date): Judged {
  const { failedSince, waitingCustomerSince, waitingStaffSince } = facts.setup;
  if (failedSince) return { score: 0, explanation: `A setup failed ${ago(failedSince, now)} and is not fixed.` };
  const customer = daysSince(waitingCustomerSince, now);
  const staff = daysSince(waitingStaffSince, now);
  const scores: Judged[] = [];
  if (customer !== null)
    scores.push({
      score: customer >= 7 ? 20 : customer >= 3 ? 50 : 80,
      explanation: `A setup has waited on the customer since ${ago(waitingCustomerSince!, now)}.`,
    });
  if (staff !== null)
    scores.push({
      score: staff >= 2 ? 40 : 80,
      explanation: `A setup has waited on staff since ${ago(waitingStaffSince!, now)}.`,
    });
  if (!scores.length) return { score: 100, explanation: "Nothing is waiting or failed in the setup." };
  return scores.reduce((worst, next) => (next.score! < worst.score! ? next : worst));
}

function ago(at: Date, now: Date): string {
  const days = daysSince(at, now)!;
  return days === 0 ? "today" : `${plural(days, "day", "days")} ago`;
}

const PAYMENT: Record<AccountFacts["payment"]["worstStatus"], Judged> = {
  ok: { score: 100, explanation: "Payments are up to date." },
  failing: { score: 40, explanation: "The latest payment failed and is being retried." },
  past_due: { score: 20, explanation: "A payment is past due." },
  unpaid: { score: 0, explanation: "An invoice is unpaid after every retry." },
};

function payment(facts: AccountFacts): Judged {
  const live = facts.subscriptions.some(
    (s) => !s.endedAt && s.status !== "canceled" && s.status !== "incomplete_expired",
  );
  if (!live) return { score: null, explanation: "No subscription to pay yet." };
  return PAYMENT[facts.payment.worstStatus];
}

function contact(facts: AccountFacts): Judged {
  const n = facts.contactRequests.last30d;
  return {
    score: n === 0 ? 100 : n === 1 ? 70 : n === 2 ? 40 : 10,
    explanation:
      n === 0
        ? "No contact requests in the last 30 days."
        : `${plural(n, "contact request", "contact requests")} in the last 30 days.`,
  };
}

function milestones(facts: AccountFacts): Judged {
  const { planned, reached } = facts.milestones;
  if (planned <= 0) return { score: null, explanation: "The plan has no activation milestones." };
  return {
    score: clamp((Math.min(reached, planned) / planned) * 100),
    explanation: `${reached} of ${plural(planned, "activation milestone", "activation milestones")} reached.`,
  };
}

/** Each measure's own score and sentence for these facts (weights not applied). */
function judge(facts: AccountFacts, now: Date): Record<HealthMeasureKey, Judged> {
  return {
    milestones: milestones(facts),
    active_users: activeUsers(facts),
    breadth: breadth(facts),
    frequency: frequency(facts),
    unused_seats: unusedSeats(facts, now),
    setup: setup(facts, now),
    payment: payment(facts),
    contact: contact(facts),
  };
}

/**
 * Weighs measures whose own scores are known: each measure with data gets `weight / Σ weights of
 * measures with data × 100` as its effective weight (so effective weights add up to 100, and a
 * measure with no data gives its weight away in proportion); the score is Σ score × effective
 * weight / 100, rounded. Should every measure with data weigh 0, they count equally instead.
 * Used by `scoreHealth` and by the recompute of stored snapshots with new weights.
 */
export function weighMeasures(
  judged: { key: HealthMeasureKey; score: number | null; explanation: string }[],
  weights: Partial<Record<HealthMeasureKey, number>>,
): { score: number; measures: HealthMeasure[] } {
  const weightOf = (key: HealthMeasureKey) => Math.max(0, weights[key] ?? 0);
  const withData = judged.filter((m) => m.score !== null);
  const total = withData.reduce((sum, m) => sum + weightOf(m.key), 0);
  const share = (m: (typeof judged)[number]) =>
    m.score === null ? 0 : total > 0 ? (weightOf(m.key) / total) * 100 : 100 / withData.length;
  const measures = judged.map((m) => ({
    key: m.key,
    score: m.score,
    weight: weightOf(m.key),
    effectiveWeight: Math.round(share(m) * 100) / 100,
    explanation: m.explanation,
  }));
  const score = withData.length ? withData.reduce((sum, m) => sum + (m.score! * share(m)) / 100, 0) : 100;
  return { score: clamp(score), measures };
}

/**
 * The account's health at `now`: `measures` (each with its score 0-100 or null for no data, its
 * profile weight, its effective weight after redistribution, and a sentence), the weighted
 * `computedScore`, its `band` (red < 50, yellow < 75, green) and the `profile` (onboarding for
 * the first 30 days of service, when milestones weigh most; standard after).
 *
 * An override in force (`expiresAt` after `now`) sets the band; the score stays the computed one
 * (a judgement is not a measurement: trends and the chart keep following the measures), so
 * `score` and `computedScore` are equal. An expired override changes nothing.
 */
export function scoreHealth(
  facts: AccountFacts,
  weights: HealthWeights,
  override: HealthOverrideInForce | null,
  now: Date,
): HealthResult {
  const profile = profileOf(facts, now);
  const judged = judge(facts, now);
  const { score: computedScore, measures } = weighMeasures(
    MEASURE_KEYS.map((key) => ({ key, ...judged[key] })),
    weights[profile],
  );
  return { ...withOverride(computedScore, override, now), profile, computedScore, measures };
}

/** The score and band people see from a computed score and an override (see `scoreHealth`). */
export function withOverride(
  computedScore: number,
  override: { id: string; band: HealthBand; expiresAt: Date } | null,
  now: Date,
): { score: number; band: HealthBand; overrideId: string | null } {
  if (!override || override.expiresAt.getTime() <= now.getTime())
    return { score: computedScore, band: bandOf(computedScore), overrideId: null };
  return { score: computedScore, band: override.band, overrideId: override.id };
}
