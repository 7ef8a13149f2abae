import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { accountMonths, churnKindOf, monthFigures, monthTotals, movementOf, type AccountMonth } from "./movements";

const month = (startMrr: number, endMrr: number, over: Partial<AccountMonth> = {}): AccountMonth => ({
  startMrr,
  endMrr,
  lastChurnedAt: null,
  returnedAt: null,
  churnKind: null,
  ...over,
});
const day = (d: string) => new Date(`${d}T12:00:00Z`);

describe("an account's movement in a month (docs/metrics.md)", () => {
  it("compares the month's start and end", () => {
    expect(movementOf(month(0, 4_900))).toEqual({ movement: "new", amount: 4_900 });
    expect(movementOf(month(4_900, 9_800))).toEqual({ movement: "expansion", amount: 4_900 });
    expect(movementOf(month(9_800, 4_900))).toEqual({ movement: "contraction", amount: 4_900 });
    expect(movementOf(month(4_900, 0))).toEqual({ movement: "churn", amount: 4_900 });
    expect(movementOf(month(4_900, 4_900))).toBeNull();
    // Started and ended within the month: neither new nor churn.
    expect(movementOf(month(0, 0, { returnedAt: day("2026-03-02") }))).toBeNull();
  });

  it("calls a return within 90 days of the churn a reactivation, and a later one new", () => {
    const churned = day("2026-01-10");
    expect(movementOf(month(0, 4_900, { lastChurnedAt: churned, returnedAt: day("2026-04-10") }))).toEqual({
      movement: "reactivation",
      amount: 4_900,
    });
    expect(movementOf(month(0, 4_900, { lastChurnedAt: churned, returnedAt: day("2026-04-11") }))?.movement).toBe(
      "new",
    );
    expect(movementOf(month(0, 4_900, { lastChurnedAt: churned, returnedAt: day("2026-04-11") }), 120)?.movement).toBe(
      "reactivation",
    );
  });
});

describe("a month's figures", () => {
  it("adds accounts up into MRR, movements, retention and the quick ratio", () => {
    const totals = monthTotals([
      month(10_000, 12_000),
      month(10_000, 8_000),
      month(10_000, 0, { churnKind: "payment_failure" }),
      month(10_000, 10_000),
      month(0, 5_000),
    ]);
    expect(totals.mrr).toEqual({ new: 5_000, reactivation: 0, expansion: 2_000, contraction: 2_000, churn: 10_000 });
    expect(totals.churnedMrrByKind).toEqual({ voluntary: 0, payment_failure: 10_000 });
    expect(monthFigures(totals)).toEqual({
      mrr: 35_000,
      arr: 420_000,
      customers: 4,
      arpa: 8_750,
      logoChurn: 0.25,
      revenueChurn: 0.3,
      netRevenueRetention: 0.75,
      grossRevenueRetention: 0.7,
      quickRatio: 7_000 / 12_000,
      bridgeEnd: 35_000,
    });
    expect(monthFigures(monthTotals([])).quickRatio).toBeNull();
  });

  it("always closes the MRR bridge, and gross retention never exceeds net or 100%", () => {
    const mrr = fc.integer({ min: 0, max: 1_000_000 });
    fc.assert(
      fc.property(fc.array(fc.tuple(mrr, mrr), { maxLength: 50 }), (pairs) => {
        const figures = monthFigures(monthTotals(pairs.map(([start, end]) => month(start, end))));
        expect(figures.bridgeEnd).toBe(figures.mrr);
        if (figures.grossRevenueRetention !== null) {
          expect(figures.grossRevenueRetention).toBeLessThanOrEqual(1);
          expect(figures.grossRevenueRetention).toBeLessThanOrEqual(figures.netRevenueRetention!);
        }
      }),
    );
  });
});

describe("an account's months, replayed from its ledger", () => {
  const entry = (subscriptionId: string, at: string, mrrAfter: number, change = "plan", status = "active") => ({
    subscriptionId,
    occurredAt: new Date(at),
    mrrAfter,
    change,
    status,
  });

  it("gives each month from the first row's to now its start and end, across subscriptions", () => {
    const months = accountMonths(
      [
        entry("sub_b", "2026-02-10T00:00:00Z", 2_000, "created"),
        entry("sub_a", "2026-01-15T00:00:00Z", 5_000, "created"),
        entry("sub_a", "2026-03-01T00:00:00Z", 0, "status", "unpaid"),
        entry("sub_b", "2026-03-20T00:00:00Z", 0, "cancellation", "canceled"),
        entry("sub_a", "2026-05-05T00:00:00Z", 5_000, "reactivation"),
      ],
      new Date("2026-06-15T00:00:00Z"),
    );
    expect([...months.keys()]).toEqual([
      "2026-01-01",
      "2026-02-01",
      "2026-03-01",
      "2026-04-01",
      "2026-05-01",
      "2026-06-01",
    ]);
    expect(months.get("2026-01-01")).toMatchObject({
      startMrr: 0,
      endMrr: 5_000,
      returnedAt: new Date("2026-01-15T00:00:00Z"),
    });
    expect(months.get("2026-02-01")).toMatchObject({ startMrr: 5_000, endMrr: 7_000 });
    // The last subscription cancelled: voluntary, though the first had gone unpaid.
    expect(months.get("2026-03-01")).toMatchObject({ startMrr: 7_000, endMrr: 0, churnKind: "voluntary" });
    expect(movementOf(months.get("2026-05-01")!)?.movement).toBe("reactivation");
    expect(months.get("2026-06-01")).toMatchObject({ startMrr: 5_000, endMrr: 5_000 });
  });

  it("calls a churn by an unpaid subscription a payment failure, and a return after 90 days new", () => {
    const months = accountMonths(
      [
        entry("sub_a", "2026-01-15T00:00:00Z", 5_000, "created"),
        entry("sub_a", "2026-02-03T00:00:00Z", 0, "status", "unpaid"),
        entry("sub_c", "2026-06-01T00:00:00Z", 3_000, "created"),
      ],
      new Date("2026-06-30T00:00:00Z"),
    );
    expect(months.get("2026-02-01")).toMatchObject({ churnKind: "payment_failure" });
    expect(movementOf(months.get("2026-06-01")!)).toEqual({ movement: "new", amount: 3_000 });
  });

  it("calls a cancellation for failed payments payment-failure churn, any other end voluntary", () => {
    expect(churnKindOf({ change: "cancellation", status: "canceled", reason: "payment_failed" })).toBe(
      "payment_failure",
    );
    expect(churnKindOf({ change: "status", status: "unpaid", reason: null })).toBe("payment_failure");
    expect(churnKindOf({ change: "cancellation", status: "canceled", reason: "cancellation_requested" })).toBe(
      "voluntary",
    );
    expect(churnKindOf({ change: "status", status: "paused", reason: null })).toBe("voluntary");
  });
});
