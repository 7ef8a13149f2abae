import { describe, expect, it } from "vitest";
import type { AccountFacts } from "./facts";
import { daysAgo, scorePql } from "./pql";
import { accountFacts } from "../../../test/support/success";

const NOW = new Date("2026-05-20T12:00:00Z");
const daysBefore = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

type Overrides = {
  trial?: Partial<NonNullable<AccountFacts["trial"]>> | null;
  milestones?: Partial<AccountFacts["milestones"]>;
  usage?: Partial<AccountFacts["usage"]>;
  lead?: AccountFacts["lead"];
  signals?: Partial<AccountFacts["signals"]>;
};

/** An account ten days into an active 14-day trial of Team with 5 seats, no lead, no usage, no signals. */
function facts(name: string, overrides: Overrides = {}): AccountFacts {
  const base = accountFacts(name, { name, createdAt: daysBefore(12), now: NOW, serviceStartedAt: daysBefore(10) });
  return {
    ...base,
    trial:
      overrides.trial === null
        ? null
        : {
            id: `${name}-trial`,
            planSlug: "team",
            status: "active",
            startedAt: daysBefore(10),
            clockStartedAt: daysBefore(10),
            endsAt: daysBefore(-4),
            manualSetup: false,
            ...overrides.trial,
          },
    milestones: { ...base.milestones, ...overrides.milestones },
    usage: { ...base.usage, hasData: true, seatsBought: 5, ...overrides.usage },
    lead: overrides.lead ?? null,
    signals: { ...base.signals, ...overrides.signals },
  };
}

const strongLead = { id: "lead", verdict: "fits", score: 80, companySize: "51-200" };

/** Six trials, from most to least ready to buy, each with what should explain it. */
const trials: { facts: AccountFacts; reasons: string[] }[] = [
  {
    // Tried to buy, at a limit, well used, and a good fit.
    facts: facts("buying", {
      lead: strongLead,
      milestones: { reached: 5 },
      usage: { activeUsers28d: 5, activeDays28d: 8, maxLimitShare: 1.2 },
      signals: { checkoutOpenedAt: daysBefore(1), checkoutUnpaid: true, pricingViewedAt: daysBefore(2) },
    }),
    reasons: ["5 of 5 milestones reached", "Opened checkout yesterday and has not paid"],
  },
  {
    // Well used and looking at prices, no lead answers (fit has no data: its weight goes to the others).
    facts: facts("adopting", {
      milestones: { reached: 4 },
      usage: { activeUsers28d: 4, activeDays28d: 6, maxLimitShare: 0.85 },
      signals: { pricingViewedAt: daysBefore(2) },
    }),
    reasons: ["4 of 5 milestones reached", "Checked pricing 2 days ago", "4 of 5 users active in the last 28 days"],
  },
  {
    // A good fit that uses the product a fair amount, no buying signals yet.
    facts: facts("fitting", {
      lead: { id: "lead", verdict: "talk_to_us", score: 90, companySize: "1000+" },
      milestones: { reached: 3 },
      usage: { activeUsers28d: 2, activeDays28d: 4 },
    }),
    reasons: ["Lead: talk to us, score 90 of 100, more than 1,000 people", "3 of 5 milestones reached"],
  },
  {
    // Little use, but looked at prices and billing long ago (stale intent counts half).
    facts: facts("browsing", {
      milestones: { reached: 1 },
      usage: { activeUsers28d: 1, activeDays28d: 2 },
      signals: { pricingViewedAt: daysBefore(20), billingViewedAt: daysBefore(3) },
    }),
    reasons: ["Viewed the billing page 3 days ago", "Checked pricing 20 days ago"],
  },
  {
    // A lead that is not a fit, barely trying.
    facts: facts("unfit", {
      lead: { id: "lead", verdict: "not_a_fit", score: 10, companySize: "1-10" },
      milestones: { reached: 1 },
      usage: { activeUsers28d: 1, activeDays28d: 1 },
    }),
    reasons: ["1 of 5 milestones reached"],
  },
  {
    // Signed up for the trial and never came back: the reasons say what is missing.
    facts: facts("idle"),
    reasons: ["0 of 5 milestones reached", "0 of 5 users active in the last 28 days"],
  },
];

describe("the PQL score", () => {
  it("ranks hand-made trials from most to least ready to buy, each with its reasons", () => {
    const scored = trials.map(({ facts: account }) => ({ name: account.name, ...scorePql(account)! }));
    expect([...scored].sort((a, b) => b.score - a.score).map((trial) => trial.name)).toEqual(
      trials.map((trial) => trial.facts.name),
    );
    for (const [index, trial] of trials.entries()) {
      const { reasons, score } = scored[index]!;
      expect(score, trial.facts.name).toBeGreaterThanOrEqual(0);
      expect(score, trial.facts.name).toBeLessThanOrEqual(100);
      expect(reasons.length, `${trial.facts.name}: ${reasons.join("; ")}`).toBeGreaterThanOrEqual(2);
      expect(reasons.length).toBeLessThanOrEqual(4);
      expect(reasons, trial.facts.name).toEqual(expect.arrayContaining(trial.reasons));
    }
    // The strongest reason comes first.
    expect(scored[0]!.reasons[0]).toBe("5 of 5 milestones reached");
  });

  it("gives the exact score from its parts: usage and intent share fit's weight when there is no lead", () => {
    // Usage: milestones 4/5 (0.5), 4 of 5 active users (0.3), 6 of 10 days against a target of 5 (0.2, capped).
    // Intent: pricing viewed 2 days ago 0.25 + a limit at 85% 0.2 = 0.45.
    const usage = 0.5 * 0.8 + 0.3 * 0.8 + 0.2 * 1;
    const intent = 0.45;
    const expected = Math.round(((45 * usage + 30 * intent) / 75) * 100);
    expect(scorePql(trials[1]!.facts)!.score).toBe(expected);
    // The same account with a lead that fits perfectly scores higher; with one that is not a fit, lower.
    const perfect = { id: "l", verdict: "fits", score: 100, companySize: "1000+" };
    const poor = { id: "l", verdict: "not_a_fit", score: 0, companySize: "1-10" };
    expect(scorePql({ ...trials[1]!.facts, lead: perfect })!.score).toBeGreaterThan(expected);
    expect(scorePql({ ...trials[1]!.facts, lead: poor })!.score).toBeLessThan(expected);
  });

  it("counts a limit reached, and one near, as intent", () => {
    const at = (share: number | null) => scorePql(facts("limits", { usage: { maxLimitShare: share } }))!;
    expect(at(1).reasons).toContain("Reached a plan limit");
    expect(at(0.8).reasons).toContain("Using 80% of a plan limit");
    expect(at(1).score).toBeGreaterThan(at(0.8).score);
    expect(at(0.8).score).toBeGreaterThan(at(0.5).score);
    expect(at(0.5).score).toBe(at(null).score);
  });

  it("counts an upgrade preview, and an old checkout less than a new one", () => {
    const previewed = scorePql(facts("preview", { signals: { upgradePreviewAt: daysBefore(0) } }))!;
    expect(previewed.reasons).toContain("Previewed an upgrade today");
    const fresh = scorePql(facts("c", { signals: { checkoutOpenedAt: daysBefore(3), checkoutUnpaid: true } }))!;
    const stale = scorePql(facts("c", { signals: { checkoutOpenedAt: daysBefore(30), checkoutUnpaid: true } }))!;
    expect(fresh.score).toBeGreaterThan(stale.score);
    // A checkout that was paid is no longer a sign of intent to buy.
    const paid = scorePql(facts("c", { signals: { checkoutOpenedAt: daysBefore(3), checkoutUnpaid: false } }))!;
    expect(paid.reasons).not.toContain("Opened checkout 3 days ago and has not paid");
  });

  it("scores only an active trial", () => {
    expect(scorePql(facts("none", { trial: null }))).toBeNull();
    expect(scorePql(facts("expired", { trial: { status: "expired" } }))).toBeNull();
    expect(scorePql(facts("converted", { trial: { status: "converted" } }))).toBeNull();
    expect(scorePql(facts("active"))).not.toBeNull();
  });

  it("scores a product that reports nothing from fit and intent alone", () => {
    const silent = facts("silent", {
      milestones: { planned: 0 },
      usage: { hasData: false },
      lead: strongLead,
      signals: { pricingViewedAt: daysBefore(1) },
    });
    const result = scorePql(silent)!;
    // Fit: 1 × (0.6 × 0.8 + 0.4 × 0.9) = 0.84; intent 0.25; usage has no data.
    expect(result.score).toBe(Math.round(((25 * 0.84 + 30 * 0.25) / 55) * 100));
    expect(result.reasons).toEqual(["Lead: fits, score 80 of 100, 51–200 people", "Checked pricing yesterday"]);
  });

  it("says when in whole days", () => {
    expect(daysAgo(NOW, NOW)).toBe("today");
    expect(daysAgo(daysBefore(1.5), NOW)).toBe("yesterday");
    expect(daysAgo(daysBefore(6), NOW)).toBe("6 days ago");
    expect(daysAgo(daysBefore(-1), NOW)).toBe("today");
  });
});
