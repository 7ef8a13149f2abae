import { describe, expect, it } from "vitest";
import { attentionOf } from "./attention";
import type { AccountFacts, SubscriptionFacts } from "./facts";
import { DEFAULT_WEIGHTS, expectedSeatShare, scoreHealth } from "./health";
import { dropMark } from "./refresh.server";
import { lifecycleStage } from "./stage";
import { accountFacts } from "../../../test/support/success";

const DAY = 24 * 60 * 60 * 1000;
const NOW = new Date("2026-11-30T12:00:00Z");
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);

function subscription(overrides: Partial<SubscriptionFacts> = {}): SubscriptionFacts {
  return {
    id: "sub_1",
    status: "active",
    planSlug: "team",
    quantity: 10,
    interval: "month",
    mrrMinor: 20_000,
    currency: "usd",
    currentPeriodEnd: daysAgo(-20),
    paymentFailedAt: null,
    cancelAtPeriodEnd: false,
    endedAt: null,
    ...overrides,
  };
}

/** A paying account 100 days into its service (month 4), healthy unless told otherwise. */
function facts(overrides: Partial<AccountFacts> = {}): AccountFacts {
  return accountFacts("00000000-0000-4000-8000-000000000001", {
    createdAt: daysAgo(120),
    now: NOW,
    subscriptions: [subscription()],
    firstPaidAt: daysAgo(100),
    serviceStartedAt: daysAgo(100),
    milestones: { planned: 0, reached: 0, lastReachedAt: null },
    usage: {
      hasData: true,
      activeUsers28d: 6,
      seatsBought: 10,
      activeDays28d: 12,
      featuresUsed28d: 3,
      featuresEverUsed: 6,
      lastActiveAt: daysAgo(1),
      maxLimitShare: null,
    },
    ...overrides,
  });
}

const byKey = (result: ReturnType<typeof scoreHealth>) => Object.fromEntries(result.measures.map((m) => [m.key, m]));

describe("the health score", () => {
  it("scores a hand-made account measure by measure, with the standard weights", () => {
    const result = scoreHealth(facts(), DEFAULT_WEIGHTS, null, NOW);
    const m = byKey(result);
    expect(result.profile).toBe("standard");
    expect(Object.fromEntries(result.measures.map((x) => [x.key, x.score]))).toEqual({
      milestones: null,
      active_users: 60,
      breadth: 50,
      frequency: 60,
      unused_seats: 100,
      setup: 100,
      payment: 100,
      contact: 100,
    });
    expect(m.active_users!.explanation).toBe("6 of 10 users bought were active in the last 28 days.");
    expect(m.frequency!.explanation).toBe("Active on 3 days a week over the last 4 weeks (12 of 28 days).");
    expect(m.breadth!.explanation).toBe("3 features were used in the last 28 days, of 6 the account has used.");
    expect(m.unused_seats!.explanation).toBe(
      "4 of 10 users bought are unused in month 4; by now we expect at least 60% in use.",
    );
    expect(m.milestones!.explanation).toBe("The plan has no activation milestones.");
    // (60×25 + 50×10 + 60×15 + 100×15 + 100×10 + 100×20 + 100×5) / 100
    expect(result.computedScore).toBe(79);
    expect(result).toMatchObject({ score: 79, band: "green", overrideId: null });
    expect(result.measures.reduce((sum, x) => sum + x.effectiveWeight, 0)).toBeCloseTo(100, 5);
  });

  it("gives a measure's weight to the others when it has no data, instead of counting it as zero", () => {
    const result = scoreHealth(
      facts({
        usage: { ...facts().usage, hasData: false },
        payment: { failingSince: daysAgo(2), worstStatus: "failing" },
      }),
      DEFAULT_WEIGHTS,
      null,
      NOW,
    );
    const m = byKey(result);
    for (const key of ["active_users", "breadth", "frequency", "unused_seats"])
      expect(m[key], key).toMatchObject({ score: null, effectiveWeight: 0 });
    expect(m.setup).toMatchObject({ score: 100, weight: 10, effectiveWeight: 28.57 });
    expect(m.payment).toMatchObject({ score: 40, weight: 20, effectiveWeight: 57.14 });
    expect(m.contact).toMatchObject({ score: 100, weight: 5, effectiveWeight: 14.29 });
    expect(m.payment!.explanation).toBe("The latest payment failed and is being retried.");
    // (100×10 + 40×20 + 100×5) / 35 = 65.7
    expect(result).toMatchObject({ computedScore: 66, score: 66, band: "yellow" });
  });

  it("judges the same share of unused seats by tenure: a warning in month 2, red in month 9", () => {
    const quarterUsed = (days: number) =>
      byKey(
        scoreHealth(
          facts({
            serviceStartedAt: daysAgo(days),
            firstPaidAt: daysAgo(days),
            usage: { ...facts().usage, seatsBought: 20, activeUsers28d: 5 },
          }),
          DEFAULT_WEIGHTS,
          null,
          NOW,
        ),
      ).unused_seats!;
    expect(expectedSeatShare(2)).toBe(0.4);
    expect(expectedSeatShare(9)).toBe(0.8);
    expect(quarterUsed(45)).toMatchObject({
      score: 63,
      explanation: "15 of 20 users bought are unused in month 2; by now we expect at least 40% in use.",
    });
    expect(quarterUsed(250)).toMatchObject({
      score: 31,
      explanation: "15 of 20 users bought are unused in month 9; by now we expect at least 80% in use.",
    });
  });

  it("uses the onboarding profile in the first 30 days, where milestones weigh most", () => {
    const result = scoreHealth(
      facts({
        subscriptions: [],
        firstPaidAt: null,
        serviceStartedAt: daysAgo(10),
        trial: {
          id: "t",
          planSlug: "team",
          status: "active",
          startedAt: daysAgo(10),
          clockStartedAt: daysAgo(10),
          endsAt: daysAgo(-4),
          manualSetup: false,
        },
        milestones: { planned: 5, reached: 2, lastReachedAt: daysAgo(3) },
        usage: { ...facts().usage, seatsBought: 5, activeUsers28d: 2, activeDays28d: 4 },
      }),
      DEFAULT_WEIGHTS,
      null,
      NOW,
    );
    const m = byKey(result);
    expect(result.profile).toBe("onboarding");
    expect(m.milestones).toMatchObject({ score: 40, weight: 40, explanation: "2 of 5 activation milestones reached." });
    expect(m.payment).toMatchObject({ score: null, explanation: "No subscription to pay yet." });
    // (40×40 + 40×10 + 20×10 + 100×20 + 100×10) / 90 (payment has no data; breadth and seats weigh 0)
    expect(result).toMatchObject({ computedScore: 58, band: "yellow" });
  });

  it("takes the band from an override until it expires; the score stays the computed one", () => {
    const override = { id: "o1", band: "red" as const, expiresAt: daysAgo(-1) };
    const overridden = scoreHealth(facts(), DEFAULT_WEIGHTS, override, NOW);
    expect(overridden).toMatchObject({ band: "red", score: 79, computedScore: 79, overrideId: "o1" });
    const expired = scoreHealth(facts(), DEFAULT_WEIGHTS, override, daysAgo(-2));
    expect(expired).toMatchObject({ band: "green", score: 79, overrideId: null });
    const inBand = scoreHealth(facts(), DEFAULT_WEIGHTS, { ...override, band: "green" }, NOW);
    expect(inBand).toMatchObject({ band: "green", score: 79, overrideId: "o1" });
  });

  it("explains setup, payment and contact states in sentences", () => {
    const m = byKey(
      scoreHealth(
        facts({
          setup: { failedSince: null, waitingCustomerSince: daysAgo(8), waitingStaffSince: daysAgo(1) },
          payment: { failingSince: daysAgo(5), worstStatus: "past_due" },
          contactRequests: { last30d: 2, lastAt: daysAgo(1) },
        }),
        DEFAULT_WEIGHTS,
        null,
        NOW,
      ),
    );
    expect(m.setup).toMatchObject({ score: 20, explanation: "A setup has waited on the customer since 8 days ago." });
    expect(m.payment).toMatchObject({ score: 20, explanation: "A payment is past due." });
    expect(m.contact).toMatchObject({ score: 40, explanation: "2 contact requests in the last 30 days." });
    const failed = byKey(
      scoreHealth(facts({ setup: { ...facts().setup, failedSince: daysAgo(0) } }), DEFAULT_WEIGHTS, null, NOW),
    );
    expect(failed.setup).toMatchObject({ score: 0, explanation: "A setup failed today and is not fixed." });
  });
});

describe("the lifecycle stage", () => {
  const trial = {
    id: "t",
    planSlug: "team",
    status: "active" as const,
    startedAt: daysAgo(4),
    clockStartedAt: daysAgo(4),
    endsAt: daysAgo(-10),
    manualSetup: false,
  };
  const green = { band: "green" as const };

  it("names each case", () => {
    expect(lifecycleStage(facts({ subscriptions: [], firstPaidAt: null, trial }), green)).toEqual({
      stage: "trial",
      stageDay: 5,
    });
    expect(
      lifecycleStage(
        facts({ subscriptions: [], firstPaidAt: null, trial: { ...trial, endsAt: null, clockStartedAt: null } }),
        null,
      ),
    ).toEqual({ stage: "trial", stageDay: null });
    expect(lifecycleStage(facts({ firstPaidAt: daysAgo(10), serviceStartedAt: daysAgo(24) }), green)).toEqual({
      stage: "onboarding",
      stageDay: 11,
    });
    expect(lifecycleStage(facts({ firstPaidAt: daysAgo(89), serviceStartedAt: daysAgo(89) }), green)).toEqual({
      stage: "onboarding",
      stageDay: 90,
    });
    expect(lifecycleStage(facts({ firstPaidAt: daysAgo(90), serviceStartedAt: daysAgo(90) }), green)).toEqual({
      stage: "adopted",
      stageDay: null,
    });
    expect(lifecycleStage(facts(), { band: "red" })).toEqual({ stage: "at_risk", stageDay: null });
    expect(lifecycleStage(facts({ payment: { failingSince: daysAgo(1), worstStatus: "past_due" } }), green).stage).toBe(
      "at_risk",
    );
    expect(lifecycleStage(facts({ subscriptions: [subscription({ cancelAtPeriodEnd: true })] }), green).stage).toBe(
      "at_risk",
    );
    expect(
      lifecycleStage(facts({ subscriptions: [subscription({ status: "canceled", endedAt: daysAgo(3) })] }), null),
    ).toEqual({ stage: "churned", stageDay: null });
    expect(lifecycleStage(facts({ subscriptions: [], firstPaidAt: null }), null)).toEqual({
      stage: "prospect",
      stageDay: null,
    });
    expect(
      lifecycleStage(facts({ subscriptions: [], firstPaidAt: null, trial: { ...trial, status: "expired" } }), null)
        .stage,
    ).toBe("prospect");
  });
});

describe("attention and the drop alert", () => {
  it("puts failing payments first, then stuck setups, red, recent drops and ending trials, yellow, green", () => {
    const of = (
      f: AccountFacts,
      band: "red" | "yellow" | "green" | null,
      score: number | null,
      droppedAt: Date | null = null,
    ) => attentionOf({ facts: f, stage: "adopted", score, band, droppedAt });
    expect(of(facts({ payment: { failingSince: daysAgo(1), worstStatus: "failing" } }), "green", 80)).toBe(80);
    expect(of(facts({ setup: { ...facts().setup, waitingStaffSince: daysAgo(3) } }), "green", 80)).toBe(180);
    expect(of(facts(), "red", 30)).toBe(230);
    expect(of(facts(), "yellow", 60, daysAgo(2))).toBe(360);
    expect(of(facts(), "yellow", 60)).toBe(460);
    expect(of(facts(), "green", 100)).toBe(599);
    expect(of(facts({ subscriptions: [], firstPaidAt: null }), null, null)).toBe(899);
    expect(attentionOf({ facts: facts(), stage: "churned", score: null, band: null, droppedAt: null })).toBe(999);
  });

  it("marks a fall of 15 points within 7 days once per fall", () => {
    expect(dropMark(60, 74, null, NOW)).toBeNull();
    expect(dropMark(60, 75, null, NOW)).toEqual(NOW);
    expect(dropMark(50, 75, daysAgo(2), NOW)).toEqual(daysAgo(2));
    expect(dropMark(50, 75, daysAgo(9), NOW)).toEqual(NOW);
    expect(dropMark(70, 72, daysAgo(9), NOW)).toEqual(daysAgo(9));
    expect(dropMark(null, 75, null, NOW)).toBeNull();
  });
});
