import { describe, expect, it } from "vitest";
import { healthText, stageText } from "./portfolio-format";

describe("a portfolio row in words", () => {
  it("names the stage with its day where the day matters", () => {
    expect(stageText("onboarding", 12)).toBe("Onboarding, day 12 of 90");
    expect(stageText("trial", 3)).toBe("On trial, day 3");
    expect(stageText("adopted", 140)).toBe("Adopted");
  });

  it("gives the health band and score, or why there is none", () => {
    expect(healthText("green", 82, "adopted")).toBe("Good, 82");
    expect(healthText(null, null, "trial")).toBe("Not scored yet");
    // The health job scores accounts in service only: a churned account is not waiting for a score.
    expect(healthText(null, null, "churned")).toBe("Not scored: no longer a customer");
  });
});
