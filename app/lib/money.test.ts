import { describe, expect, it } from "vitest";
import { formatMoney, minorUnitsPerMajor } from "./money";

describe("formatMoney", () => {
  it("drops the cents of whole amounts", () => {
    expect(formatMoney({ amount: 120000, currency: "USD" })).toBe("$1,200");
  });
  it("keeps the cents of fractional amounts", () => {
    expect(formatMoney({ amount: 1250, currency: "USD" })).toBe("$12.50");
  });
  it("knows currencies without minor units", () => {
    expect(minorUnitsPerMajor("JPY")).toBe(1);
    expect(formatMoney({ amount: 1200, currency: "JPY" })).toBe("¥1,200");
  });
  it("formats euros in a given locale", () => {
    expect(formatMoney({ amount: 99000, currency: "EUR" }, "de-DE")).toBe("990\u00a0€");
  });
});
