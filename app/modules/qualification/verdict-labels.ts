import type { Verdict } from "./evaluate";

export const verdictLabels: Record<Verdict, string> = {
  fits: "Fits",
  fits_higher_plan: "Fits a higher plan",
  talk_to_us: "Talk to us",
  not_a_fit: "Not a fit",
};
