import { describe, expect, it } from "vitest";
import { answerRows } from "~/modules/qualification/questionnaire";
import { resultFieldLabel } from "~/modules/provisioning-labels";
import { includedLines, limitAmount, planLabel, wordsFromKey, type FeatureWords } from "./labels";

const features: FeatureWords[] = [
  { key: "projects", name: "Projects", kind: "limit", unit: null },
  { key: "storage_gb", name: "File storage", kind: "limit", unit: "GB" },
  { key: "api_calls", name: "API calls per month", kind: "limit", unit: null },
  { key: "eu_residency", name: "EU data residency", kind: "flag", unit: null },
];

describe("labels", () => {
  it("writes limits with units and thousands separators", () => {
    expect(limitAmount(20, "GB")).toBe("20 GB");
    expect(limitAmount(10_000, null)).toBe("10,000");
    expect(limitAmount(null, "GB")).toBe("Unlimited");
    expect(limitAmount(5, "seats")).toBe("5 seats");
  });

  it("puts a snapshot's keys into words, in catalog order", () => {
    expect(
      includedLines(
        { limits: { api_calls: 10_000, storage_gb: 20, old_limit: 3 }, features: ["eu_residency"] },
        features,
      ),
    ).toEqual(["File storage: 20 GB", "API calls per month: 10,000", "EU data residency", "Old limit: 3"]);
  });

  it("names plans and result fields, and never shows a key as it is", () => {
    expect(planLabel("team", { team: "Team" })).toBe("Team");
    expect(planLabel("retired_plan", {})).toBe("Retired plan");
    expect(resultFieldLabel("workspace_url")).toBe("Workspace URL");
    expect(resultFieldLabel("region", [{ key: "region", label: "Where your data lives" }])).toBe(
      "Where your data lives",
    );
    expect(wordsFromKey("sso_api_key")).toBe("SSO API key");
  });

  it("reads a lead's answers in the form's words", () => {
    const rows = answerRows(
      {
        companySize: "11-50",
        useCase: "client_work",
        seats: 1200,
        mustHaves: ["eu_residency"],
        compliance: [],
        budget: "under_100",
        timeline: "this_quarter",
      },
      features,
    );
    expect(rows).toEqual([
      { question: "Company size", answer: "11–50 people" },
      { question: "Main use", answer: "Client work and agency projects" },
      { question: "People who need access", answer: "1,200" },
      { question: "Must-haves", answer: "EU data residency" },
      { question: "Compliance needs", answer: "None" },
      { question: "Monthly budget", answer: "Under $100 a month" },
      { question: "When to start", answer: "This quarter" },
    ]);
  });
});
