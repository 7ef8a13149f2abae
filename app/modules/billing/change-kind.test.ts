import { describe, expect, it } from "vitest";
import { demoCatalog } from "#db/seed/demo-catalog";
import { catalogFrom } from "../../../test/support/catalog";
import { changeKind } from "./change-kind";

const catalog = catalogFrom(demoCatalog);
const team = (seats: number, interval: "month" | "year" = "month") => ({ planSlug: "team", interval, seats });

describe("changeKind", () => {
  it("calls more users or a dearer plan an upgrade, fewer or cheaper a downgrade", () => {
    expect(changeKind(catalog, team(3), team(6))).toBe("upgrade");
    expect(changeKind(catalog, team(6), team(3))).toBe("downgrade");
    expect(changeKind(catalog, { planSlug: "starter", interval: "month", seats: 5 }, team(5))).toBe("upgrade");
    expect(changeKind(catalog, team(5), { planSlug: "starter", interval: "month", seats: 5 })).toBe("downgrade");
  });

  it("treats monthly → yearly as an upgrade (paid now) and yearly → monthly as a downgrade (at the period end)", () => {
    expect(changeKind(catalog, team(5), team(5, "year"))).toBe("upgrade");
    expect(changeKind(catalog, team(5, "year"), team(9))).toBe("downgrade");
  });

  it("applies more users on a flat price at once: they cost nothing extra", () => {
    const business = (seats: number) => ({ planSlug: "business", interval: "month" as const, seats });
    expect(changeKind(catalog, business(10), business(30))).toBe("upgrade");
    expect(changeKind(catalog, business(30), business(10))).toBe("upgrade");
  });

  it("finds nothing to change in the same choice or an unknown plan", () => {
    expect(changeKind(catalog, team(5), team(5))).toBeNull();
    expect(changeKind(catalog, team(5), { planSlug: "gone", interval: "month", seats: 5 })).toBeNull();
  });
});
