import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planBackwards, type PlanAssumptions } from "./plan";

const assumptions: PlanAssumptions = { arpa: 20_000, trialConversion: 0.2, leadToTrial: 0.25, monthlyChurn: 0 };

describe("planning backwards from a revenue goal", () => {
  it("works back through price, customers, conversion and leads (no churn: by hand)", () => {
    // $100,000 MRR at $200 a customer: 500 customers; 100 today, 400 more over 10 months = 40 a month;
    // at 20% conversion 200 trials; at 1 trial per 4 leads 800 leads a month.
    expect(planBackwards({ goalMrr: 10_000_000, months: 10, customers: 100, assumptions })).toEqual({
      customersAtGoal: 500,
      customersKept: 100,
      newCustomersPerMonth: 40,
      trialsPerMonth: 200,
      leadsPerMonth: 800,
    });
  });

  it("replaces the customers churn takes on the way (by hand)", () => {
    // 10% a month over 2 months: 100 today keep 81; N + 0.9N = 1.9N must make 500 − 81 = 419: N = 220.5 → 221.
    const needs = planBackwards({
      goalMrr: 10_000_000,
      months: 2,
      customers: 100,
      assumptions: { ...assumptions, monthlyChurn: 0.1 },
    });
    expect(needs).toMatchObject({
      customersKept: 81,
      newCustomersPerMonth: 221,
      trialsPerMonth: 1105,
      leadsPerMonth: 4420,
    });
  });

  it("needs nothing when today's customers already reach the goal", () => {
    expect(planBackwards({ goalMrr: 1_000_000, months: 3, customers: 80, assumptions })).toMatchObject({
      newCustomersPerMonth: 0,
      trialsPerMonth: 0,
      leadsPerMonth: 0,
    });
  });

  it("refuses rates outside their ranges", () => {
    for (const bad of [
      { arpa: 0 },
      { trialConversion: 0 },
      { trialConversion: 1.5 },
      { leadToTrial: 0 },
      { monthlyChurn: 1 },
    ])
      expect(() =>
        planBackwards({ goalMrr: 1, months: 1, customers: 0, assumptions: { ...assumptions, ...bad } }),
      ).toThrow(RangeError);
  });

  it("always plans enough: the customers it asks for, churned as assumed, reach the goal", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 1, max: 36 }),
        fc.integer({ min: 0, max: 2_000 }),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        (goalMrr, months, customers, monthlyChurn) => {
          const needs = planBackwards({ goalMrr, months, customers, assumptions: { ...assumptions, monthlyChurn } });
          let paying = customers;
          for (let month = 0; month < months; month += 1)
            paying = paying * (1 - monthlyChurn) + needs.newCustomersPerMonth;
          expect(paying).toBeGreaterThanOrEqual(needs.customersAtGoal - 1e-6);
          // …and not a customer a month more than that takes.
          if (needs.newCustomersPerMonth > 0) {
            let fewer = customers;
            for (let month = 0; month < months; month += 1)
              fewer = fewer * (1 - monthlyChurn) + needs.newCustomersPerMonth - 1;
            expect(fewer).toBeLessThan(needs.customersAtGoal);
          }
        },
      ),
    );
  });
});
