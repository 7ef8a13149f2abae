import type { RequirementStatus, Verdict } from "./evaluate";

export const verdictLabels: Record<Verdict, string> = {
  fits: "Fits",
  fits_higher_plan: "Fits a higher plan",
  talk_to_us: "Talk to us",
  not_a_fit: "Not a fit",
};

/** How each requirement of a lead stands, in words (staff lead page). */
export const requirementStatusLabels: Record<RequirementStatus, string> = {
  met: "Met",
  met_by_higher_plan: "Met by a higher plan",
  not_offered: "Not offered",
};
