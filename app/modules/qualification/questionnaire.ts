import { z } from "zod";
import { textField } from "~/lib/text";
import { featureLabel, wordsFromKey, type FeatureWords } from "~/modules/catalog/labels";

/** A choice as the form shows it. */
export type Option<T extends string> = { value: T; label: string };

function optionList<T extends string>(values: readonly T[], labels: Record<T, string>): Option<T>[] {
  return values.map((value) => ({ value, label: labels[value] }));
}

export const companySizes = ["1-10", "11-50", "51-200", "201-1000", "1000+"] as const;
export type CompanySize = (typeof companySizes)[number];
const companySizeLabels: Record<CompanySize, string> = {
  "1-10": "1–10 people",
  "11-50": "11–50 people",
  "51-200": "51–200 people",
  "201-1000": "201–1,000 people",
  "1000+": "More than 1,000 people",
};
export const companySizeOptions = optionList(companySizes, companySizeLabels);

export const useCases = ["project_management", "client_work", "software_delivery", "operations", "other"] as const;
export type UseCase = (typeof useCases)[number];
const useCaseLabels: Record<UseCase, string> = {
  project_management: "Planning and tracking projects",
  client_work: "Client work and agency projects",
  software_delivery: "Software delivery",
  operations: "Operations and recurring processes",
  other: "Something else",
};
export const useCaseOptions = optionList(useCases, useCaseLabels);

export const complianceNeeds = [
  "eu_data_residency",
  "sso",
  "audit_log",
  "dedicated_instance",
  "on_premises",
  "hipaa",
] as const;
export type ComplianceNeed = (typeof complianceNeeds)[number];
export const complianceLabels: Record<ComplianceNeed, string> = {
  eu_data_residency: "EU data residency",
  sso: "SAML single sign-on",
  audit_log: "Audit log",
  dedicated_instance: "Dedicated (single-tenant) instance",
  on_premises: "On-premises installation",
  hipaa: "HIPAA compliance",
};
export const complianceOptions = optionList(complianceNeeds, complianceLabels);

/**
 * The catalog feature that answers each compliance need. Null marks needs no plan of this
 * product can meet, so evaluation reports them as not offered instead of guessing.
 */
export const complianceFeatureKeys: Record<ComplianceNeed, string | null> = {
  eu_data_residency: "eu_residency",
  sso: "sso",
  audit_log: "audit_log",
  dedicated_instance: "dedicated_instance",
  on_premises: null,
  hipaa: null,
};

export const budgets = ["under_100", "100_500", "500_2000", "2000_10000", "over_10000", "unknown"] as const;
export type Budget = (typeof budgets)[number];
export const budgetLabels: Record<Budget, string> = {
  under_100: "Under $100 a month",
  "100_500": "$100–$500 a month",
  "500_2000": "$500–$2,000 a month",
  "2000_10000": "$2,000–$10,000 a month",
  over_10000: "More than $10,000 a month",
  unknown: "Not sure yet",
};
export const budgetOptions = optionList(budgets, budgetLabels);

export const timelines = ["now", "this_quarter", "later", "just_looking"] as const;
export type Timeline = (typeof timelines)[number];
const timelineLabels: Record<Timeline, string> = {
  now: "Right away",
  this_quarter: "This quarter",
  later: "Later than this quarter",
  just_looking: "Just looking around",
};
export const timelineOptions = optionList(timelines, timelineLabels);

export const MAX_SEATS = 100_000;
export const MAX_MUST_HAVES = 30;
const SEATS_ERROR = "Enter how many people need access (1 to 100,000)";

/**
 * A form sends nothing for an empty checkbox group, one string for a single checked box and
 * several for more; all three become an array. Blank values from hidden inputs are dropped.
 */
function multiSelect<T extends z.ZodArray>(list: T) {
  return z.preprocess((value) => {
    if (value === undefined || value === null) return [];
    return (Array.isArray(value) ? value : [value]).filter((entry) => entry !== "");
  }, list);
}

export const qualificationSchema = z.object({
  companySize: z.enum(companySizes, { error: "Choose the size of your company" }),
  useCase: z.enum(useCases, { error: "Choose what you mainly want to use the product for" }),
  seats: z.coerce
    .number({ error: SEATS_ERROR })
    .int({ error: SEATS_ERROR })
    .min(1, { error: SEATS_ERROR })
    .max(MAX_SEATS, { error: SEATS_ERROR }),
  // Feature keys are checked against the catalog during evaluation, which ignores unknown ones.
  mustHaves: multiSelect(
    z
      .array(textField({ required: "Choose must-haves from the list", max: 100 }))
      .max(MAX_MUST_HAVES, { error: `Choose at most ${MAX_MUST_HAVES} must-haves` }),
  ),
  compliance: multiSelect(z.array(z.enum(complianceNeeds, { error: "Choose compliance needs from the list" }))),
  budget: z.enum(budgets, { error: "Choose a monthly budget, or “Not sure yet”" }),
  timeline: z.enum(timelines, { error: "Choose when you want to start" }),
});

export type QualificationAnswers = z.infer<typeof qualificationSchema>;

/** One answer as staff read it: the question in short and the answer in the form's words. */
export type AnswerRow = { question: string; answer: string };

function labelOf(labels: Record<string, string>, value: unknown): string {
  if (typeof value !== "string" || value === "") return "—";
  return Object.hasOwn(labels, value) ? labels[value]! : wordsFromKey(value);
}

function listOf(values: unknown, label: (value: string) => string): string {
  const list = Array.isArray(values) ? values.filter((value): value is string => typeof value === "string") : [];
  return list.length ? list.map(label).join(", ") : "None";
}

/**
 * A stored lead's answers (`leads.answers`: the questionnaire's, as `qualificationSchema` parsed
 * them, or the contact-sales form's `source`, `company` and `seats`) in words, in the form's
 * order: the option labels the person chose from, must-haves by catalog feature name
 * (`features`), numbers with thousands separators. Keys this list does not know, or options
 * renamed since, still read as words, never as codes.
 */
export function answerRows(answers: Record<string, unknown>, features: readonly FeatureWords[]): AnswerRow[] {
  const questions: Record<string, [question: string, answer: (value: unknown) => string]> = {
    source: ["Came through", (value) => labelOf({ contact_sales: "The contact-sales form" }, value)],
    company: ["Company", (value) => (typeof value === "string" && value ? value : "—")],
    companySize: ["Company size", (value) => labelOf(companySizeLabels, value)],
    useCase: ["Main use", (value) => labelOf(useCaseLabels, value)],
    seats: [
      "People who need access",
      (value) => (typeof value === "number" ? new Intl.NumberFormat("en-US").format(value) : "—"),
    ],
    mustHaves: ["Must-haves", (value) => listOf(value, (key) => featureLabel(key, features))],
    compliance: ["Compliance needs", (value) => listOf(value, (key) => labelOf(complianceLabels, key))],
    budget: ["Monthly budget", (value) => labelOf(budgetLabels, value)],
    timeline: ["When to start", (value) => labelOf(timelineLabels, value)],
  };
  const known = Object.keys(questions).filter((key) => key in answers);
  const unknown = Object.keys(answers).filter((key) => !(key in questions));
  return [
    ...known.map((key) => ({ question: questions[key]![0], answer: questions[key]![1](answers[key]) })),
    ...unknown.map((key) => ({ question: wordsFromKey(key), answer: String(answers[key] ?? "—") })),
  ];
}
