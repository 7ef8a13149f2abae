import { describe, expect, it } from "vitest";
import { addMonths, monthRange, monthsBetween, parseMonth } from "./months";

const now = new Date("2026-11-30T12:00:00Z");

describe("the months a revenue page shows", () => {
  it("defaults to the last twelve, this one included", () => {
    const { months, notice } = monthRange(null, null, now);
    expect([months[0], months.at(-1), months.length, notice]).toEqual(["2025-12-01", "2026-11-01", 12, null]);
  });

  it("takes a range, or twelve months from a start (not past now) or to an end", () => {
    expect(monthRange("2026-02", "2026-04", now).months).toEqual(["2026-02-01", "2026-03-01", "2026-04-01"]);
    expect(monthRange("2026-06", null, now).months).toEqual([
      "2026-06-01",
      "2026-07-01",
      "2026-08-01",
      "2026-09-01",
      "2026-10-01",
      "2026-11-01",
    ]);
    expect(monthRange(null, "2025-12", now).months[0]).toBe("2025-01-01");
  });

  it("shows the default with a sentence for a range it cannot use", () => {
    for (const [from, to] of [
      ["2026-13", null],
      ["May", "2026-01"],
      ["2026-05", "2026-01"],
      ["2020-01", "2026-01"],
    ] as [string, string | null][])
      expect(monthRange(from, to, now).notice, `${from}..${to}`).toMatch(/showing the last 12 months/);
  });

  it("stops at this month: months that have not begun have no figures", () => {
    const range = monthRange("2026-11", "2027-02", now);
    expect(range.months).toEqual(["2026-11-01"]);
    expect(range.notice).toBe("Months after November 2026 have not happened yet; showing up to it.");
    expect(monthRange("2025-01", "2030-01", now).months.at(-1)).toBe("2026-11-01");
    expect(monthRange("2026-12", "2027-03", now)).toMatchObject({
      months: expect.arrayContaining(["2025-12-01", "2026-11-01"]),
      notice: "December 2026 has not begun yet; showing the last 12 months.",
    });
  });

  it("reads months and counts between them across years", () => {
    expect(parseMonth("2026-02")).toBe("2026-02-01");
    expect(parseMonth("2026-02-01")).toBe("2026-02-01");
    expect(parseMonth("2026-02-15")).toBeNull();
    expect(parseMonth("2026-2")).toBeNull();
    expect(addMonths("2026-11-01", 3)).toBe("2027-02-01");
    expect(addMonths("2026-01-01", -1)).toBe("2025-12-01");
    expect(monthsBetween("2025-11-01", "2027-01-01")).toBe(14);
  });
});
