import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toReporting } from "./currency";
import { ledgerChange } from "./ledger.server";
import { mrrOf, type MrrInput } from "./mrr";

const NOW = 1_800_000_000;
const seats = (unitAmount: number, quantity: number, interval: "month" | "year" = "month", intervalCount = 1) => ({
  unitAmount,
  quantity,
  interval,
  intervalCount,
});
const input = (over: Partial<MrrInput>): MrrInput => ({
  status: "active",
  endedAt: null,
  items: [seats(4900, 3)],
  discounts: [],
  ...over,
});

describe("the MRR of a subscription (docs/metrics.md)", () => {
  it("is unit amount × users a month; annual ÷ 12; every 3 months ÷ 3; rounded once", () => {
    expect(mrrOf(input({}), NOW)).toBe(14_700);
    expect(mrrOf(input({ items: [seats(49_000, 3, "year")] }), NOW)).toBe(12_250);
    expect(mrrOf(input({ items: [seats(10_000, 1, "month", 3)] }), NOW)).toBe(3_333);
    expect(mrrOf(input({ items: [seats(1_000, 1, "year")] }), NOW)).toBe(83);
  });

  it("counts while active or past due; trials, unpaid, paused, incomplete and ended count 0", () => {
    expect(mrrOf(input({ status: "past_due" }), NOW)).toBe(14_700);
    for (const status of ["trialing", "unpaid", "paused", "incomplete", "incomplete_expired", "canceled"]) {
      expect(mrrOf(input({ status }), NOW), status).toBe(0);
    }
    // A cancellation counts when it takes effect, not before.
    expect(mrrOf(input({ endedAt: NOW + 1 }), NOW)).toBe(14_700);
    expect(mrrOf(input({ endedAt: NOW }), NOW)).toBe(0);
  });

  it("takes off recurring discounts while they last, never below 0; a one-off coupon is not recurring", () => {
    const percent = (percentOff: number, end: number | null = null) => ({
      percentOff,
      amountOff: null,
      duration: "repeating" as const,
      end,
    });
    expect(mrrOf(input({ discounts: [percent(20)] }), NOW)).toBe(11_760);
    expect(mrrOf(input({ discounts: [percent(20, NOW)] }), NOW)).toBe(14_700);
    expect(mrrOf(input({ discounts: [{ ...percent(50), duration: "once" }] }), NOW)).toBe(14_700);
    // An amount off per invoice spreads over the interval: $120 off a year is $10 a month.
    const yearly = input({
      items: [seats(120_000, 1, "year")],
      discounts: [{ percentOff: null, amountOff: 12_000, duration: "forever", end: null }],
    });
    expect(mrrOf(yearly, NOW)).toBe(9_000);
    expect(
      mrrOf(input({ discounts: [{ percentOff: null, amountOff: 99_999, duration: "forever", end: null }] }), NOW),
    ).toBe(0);
  });

  it("is a whole, non-negative number of minor units for any subscription", () => {
    const item = fc.record({
      unitAmount: fc.integer({ min: 0, max: 10_000_000 }),
      quantity: fc.integer({ min: 0, max: 10_000 }),
      interval: fc.constantFrom("day" as const, "week" as const, "month" as const, "year" as const),
      intervalCount: fc.integer({ min: 1, max: 12 }),
    });
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 100 }), (items, off) => {
        const mrr = mrrOf(
          input({ items, discounts: [{ percentOff: off, amountOff: null, duration: "forever", end: null }] }),
          NOW,
        );
        expect(Number.isInteger(mrr) && mrr >= 0).toBe(true);
      }),
    );
  });
});

describe("what changed, for the ledger", () => {
  const before = {
    status: "active",
    planSlug: "team",
    quantity: 3,
    billingInterval: "month",
    currency: "usd",
  };
  const after = { status: "active", planSlug: "team", quantity: 3, interval: "month", ended: false };

  it("tells creations, reactivations, ends and status changes from plan, users, interval and discounts", () => {
    expect(ledgerChange(null, after)).toBe("created");
    expect(ledgerChange({ ...before, currency: null }, after)).toBe("created");
    expect(ledgerChange({ ...before, status: "trialing" }, after)).toBe("created");
    expect(ledgerChange({ ...before, status: "unpaid" }, after)).toBe("reactivation");
    expect(ledgerChange(before, { ...after, status: "canceled", ended: true })).toBe("cancellation");
    expect(ledgerChange(before, { ...after, status: "unpaid" })).toBe("status");
    expect(ledgerChange(before, { ...after, planSlug: "business", quantity: 5 })).toBe("plan");
    expect(ledgerChange(before, { ...after, quantity: 5 })).toBe("users");
    expect(ledgerChange(before, { ...after, interval: "year" })).toBe("interval");
    expect(ledgerChange({ ...before, status: "past_due" }, after)).toBe("discount");
  });
});

describe("the reporting currency", () => {
  it("converts at the fixed rates, minding each currency's minor units; a currency without a rate is 0", () => {
    expect(toReporting(12_345, "usd")).toBe(12_345);
    expect(toReporting(9_200, "eur")).toBe(10_000);
    expect(toReporting(15_000, "jpy")).toBe(10_000);
    expect(toReporting(10_000, "xyz")).toBe(0);
  });
});
