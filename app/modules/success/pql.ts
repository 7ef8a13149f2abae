/**
 * Product-qualified trial score (issue 16 item 4): how ready an active trial is to buy, 0-100, from
 * three parts — fit (what the lead told us), usage (what they do in the product) and intent (what
 * they did about buying) — with the strongest reasons as sentences staff read on "Trials to call".
 * Pure over `AccountFacts`; the health job stores the result in `account_success.pql_score/pql_reasons`.
 */
import type { Verdict } from "~/modules/qualification/evaluate";
import { companySizeOptions, type CompanySize } from "~/modules/qualification/questionnaire";
import { verdictLabels } from "~/modules/qualification/verdict-labels";
import type { AccountFacts } from "./facts";
import { lowerFirst } from "~/lib/text";

export type PqlScore = { score: number; reasons: string[] };

/**
 * Points each part can give (they add up to 100). Usage weighs most because a product-qualified
 * lead is by definition one whose use of the product shows it is getting value; intent next, since
 * pricing, limits and checkout mark the buying moment staff should not miss; fit least, because it
 * is self-reported before trying and many trials have no lead answers at all. A part with no data
 * (no lead; a product that reports no usage and has no milestones) gives its points to the others,
 * as the health score does, so a trial is not marked down for what we cannot know.
 */
export const PQL_WEIGHTS = { fit: 25, usage: 45, intent: 30 } as const;

/**
 * How much each qualification verdict is worth to fit (0-1). "Talk to us" is as good a fit as
 * "fits" (a larger deal planned with staff); a higher plan is slightly less certain; "not a fit"
 * keeps a little because the trial itself says they are trying anyway.
 */
export const VERDICT_FIT: Record<Verdict, number> = {
  fits: 1,
  talk_to_us: 1,
  fits_higher_plan: 0.85,
  not_a_fit: 0.2,
};

/** Company size's worth to fit (0-1): larger companies buy more seats and convert with a call more often. */
export const COMPANY_SIZE_FIT: Record<CompanySize, number> = {
  "1-10": 0.3,
  "11-50": 0.6,
  "51-200": 0.9,
  "201-1000": 1,
  "1000+": 1,
};

/** Within fit, the lead's own score (0-100) counts this share and company size the rest. */
export const FIT_LEAD_SCORE_SHARE = 0.6;

/**
 * Shares of usage: reaching the activation milestones is the product's own definition of getting
 * value, so it weighs most; people using it (team adoption) next; how often, last. Measures without
 * data are left out and the others share their weight.
 */
export const USAGE_SHARES = { milestones: 0.5, activeUsers: 0.3, frequency: 0.2 } as const;

/**
 * Active users that count as full adoption during a trial: a trial of a 50-seat plan is not expected
 * to have 50 people in it; five people using it means a team, not one evaluator.
 */
export const ACTIVE_USERS_TARGET = 5;

/** Active on half of the trial's days so far (up to the last 28) counts as full frequency: a working-days habit. */
export const FREQUENCY_TARGET_SHARE = 0.5;

/**
 * Intent points (0-1 each; their sum is capped at 1). An unpaid checkout is the clearest sign (they
 * tried to buy); a reached limit forces the decision; an upgrade preview, pricing and billing views
 * show them weighing the price, the billing page least (it is also where owners look at invoices).
 */
export const INTENT_POINTS = {
  checkoutUnpaid: 0.5,
  limitReached: 0.35,
  limitNear: 0.2,
  upgradePreview: 0.3,
  pricingViewed: 0.25,
  billingViewed: 0.15,
} as const;

/** A plan limit used to this share or more counts as reached; from the near share, as close to it (the expansion rule's 80%). */
export const LIMIT_REACHED_SHARE = 1;
export const LIMIT_NEAR_SHARE = 0.8;

/** An intent signal older than this many days counts this factor of its points: interest fades. */
export const INTENT_FRESH_DAYS = 14;
export const INTENT_STALE_FACTOR = 0.5;

/** The most and fewest reasons shown with a score. */
const MAX_REASONS = 4;
const MIN_REASONS = 2;

const DAY_MS = 24 * 60 * 60 * 1000;
/** The usage facts look back 28 days. */
const USAGE_WINDOW_DAYS = 28;

/** A sentence and the points it adds to the score (0 for a sentence that explains a gap). */
type Reason = { text: string; points: number };
/** One part's 0-1 value, or null without data, with its reasons weighted within the part (0-1). */
type Part = { value: number | null; reasons: Reason[] };

/**
 * The trial's PQL score from fit, usage and intent, and its 2-4 strongest reasons as sentences
 * ("4 of 5 milestones reached", "Checked pricing 2 days ago"); null unless the account's trial is
 * active. Score is a whole number 0-100; the weights and thresholds are the constants above.
 */
export function scorePql(facts: AccountFacts): PqlScore | null {
  if (facts.trial?.status !== "active") return null;
  const parts = { fit: fitPart(facts), usage: usagePart(facts), intent: intentPart(facts) };
  const available = (Object.keys(parts) as (keyof typeof parts)[]).filter((key) => parts[key].value !== null);
  const totalWeight = available.reduce((sum, key) => sum + PQL_WEIGHTS[key], 0);
  let score = 0;
  const reasons: Reason[] = [];
  for (const key of available) {
    // Redistribution: each part with data counts its weight out of the weights that have data.
    const scale = (PQL_WEIGHTS[key] / totalWeight) * 100;
    score += (parts[key].value ?? 0) * scale;
    for (const reason of parts[key].reasons) reasons.push({ text: reason.text, points: reason.points * scale });
  }
  return { score: Math.round(Math.min(100, Math.max(0, score))), reasons: strongest(reasons) };
}

/** The reasons that add most, up to four; topped up to two with sentences about gaps when few add anything. */
function strongest(reasons: Reason[]): string[] {
  const adding = reasons.filter((reason) => reason.points >= 0.5).sort((a, b) => b.points - a.points);
  const chosen = adding.slice(0, MAX_REASONS);
  for (const reason of reasons) {
    if (chosen.length >= MIN_REASONS) break;
    if (!chosen.includes(reason)) chosen.push(reason);
  }
  return chosen.map((reason) => reason.text);
}

function fitPart({ lead }: AccountFacts): Part {
  if (!lead || !Object.hasOwn(VERDICT_FIT, lead.verdict)) return { value: null, reasons: [] };
  const verdict = lead.verdict as Verdict;
  const size = companySizeOptions.find((option) => option.value === lead.companySize);
  const leadScore = Math.min(100, Math.max(0, lead.score)) / 100;
  const base = size
    ? FIT_LEAD_SCORE_SHARE * leadScore + (1 - FIT_LEAD_SCORE_SHARE) * COMPANY_SIZE_FIT[size.value]
    : leadScore;
  const value = VERDICT_FIT[verdict] * base;
  const text = `Lead: ${verdictLabels[verdict].toLowerCase()}, score ${lead.score} of 100${size ? `, ${lowerFirst(size.label)}` : ""}`;
  return { value, reasons: [{ text, points: value }] };
}

function usagePart({ milestones, usage, trial, now }: AccountFacts): Part {
  const measures: { share: number; value: number; text: string }[] = [];
  if (milestones.planned > 0) {
    measures.push({
      share: USAGE_SHARES.milestones,
      value: Math.min(1, milestones.reached / milestones.planned),
      text: `${milestones.reached} of ${milestones.planned} ${milestones.planned === 1 ? "milestone" : "milestones"} reached`,
    });
  }
  if (usage.hasData) {
    const target = Math.max(1, Math.min(usage.seatsBought || ACTIVE_USERS_TARGET, ACTIVE_USERS_TARGET));
    measures.push({
      share: USAGE_SHARES.activeUsers,
      value: Math.min(1, usage.activeUsers28d / target),
      text:
        usage.seatsBought > 0
          ? `${usage.activeUsers28d} of ${usage.seatsBought} users active in the last 28 days`
          : `${usage.activeUsers28d} ${usage.activeUsers28d === 1 ? "user" : "users"} active in the last 28 days`,
    });
    const started = trial!.clockStartedAt ?? trial!.startedAt;
    const elapsed = Math.min(USAGE_WINDOW_DAYS, Math.max(1, Math.ceil((now.getTime() - started.getTime()) / DAY_MS)));
    const activeDays = Math.min(usage.activeDays28d, elapsed);
    measures.push({
      share: USAGE_SHARES.frequency,
      value: Math.min(1, activeDays / (elapsed * FREQUENCY_TARGET_SHARE)),
      text: `Active on ${activeDays} of the last ${elapsed} ${elapsed === 1 ? "day" : "days"}`,
    });
  }
  if (!measures.length) return { value: null, reasons: [] };
  const totalShare = measures.reduce((sum, measure) => sum + measure.share, 0);
  const reasons = measures.map((measure) => ({
    text: measure.text,
    points: (measure.value * measure.share) / totalShare,
  }));
  return { value: reasons.reduce((sum, reason) => sum + reason.points, 0), reasons };
}

function intentPart({ signals, usage, now }: AccountFacts): Part {
  const reasons: Reason[] = [];
  const fresh = (at: Date) => (now.getTime() - at.getTime() <= INTENT_FRESH_DAYS * DAY_MS ? 1 : INTENT_STALE_FACTOR);
  if (signals.checkoutUnpaid && signals.checkoutOpenedAt) {
    reasons.push({
      text: `Opened checkout ${daysAgo(signals.checkoutOpenedAt, now)} and has not paid`,
      points: INTENT_POINTS.checkoutUnpaid * fresh(signals.checkoutOpenedAt),
    });
  }
  const limit = usage.maxLimitShare;
  if (limit !== null && limit >= LIMIT_REACHED_SHARE) {
    reasons.push({ text: "Reached a plan limit", points: INTENT_POINTS.limitReached });
  } else if (limit !== null && limit >= LIMIT_NEAR_SHARE) {
    reasons.push({ text: `Using ${Math.floor(limit * 100)}% of a plan limit`, points: INTENT_POINTS.limitNear });
  }
  if (signals.upgradePreviewAt) {
    reasons.push({
      text: `Previewed an upgrade ${daysAgo(signals.upgradePreviewAt, now)}`,
      points: INTENT_POINTS.upgradePreview * fresh(signals.upgradePreviewAt),
    });
  }
  if (signals.pricingViewedAt) {
    reasons.push({
      text: `Checked pricing ${daysAgo(signals.pricingViewedAt, now)}`,
      points: INTENT_POINTS.pricingViewed * fresh(signals.pricingViewedAt),
    });
  }
  if (signals.billingViewedAt) {
    reasons.push({
      text: `Viewed the billing page ${daysAgo(signals.billingViewedAt, now)}`,
      points: INTENT_POINTS.billingViewed * fresh(signals.billingViewedAt),
    });
  }
  if (!reasons.length)
    return { value: 0, reasons: [{ text: "No visit to pricing, billing or checkout yet", points: 0 }] };
  // The part is capped at 1; each reason keeps its share of what counted, so reasons add up to the part.
  const raw = reasons.reduce((sum, reason) => sum + reason.points, 0);
  const value = Math.min(1, raw);
  return { value, reasons: reasons.map((reason) => ({ ...reason, points: (reason.points * value) / raw })) };
}

/** "today", "yesterday", "3 days ago": whole days before `now` (a time after `now` reads as today). */
export function daysAgo(at: Date, now: Date): string {
  const days = Math.max(0, Math.floor((now.getTime() - at.getTime()) / DAY_MS));
  if (days === 0) return "today";
  if (days === 1) return "yesterday";
  return `${days} days ago`;
}
