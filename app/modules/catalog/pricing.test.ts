import { describe, expect, it } from "vitest";
import type { CatalogPlan } from "./catalog.server";
import { annualSavingPercent, displayPrice, featureValueText, parseInterval, seatsText } from "./pricing";

const plan: CatalogPlan = {
  slug: "team",
  name: "Team",
  summary: "",
  description: "",
  salesMode: "self_serve",
  pricingModel: "per_seat",
  minSeats: 3,
  maxSeats: 200,
  trialDays: 14,
  highlighted: true,
  prices: { month: { amount: 2400, currency: "USD" }, year: { amount: 24000, currency: "USD" } },
  features: {},
  milestones: [],
};

describe("pricing display", () => {
  it("shows per-seat prices per user and the monthly equivalent of a yearly price", () => {
    expect(displayPrice(plan, "month")).toEqual({ amount: "$24", unit: "per user / month", prefix: null, note: null });
    expect(displayPrice(plan, "year")).toEqual({
      amount: "$240",
      unit: "per user / year",
      prefix: null,
      note: "$20 per user / month, billed yearly",
    });
  });

  it("marks staff-sold prices as a starting point", () => {
    expect(displayPrice({ ...plan, salesMode: "contact_sales", pricingModel: "flat" }, "month").prefix).toBe("From");
  });

  it("computes the yearly saving", () => {
    expect(annualSavingPercent(plan)).toBe(16);
  });

  it("defaults unknown intervals to monthly", () => {
    expect(parseInterval("year")).toBe("year");
    expect(parseInterval("weekly")).toBe("month");
    expect(parseInterval(null)).toBe("month");
  });

  it("describes seats", () => {
    expect(seatsText(plan)).toBe("3–200 users");
    expect(seatsText({ ...plan, pricingModel: "flat", maxSeats: 50 })).toBe("Up to 50 users included");
    expect(seatsText({ ...plan, pricingModel: "flat", maxSeats: null })).toBe("Unlimited users");
  });

  it("describes feature values", () => {
    const limit = {
      key: "storage_gb",
      name: "Storage",
      description: "",
      group: "Usage",
      kind: "limit" as const,
      unit: "GB",
    };
    const flag = { ...limit, key: "sso", kind: "flag" as const, unit: null };
    expect(featureValueText(limit, 1000)).toBe("1,000 GB");
    expect(featureValueText(limit, null)).toBe("Unlimited");
    expect(featureValueText(limit, undefined)).toBe("Not included");
    expect(featureValueText(flag, true)).toBe("Included");
    expect(featureValueText(flag, false)).toBe("Not included");
  });
});
