import { formatMoney } from "~/lib/money";
import type { Money } from "~/lib/money";
import type { Catalog, CatalogFeature, CatalogPlan } from "~/modules/catalog/catalog.server";
import { budgetLabels, complianceFeatureKeys, complianceLabels } from "./questionnaire";
import type { Budget, CompanySize, QualificationAnswers, Timeline } from "./questionnaire";

export type RequirementStatus = "met" | "met_by_higher_plan" | "not_offered";
export type Requirement = { key: string; label: string; status: RequirementStatus; detail: string };
export type Verdict = "fits" | "fits_higher_plan" | "talk_to_us" | "not_a_fit";

export type FitResult = {
  verdict: Verdict;
  /** The recommended plan; null for not_a_fit. */
  planSlug: string | null;
  /** One per stated requirement: seats, each must-have, each compliance need, then the budget. */
  requirements: Requirement[];
  /** Plain sentences explaining the verdict. */
  reasons: string[];
  /** Monthly price for the seats on the recommended self-serve plan; null when staff set the price or nothing fits. */
  estimatedMonthly: Money | null;
  /** Lead score, an integer from 0 to 100. */
  score: number;
};

/** A must-have or compliance need; `feature` is null when no catalog feature answers it. */
type Need = { key: string; label: string; feature: CatalogFeature | null };

/** The plans the verdict and the requirement list are both judged against. */
type Candidates = {
  /** Cheapest self-serve plan that takes the seats, whatever else was asked. */
  sizePlan: CatalogPlan | null;
  /** Cheapest self-serve plan that takes the seats and includes every need some plan offers. */
  selfServePlan: CatalogPlan | null;
  /** First contact-sales plan that takes the seats and includes every need some plan offers. */
  salesPlan: CatalogPlan | null;
};

type Decision = { verdict: Verdict; plan: CatalogPlan | null; reasons: string[] };

/** Companies of more than 1,000 people rolling out to more than this many users are planned with staff. */
const ENTERPRISE_ROLLOUT_SEATS = 200;

/**
 * Judges the answers against the catalog. The catalog holds active plans only, cheapest first,
 * so "the first plan that…" is always the cheapest one.
 */
export function evaluateFit(answers: QualificationAnswers, catalog: Catalog): FitResult {
  const needs = statedNeeds(answers, catalog);
  const offered = needs.filter((need) => isOffered(need, catalog));
  const candidates = findCandidates(catalog, answers.seats, offered);
  const decision = decide(answers, catalog, candidates, needs, offered);

  // A contact-sales plan may show a starting price, but its real price is agreed with staff.
  const pricedPlan = decision.verdict === "talk_to_us" ? null : decision.plan;
  // Requirements are explained against the plan we would recommend were every need offered.
  const target = decision.plan ?? candidates.selfServePlan ?? candidates.salesPlan;
  const baseline = candidates.sizePlan ?? target;
  // Seats can be taken even when no plan meets every need, so look past the candidates.
  const seatsPlan = target ?? baseline ?? catalog.plans.find((plan) => takesSeats(plan, answers.seats)) ?? null;
  const budget = budgetCheck(answers.budget, decision, answers.seats);

  return {
    verdict: decision.verdict,
    planSlug: decision.plan?.slug ?? null,
    requirements: [
      seatsRequirement(answers.seats, seatsPlan, catalog),
      ...needs.map((need) => needRequirement(need, catalog, baseline, target)),
      ...(budget ? [budget.requirement] : []),
    ],
    reasons: [
      ...decision.reasons,
      ...(pricedPlan ? [estimateReason(pricedPlan, answers.seats)] : []),
      ...(budget?.reason ? [budget.reason] : []),
    ],
    estimatedMonthly: pricedPlan ? monthlyPrice(pricedPlan, answers.seats) : null,
    score: leadScore(answers, decision.verdict),
  };
}

/**
 * Must-haves then compliance needs, once per feature (keyed so a repeat replaces itself in place).
 * Unknown must-have keys cannot come from our form and are skipped.
 */
function statedNeeds(answers: QualificationAnswers, catalog: Catalog): Need[] {
  const featureByKey = new Map(catalog.features.map((feature) => [feature.key, feature]));
  const needs = new Map<string, Need>();
  for (const key of answers.mustHaves) {
    const feature = featureByKey.get(key);
    if (feature) needs.set(`feature:${key}`, { key: `feature:${key}`, label: feature.name, feature });
  }
  for (const need of answers.compliance) {
    const featureKey = complianceFeatureKeys[need];
    const feature = featureKey ? featureByKey.get(featureKey) : undefined;
    const key = feature ? `feature:${feature.key}` : `compliance:${need}`;
    needs.set(key, { key, label: feature?.name ?? complianceLabels[need], feature: feature ?? null });
  }
  return [...needs.values()];
}

/** A flag counts when true; a limit when it is unlimited (null) or anything but zero. */
function includes(plan: CatalogPlan, feature: CatalogFeature): boolean {
  const value = plan.features[feature.key];
  if (feature.kind === "flag") return value === true;
  return value === null || (typeof value === "number" && value !== 0);
}

function meets(plan: CatalogPlan, need: Need): boolean {
  return need.feature !== null && includes(plan, need.feature);
}

function meetsAll(plan: CatalogPlan, needs: Need[]): boolean {
  return needs.every((need) => meets(plan, need));
}

function isOffered(need: Need, catalog: Catalog): boolean {
  return catalog.plans.some((plan) => meets(plan, need));
}

function isEnterpriseRollout({ companySize, seats }: QualificationAnswers): boolean {
  return companySize === "1000+" && seats > ENTERPRISE_ROLLOUT_SEATS;
}

/** A per-seat plan whose minimum is above the seats still takes them: the customer buys the minimum. */
function takesSeats(plan: CatalogPlan, seats: number): boolean {
  return plan.maxSeats === null || seats <= plan.maxSeats;
}

function billedSeats(plan: CatalogPlan, seats: number): number {
  return Math.max(seats, plan.minSeats);
}

function monthlyPrice(plan: CatalogPlan, seats: number): Money {
  const price = plan.prices.month;
  return plan.pricingModel === "per_seat" ? { ...price, amount: price.amount * billedSeats(plan, seats) } : price;
}

function findCandidates(catalog: Catalog, seats: number, offered: Need[]): Candidates {
  const fitting = catalog.plans.filter((plan) => takesSeats(plan, seats));
  const selfServe = fitting.filter((plan) => plan.salesMode === "self_serve");
  return {
    sizePlan: selfServe[0] ?? null,
    selfServePlan: selfServe.find((plan) => meetsAll(plan, offered)) ?? null,
    salesPlan: fitting.find((plan) => plan.salesMode === "contact_sales" && meetsAll(plan, offered)) ?? null,
  };
}

function decide(
  answers: QualificationAnswers,
  catalog: Catalog,
  candidates: Candidates,
  needs: Need[],
  offered: Need[],
): Decision {
  const { seats } = answers;
  const unoffered = needs.filter((need) => !offered.includes(need));
  const seatsTaken = catalog.plans.some((plan) => takesSeats(plan, seats));
  if (unoffered.length > 0 || !seatsTaken) {
    return notAFit([
      ...(unoffered.length > 0 ? [`${catalog.product.name} does not offer ${listText(unoffered)} on any plan.`] : []),
      ...(seatsTaken ? [] : [`No plan of ${catalog.product.name} takes ${usersText(seats)}.`]),
    ]);
  }

  const { sizePlan, selfServePlan, salesPlan } = candidates;
  if (salesPlan && isEnterpriseRollout(answers)) return talkToUs(salesPlan, catalog, candidates, offered, answers);
  if (sizePlan && selfServePlan) return selfServeDecision(sizePlan, selfServePlan, offered, seats);
  if (salesPlan) return talkToUs(salesPlan, catalog, candidates, offered, answers);
  // Every need and the seats are offered somewhere, just not together.
  return notAFit([`No plan of ${catalog.product.name} combines ${listText(offered)} with ${usersText(seats)}.`]);
}

function notAFit(reasons: string[]): Decision {
  return { verdict: "not_a_fit", plan: null, reasons };
}

function selfServeDecision(sizePlan: CatalogPlan, plan: CatalogPlan, offered: Need[], seats: number): Decision {
  if (plan === sizePlan) {
    return {
      verdict: "fits",
      plan,
      reasons: [`${plan.name} takes ${usersText(seats)} and includes everything you asked for.`],
    };
  }
  const lacking = offered.filter((need) => !meets(sizePlan, need));
  return {
    verdict: "fits_higher_plan",
    plan,
    reasons: [
      `${sizePlan.name} would take ${usersText(seats)} but does not include ${listText(lacking)}; ${plan.name} does.`,
    ],
  };
}

function talkToUs(
  plan: CatalogPlan,
  catalog: Catalog,
  { sizePlan }: Candidates,
  offered: Need[],
  answers: QualificationAnswers,
): Decision {
  const users = usersText(answers.seats);
  const reasons: string[] = [];
  if (isEnterpriseRollout(answers)) {
    reasons.push(`A rollout to ${users} in a company of more than 1,000 people is best planned with our team.`);
  }
  if (!sizePlan) reasons.push(`Our self-serve plans do not take ${users}.`);
  const selfServe = catalog.plans.filter((candidate) => candidate.salesMode === "self_serve");
  const salesOnly = offered.filter((need) => !selfServe.some((candidate) => meets(candidate, need)));
  if (salesOnly.length > 0) {
    reasons.push(`${listText(salesOnly)} ${salesOnly.length === 1 ? "is" : "are"} only available on ${plan.name}.`);
  }
  if (sizePlan && reasons.length === 0) {
    // Each need exists on some self-serve plan, but none of those takes this many users.
    const lacking = offered.filter((need) => !meets(sizePlan, need));
    reasons.push(`No self-serve plan combines ${listText(lacking)} with ${users}.`);
  }
  reasons.push(`${plan.name} is priced and set up together with our team.`);
  return { verdict: "talk_to_us", plan, reasons };
}

function seatsRequirement(seats: number, plan: CatalogPlan | null, catalog: Catalog): Requirement {
  const label = `Access for ${seats.toLocaleString("en-US")} ${seats === 1 ? "person" : "people"}`;
  if (!plan)
    return {
      key: "seats",
      label,
      status: "not_offered",
      detail: `No plan of ${catalog.product.name} takes ${usersText(seats)}.`,
    };
  return { key: "seats", label, status: "met", detail: seatRangeText(plan, seats) };
}

function seatRangeText(plan: CatalogPlan, seats: number): string {
  if (plan.pricingModel === "per_seat" && plan.minSeats > seats) {
    return `${plan.name} is sold for at least ${usersText(plan.minSeats)}.`;
  }
  return plan.maxSeats === null
    ? `${plan.name} has no user limit.`
    : `${plan.name} takes up to ${usersText(plan.maxSeats)}.`;
}

/**
 * "met" when the plan for the team's size includes the need, "met_by_higher_plan" when only the
 * recommended (or, with no recommendation, the first offering) plan above it does.
 */
function needRequirement(
  need: Need,
  catalog: Catalog,
  baseline: CatalogPlan | null,
  target: CatalogPlan | null,
): Requirement {
  const { key, label, feature } = need;
  const firstOffering = feature ? catalog.plans.find((plan) => includes(plan, feature)) : undefined;
  if (!feature || !firstOffering) {
    return { key, label, status: "not_offered", detail: `Not offered on any plan of ${catalog.product.name}.` };
  }
  if (!baseline || includes(baseline, feature)) {
    return { key, label, status: "met", detail: `Included in ${(baseline ?? firstOffering).name}.` };
  }
  const plan = target ?? firstOffering;
  return {
    key,
    label,
    status: "met_by_higher_plan",
    detail: `Included in ${plan.name}; ${baseline.name} does not include it.`,
  };
}

function estimateReason(plan: CatalogPlan, seats: number): string {
  const total = formatMoney(monthlyPrice(plan, seats));
  if (plan.pricingModel === "flat") {
    const users = plan.maxSeats === null ? "any number of users" : `up to ${usersText(plan.maxSeats)}`;
    return `${plan.name} costs a flat ${total} a month for ${users}.`;
  }
  const billed = usersText(billedSeats(plan, seats));
  return `At ${formatMoney(plan.prices.month)} per user a month, ${billed} come to ${total} a month.`;
}

/** Upper end of each budget range in US cents; null where there is none. */
const BUDGET_CEILING_USD_CENTS: Record<Exclude<Budget, "unknown">, number | null> = {
  under_100: 10_000,
  "100_500": 50_000,
  "500_2000": 200_000,
  "2000_10000": 1_000_000,
  over_10000: null,
};

/** Compares the budget with the monthly price (the starting price for plans staff price). */
function budgetCheck(
  budget: Budget,
  { verdict, plan }: Decision,
  seats: number,
): { requirement: Requirement; reason: string | null } | null {
  if (budget === "unknown" || !plan) return null;
  const price = monthlyPrice(plan, seats);
  // The questionnaire asks for a budget in US dollars; another currency cannot be compared honestly.
  if (price.currency !== "USD") return null;
  const label = `Budget: ${budgetLabels[budget]}`;
  const priceText =
    verdict === "talk_to_us"
      ? `The ${plan.name} starting price of ${formatMoney(price)}/month`
      : `The estimate of ${formatMoney(price)}/month`;
  const ceiling = BUDGET_CEILING_USD_CENTS[budget];
  if (ceiling === null || price.amount <= ceiling) {
    return {
      requirement: { key: "budget", label, status: "met", detail: `${priceText} is within your budget.` },
      reason: null,
    };
  }
  const over = `${priceText} is above your budget of up to ${formatMoney({ amount: ceiling, currency: "USD" })}.`;
  return { requirement: { key: "budget", label, status: "not_offered", detail: over }, reason: over };
}

const COMPANY_SIZE_POINTS: Record<CompanySize, number> = {
  "1-10": 4,
  "11-50": 8,
  "51-200": 12,
  "201-1000": 16,
  "1000+": 20,
};
/** Smallest seat count of each band, largest first. */
const SEAT_POINTS: [seats: number, points: number][] = [
  [1001, 15],
  [201, 13],
  [51, 11],
  [11, 8],
  [3, 5],
  [1, 2],
];
const TIMELINE_POINTS: Record<Timeline, number> = { now: 25, this_quarter: 18, later: 8, just_looking: 0 };
// An unknown budget is a common, honest answer, so it scores like a small known one.
const BUDGET_POINTS: Record<Budget, number> = {
  under_100: 2,
  "100_500": 6,
  "500_2000": 10,
  "2000_10000": 14,
  over_10000: 15,
  unknown: 5,
};
// A prospect we cannot serve loses points, so leads we must turn away do not top the staff list.
const VERDICT_POINTS: Record<Verdict, number> = { fits: 25, talk_to_us: 25, fits_higher_plan: 20, not_a_fit: -30 };

/** Size, seats, readiness and budget describe the lead (75 points); the verdict adds up to 25 more. */
function leadScore(answers: QualificationAnswers, verdict: Verdict): number {
  const seatPoints = SEAT_POINTS.find(([minimum]) => answers.seats >= minimum)?.[1] ?? 0;
  const total =
    COMPANY_SIZE_POINTS[answers.companySize] +
    seatPoints +
    TIMELINE_POINTS[answers.timeline] +
    BUDGET_POINTS[answers.budget] +
    VERDICT_POINTS[verdict];
  return Math.min(100, Math.max(0, total));
}

function usersText(count: number): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? "user" : "users"}`;
}

const listFormat = new Intl.ListFormat("en", { style: "long", type: "conjunction" });

function listText(needs: Need[]): string {
  return listFormat.format(needs.map((need) => need.label));
}
