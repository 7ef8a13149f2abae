/**
 * The plan-backwards model (issue 17 item 4; ../shared/PRODUCT.md "How success is measured":
 * revenue target → average price per customer → customers needed → conversion rates → trials
 * needed → leads needed). Pure: the page feeds it measured figures as editable assumptions.
 */

export type PlanAssumptions = {
  /** Average MRR per paying customer, reporting minor units (> 0). */
  arpa: number;
  /** Share of trials that become paying customers, 0 < x ≤ 1. */
  trialConversion: number;
  /** Trials started per lead, 0 < x ≤ 1. */
  leadToTrial: number;
  /** Share of customers lost each month, 0 ≤ x < 1. */
  monthlyChurn: number;
};

export type PlanInput = {
  /** The MRR to reach, reporting minor units. */
  goalMrr: number;
  /** Whole months from now to the goal's month (≥ 1). */
  months: number;
  /** Paying customers now. */
  customers: number;
  assumptions: PlanAssumptions;
};

/** What the goal takes each month, whole customers, trials and leads (rounded up). */
export type PlanNeeds = {
  /** Customers paying when the goal is met: goal ÷ ARPA. */
  customersAtGoal: number;
  /** Of today's customers, those still paying then at the churn assumed. */
  customersKept: number;
  newCustomersPerMonth: number;
  trialsPerMonth: number;
  leadsPerMonth: number;
};

/**
 * Works back from the goal: customers at the goal = ⌈goal ÷ ARPA⌉; today's customers decay by
 * the churn each month, c·(1−r)ⁿ; the new customers needed each month N fill the rest, each also
 * decaying from its month on: N = (customers at goal − c·(1−r)ⁿ) ÷ Σₖ₌₀ⁿ⁻¹ (1−r)ᵏ; trials = N ÷
 * conversion; leads = trials ÷ lead-to-trial. None needed (0) when today's customers already
 * reach it. Throws a RangeError for inputs outside the ranges `PlanAssumptions` gives.
 */
export function planBackwards({ goalMrr, months, customers, assumptions }: PlanInput): PlanNeeds {
  const { arpa, trialConversion, leadToTrial, monthlyChurn } = assumptions;
  if (!(arpa > 0 && trialConversion > 0 && trialConversion <= 1 && leadToTrial > 0 && leadToTrial <= 1))
    throw new RangeError("ARPA and both rates must be above 0, the rates at most 100%.");
  if (!(monthlyChurn >= 0 && monthlyChurn < 1 && months >= 1 && goalMrr >= 0 && customers >= 0))
    throw new RangeError("Churn must be from 0 to below 100%, at least one month ahead.");
  const keep = 1 - monthlyChurn;
  const customersAtGoal = Math.ceil(goalMrr / arpa);
  const customersKept = customers * keep ** months;
  // Σ keepᵏ summed term by term: the closed form (1 − keepⁿ) ÷ r loses everything to rounding when r is tiny.
  let weight = 0;
  for (let k = 0; k < months; k += 1) weight += keep ** k;
  // Rounded up, less a hair so a quotient that is whole but for floating point is not one more.
  const up = (value: number) => Math.max(0, Math.ceil(value - 1e-9));
  const newCustomersPerMonth = up((customersAtGoal - customersKept) / weight);
  const trialsPerMonth = up(newCustomersPerMonth / trialConversion);
  return {
    customersAtGoal,
    customersKept: Math.floor(customersKept),
    newCustomersPerMonth,
    trialsPerMonth,
    leadsPerMonth: up(trialsPerMonth / leadToTrial),
  };
}
