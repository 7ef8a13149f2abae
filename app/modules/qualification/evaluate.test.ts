import { describe, expect, it } from "vitest";
import { z } from "zod";
import { demoCatalog } from "#db/seed/demo-catalog";
import { catalogFrom } from "../../../test/support/catalog";
import { evaluateFit } from "./evaluate";
import type { FitResult } from "./evaluate";
import { qualificationSchema } from "./questionnaire";
import type { QualificationAnswers } from "./questionnaire";

const catalog = catalogFrom(demoCatalog);

function answers(overrides: Partial<QualificationAnswers> = {}): QualificationAnswers {
  return {
    companySize: "11-50",
    useCase: "project_management",
    seats: 5,
    mustHaves: [],
    compliance: [],
    budget: "unknown",
    timeline: "this_quarter",
    ...overrides,
  };
}

function requirement(result: FitResult, key: string) {
  return result.requirements.find((entry) => entry.key === key);
}

describe("evaluateFit on the demo catalog", () => {
  it("fits a small team with no special needs on Starter, priced per seat", () => {
    const result = evaluateFit(answers({ seats: 5 }), catalog);
    expect(result.verdict).toBe("fits");
    expect(result.planSlug).toBe("starter");
    expect(result.estimatedMonthly).toEqual({ amount: 5 * 1200, currency: "USD" });
    expect(result.requirements).toEqual([
      { key: "seats", label: "Access for 5 people", status: "met", detail: "Starter takes up to 10 users." },
    ]);
    expect(result.reasons).toContain("At $12 per user a month, 5 users come to $60 a month.");
  });

  it("recommends Team when a must-have is only on Team and above", () => {
    const result = evaluateFit(answers({ seats: 5, mustHaves: ["automations"] }), catalog);
    expect(result.verdict).toBe("fits_higher_plan");
    expect(result.planSlug).toBe("team");
    expect(result.estimatedMonthly).toEqual({ amount: 5 * 2400, currency: "USD" });
    expect(requirement(result, "feature:automations")).toEqual({
      key: "feature:automations",
      label: "Workflow automations",
      status: "met_by_higher_plan",
      detail: "Included in Team; Starter does not include it.",
    });
    expect(result.reasons[0]).toBe("Starter would take 5 users but does not include Workflow automations; Team does.");
  });

  it("prices a per-seat plan at its minimum when fewer people need access", () => {
    const result = evaluateFit(answers({ seats: 2, mustHaves: ["guests"] }), catalog);
    expect(result.planSlug).toBe("team");
    expect(result.estimatedMonthly).toEqual({ amount: 3 * 2400, currency: "USD" });
    expect(requirement(result, "seats")?.detail).toBe("Team is sold for at least 3 users.");
  });

  it("marks needs the size plan already has as met", () => {
    const result = evaluateFit(answers({ seats: 20, mustHaves: ["automations"], compliance: ["audit_log"] }), catalog);
    expect(result.verdict).toBe("fits");
    expect(result.planSlug).toBe("team");
    expect(requirement(result, "feature:audit_log")?.status).toBe("met");
  });

  it("sends SSO and EU residency for 30 people to Business at its flat price", () => {
    const result = evaluateFit(answers({ seats: 30, compliance: ["sso", "eu_data_residency"] }), catalog);
    expect(result.verdict).toBe("fits_higher_plan");
    expect(result.planSlug).toBe("business");
    expect(result.estimatedMonthly).toEqual({ amount: 99_000, currency: "USD" });
    expect(result.requirements.map((entry) => [entry.key, entry.status])).toEqual([
      ["seats", "met"],
      ["feature:sso", "met_by_higher_plan"],
      ["feature:eu_residency", "met_by_higher_plan"],
    ]);
    expect(result.reasons).toContain("Business costs a flat $990 a month for up to 50 users.");
  });

  it("lists a need asked as both must-have and compliance need once", () => {
    const result = evaluateFit(answers({ seats: 30, mustHaves: ["sso"], compliance: ["sso"] }), catalog);
    expect(result.requirements.filter((entry) => entry.key === "feature:sso")).toHaveLength(1);
  });

  it("counts an unlimited limit as included and a zero limit as missing", () => {
    const limited = catalogFrom({
      ...demoCatalog,
      plans: demoCatalog.plans.map((plan) => ({
        ...plan,
        features: { ...plan.features, projects: plan.slug === "starter" ? 0 : null },
      })),
    });
    const result = evaluateFit(answers({ seats: 5, mustHaves: ["projects"] }), limited);
    expect(result.planSlug).toBe("team");
    expect(requirement(result, "feature:projects")?.status).toBe("met_by_higher_plan");
  });

  it("ignores must-have keys the catalog does not know", () => {
    const result = evaluateFit(answers({ mustHaves: ["time_travel"] }), catalog);
    expect(result.verdict).toBe("fits");
    expect(result.requirements.map((entry) => entry.key)).toEqual(["seats"]);
  });

  it("hands an enterprise-sized rollout to staff on Enterprise without a price", () => {
    const result = evaluateFit(answers({ companySize: "1000+", seats: 500 }), catalog);
    expect(result.verdict).toBe("talk_to_us");
    expect(result.planSlug).toBe("enterprise");
    expect(result.estimatedMonthly).toBeNull();
    expect(result.reasons[0]).toBe(
      "A rollout to 500 users in a company of more than 1,000 people is best planned with our team.",
    );
  });

  it("treats a company of more than 1,000 as enterprise-sized only above 200 seats", () => {
    // Team without a seat cap, so only the company size can send the prospect to Enterprise.
    const uncappedTeam = catalogFrom({
      ...demoCatalog,
      plans: demoCatalog.plans.map((plan) => (plan.slug === "team" ? { ...plan, maxSeats: null } : plan)),
    });
    expect(evaluateFit(answers({ companySize: "1000+", seats: 250 }), uncappedTeam).planSlug).toBe("enterprise");
    expect(evaluateFit(answers({ companySize: "1000+", seats: 200 }), uncappedTeam).planSlug).toBe("team");
    expect(evaluateFit(answers({ companySize: "201-1000", seats: 250 }), uncappedTeam).planSlug).toBe("team");
  });

  it("sends seats beyond every self-serve plan to Enterprise", () => {
    const result = evaluateFit(answers({ companySize: "201-1000", seats: 500 }), catalog);
    expect(result.verdict).toBe("talk_to_us");
    expect(result.planSlug).toBe("enterprise");
    expect(result.reasons).toContain("Our self-serve plans do not take 500 users.");
  });

  it("sends a dedicated instance to Enterprise", () => {
    const result = evaluateFit(answers({ compliance: ["dedicated_instance"] }), catalog);
    expect(result.verdict).toBe("talk_to_us");
    expect(result.planSlug).toBe("enterprise");
    expect(requirement(result, "feature:dedicated_instance")).toMatchObject({
      status: "met_by_higher_plan",
      detail: "Included in Enterprise; Starter does not include it.",
    });
    expect(result.reasons).toContain("Dedicated instance is only available on Enterprise.");
  });

  it("sends 300 people needing SSO to Enterprise because Business takes at most 50", () => {
    const result = evaluateFit(answers({ companySize: "201-1000", seats: 300, compliance: ["sso"] }), catalog);
    expect(result.verdict).toBe("talk_to_us");
    expect(result.planSlug).toBe("enterprise");
    expect(result.estimatedMonthly).toBeNull();
    expect(requirement(result, "feature:sso")).toMatchObject({ status: "met", detail: "Included in Enterprise." });
    expect(result.reasons).toContain("Our self-serve plans do not take 300 users.");
  });

  it("sends SSO to Enterprise when Team takes the seats but Business does not", () => {
    const result = evaluateFit(answers({ companySize: "51-200", seats: 60, compliance: ["sso"] }), catalog);
    expect(result.verdict).toBe("talk_to_us");
    expect(result.planSlug).toBe("enterprise");
    expect(requirement(result, "feature:sso")).toMatchObject({ status: "met_by_higher_plan" });
    expect(result.reasons).toEqual([
      "No self-serve plan combines SAML single sign-on with 60 users.",
      "Enterprise is priced and set up together with our team.",
    ]);
  });

  it.each([
    ["on_premises", "On-premises installation"],
    ["hipaa", "HIPAA compliance"],
  ] as const)("is honest that %s is not offered", (need, label) => {
    const result = evaluateFit(answers({ companySize: "1000+", seats: 500, compliance: ["sso", need] }), catalog);
    expect(result.verdict).toBe("not_a_fit");
    expect(result.planSlug).toBeNull();
    expect(result.estimatedMonthly).toBeNull();
    expect(requirement(result, `compliance:${need}`)).toEqual({
      key: `compliance:${need}`,
      label,
      status: "not_offered",
      detail: "Not offered on any plan of Northwind Projects.",
    });
    expect(requirement(result, "feature:sso")?.status).not.toBe("not_offered");
    expect(result.reasons).toEqual([`Northwind Projects does not offer ${label} on any plan.`]);
  });

  it("names every need that is not offered", () => {
    const result = evaluateFit(answers({ compliance: ["on_premises", "hipaa"] }), catalog);
    expect(result.reasons).toEqual([
      "Northwind Projects does not offer On-premises installation and HIPAA compliance on any plan.",
    ]);
  });
});

describe("budget", () => {
  const business = answers({ seats: 30, compliance: ["sso"] });

  it("explains an estimate above the budget without changing the verdict", () => {
    const result = evaluateFit({ ...business, budget: "100_500" }, catalog);
    expect(result.verdict).toBe("fits_higher_plan");
    expect(result.reasons).toContain("The estimate of $990/month is above your budget of up to $500.");
    expect(requirement(result, "budget")).toMatchObject({ label: "Budget: $100–$500 a month", status: "not_offered" });
  });

  it("accepts an estimate within the budget", () => {
    const result = evaluateFit({ ...business, budget: "500_2000" }, catalog);
    expect(requirement(result, "budget")).toMatchObject({ status: "met" });
    expect(result.reasons.join(" ")).not.toMatch(/budget/);
  });

  it("compares the starting price of a plan staff price", () => {
    const result = evaluateFit(answers({ compliance: ["dedicated_instance"], budget: "500_2000" }), catalog);
    expect(result.reasons).toContain(
      "The Enterprise starting price of $2,500/month is above your budget of up to $2,000.",
    );
  });

  it("adds no budget line when the budget is unknown or nothing fits", () => {
    expect(requirement(evaluateFit({ ...business, budget: "unknown" }, catalog), "budget")).toBeUndefined();
    expect(
      requirement(evaluateFit(answers({ compliance: ["hipaa"], budget: "under_100" }), catalog), "budget"),
    ).toBeUndefined();
  });

  it("does not compare a dollar budget with prices in another currency", () => {
    const euros = catalogFrom({
      ...demoCatalog,
      plans: demoCatalog.plans.map((plan) => ({ ...plan, currency: "EUR" })),
    });
    const result = evaluateFit({ ...business, budget: "under_100" }, euros);
    expect(result.estimatedMonthly).toEqual({ amount: 99_000, currency: "EUR" });
    expect(requirement(result, "budget")).toBeUndefined();
  });
});

describe("a catalog without a contact-sales plan", () => {
  const selfServeOnly = catalogFrom({
    ...demoCatalog,
    plans: demoCatalog.plans.filter((plan) => plan.salesMode === "self_serve"),
  });

  it("is not a fit for more people than any plan takes", () => {
    const result = evaluateFit(answers({ seats: 500 }), selfServeOnly);
    expect(result.verdict).toBe("not_a_fit");
    expect(requirement(result, "seats")).toMatchObject({ status: "not_offered" });
    expect(result.reasons).toEqual(["No plan of Northwind Projects takes 500 users."]);
  });

  it("is not a fit when the needs and the seats exist only on different plans", () => {
    const result = evaluateFit(answers({ seats: 60, compliance: ["sso"] }), selfServeOnly);
    expect(result.verdict).toBe("not_a_fit");
    expect(requirement(result, "seats")).toMatchObject({ status: "met" });
    expect(requirement(result, "feature:sso")).toMatchObject({
      status: "met_by_higher_plan",
      detail: "Included in Business; Team does not include it.",
    });
    expect(result.reasons).toEqual(["No plan of Northwind Projects combines SAML single sign-on with 60 users."]);
  });
});

describe("lead score", () => {
  it("ranks a ready large buyer above a solo user who is just looking", () => {
    const ready = evaluateFit(
      answers({ companySize: "1000+", seats: 500, timeline: "now", budget: "2000_10000", compliance: ["sso"] }),
      catalog,
    );
    const browsing = evaluateFit(
      answers({ companySize: "1-10", seats: 1, timeline: "just_looking", budget: "under_100" }),
      catalog,
    );
    expect(ready.score).toBeGreaterThan(browsing.score);
    expect(ready.score).toBeGreaterThanOrEqual(80);
    expect(browsing.score).toBeLessThanOrEqual(40);
  });

  it("scores earlier timelines higher", () => {
    const scores = (["now", "this_quarter", "later", "just_looking"] as const).map(
      (timeline) => evaluateFit(answers({ timeline }), catalog).score,
    );
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(new Set(scores).size).toBe(scores.length);
  });

  it("scores a lead we cannot serve low and stays within 0..100", () => {
    const unserved = evaluateFit(answers({ companySize: "1-10", seats: 1, compliance: ["hipaa"] }), catalog);
    const served = evaluateFit(answers({ companySize: "1-10", seats: 1 }), catalog);
    expect(unserved.score).toBeLessThan(served.score);
    expect(unserved.score).toBe(0);
    const best = evaluateFit(
      answers({ companySize: "1000+", seats: 5000, timeline: "now", budget: "over_10000" }),
      catalog,
    );
    expect(best.score).toBeLessThanOrEqual(100);
    expect(Number.isInteger(best.score)).toBe(true);
  });
});

describe("qualificationSchema", () => {
  const form = {
    companySize: "51-200",
    useCase: "software_delivery",
    seats: "42",
    budget: "500_2000",
    timeline: "now",
  };

  it("coerces form strings and turns a single checked box into a list", () => {
    const parsed = qualificationSchema.parse({ ...form, mustHaves: "automations", compliance: "sso" });
    expect(parsed).toEqual({ ...form, seats: 42, mustHaves: ["automations"], compliance: ["sso"] });
  });

  it("reads unchecked groups as empty lists and keeps several values", () => {
    expect(qualificationSchema.parse(form)).toMatchObject({ mustHaves: [], compliance: [] });
    expect(qualificationSchema.parse({ ...form, compliance: "" })).toMatchObject({ compliance: [] });
    expect(qualificationSchema.parse({ ...form, compliance: ["sso", "hipaa"] }).compliance).toEqual(["sso", "hipaa"]);
  });

  it.each(["", "0", "2.5", "many", "100001"])("rejects %j seats with a plain message", (seats) => {
    const result = qualificationSchema.safeParse({ ...form, seats });
    expect(result.success).toBe(false);
    expect(result.error && z.flattenError(result.error).fieldErrors.seats).toEqual([
      "Enter how many people need access (1 to 100,000)",
    ]);
  });

  it("rejects unknown choices and too many must-haves", () => {
    const result = qualificationSchema.safeParse({
      ...form,
      companySize: "huge",
      compliance: "soc2",
      mustHaves: Array.from({ length: 31 }, (_, index) => `feature_${index}`),
    });
    expect(result.success).toBe(false);
    const errors = result.error ? z.flattenError(result.error).fieldErrors : {};
    expect(errors.companySize).toEqual(["Choose the size of your company"]);
    expect(errors.compliance).toEqual(["Choose compliance needs from the list"]);
    expect(errors.mustHaves).toEqual(["Choose at most 30 must-haves"]);
  });
});
