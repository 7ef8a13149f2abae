/**
 * Words for catalog keys: the one place plans, features and limits become what people read, on
 * customer pages, staff pages and in emails alike (issue 14, item 6). Keys stay in URLs, forms
 * and data; nothing here is shown as a key, whatever the catalog holds.
 */
import type { FeatureValue } from "#db/schema";

/** What labelling needs to know of a catalog feature (a subset of `CatalogFeature`). */
export type FeatureWords = { key: string; name: string; kind: "flag" | "limit"; unit: string | null };

/** Plan names by slug, including plans no longer sold, so old orders and trials keep their name. */
export type PlanNames = Record<string, string>;

// Units Intl knows by name print in the viewer's convention ("20 GB"); others are written as given.
const intlUnits: Record<string, string> = {
  kb: "kilobyte",
  mb: "megabyte",
  gb: "gigabyte",
  tb: "terabyte",
  pb: "petabyte",
  hours: "hour",
  days: "day",
  minutes: "minute",
};

/**
 * A limit's amount with its unit, e.g. 20 with unit "GB" → "20 GB", 10000 → "10,000", null →
 * "Unlimited". Numbers go through Intl in `locale` (default en-US, as every page is English).
 */
export function limitAmount(value: number | null, unit: string | null, locale = "en-US"): string {
  if (value === null) return "Unlimited";
  const intlUnit = unit ? intlUnits[unit.toLowerCase()] : undefined;
  if (intlUnit) return new Intl.NumberFormat(locale, { style: "unit", unit: intlUnit }).format(value);
  const number = new Intl.NumberFormat(locale).format(value);
  return unit ? `${number} ${unit}` : number;
}

/** One included feature or limit as a line people read: "File storage: 20 GB", "Audit log". */
export function includedText(feature: FeatureWords, value: FeatureValue | undefined): string {
  if (feature.kind === "flag") return feature.name;
  return `${feature.name}: ${limitAmount(typeof value === "number" ? value : null, feature.unit)}`;
}

/**
 * The feature's name for a key; a key the catalog no longer has reads as words ("Old feature"),
 * never as the key itself.
 */
export function featureLabel(key: string, features: readonly FeatureWords[]): string {
  return features.find((feature) => feature.key === key)?.name ?? wordsFromKey(key);
}

/**
 * What a snapshot's limits and flags (keys, as provisioning stores them) include, in catalog
 * order, as lines from `includedText`. Keys unknown to the catalog follow, in words.
 */
export function includedLines(
  snapshot: { limits: Record<string, number | null>; features: readonly string[] },
  features: readonly FeatureWords[],
): string[] {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const feature of features) {
    if (feature.kind === "limit" && feature.key in snapshot.limits) {
      lines.push(includedText(feature, snapshot.limits[feature.key]));
      seen.add(feature.key);
    } else if (feature.kind === "flag" && snapshot.features.includes(feature.key)) {
      lines.push(feature.name);
      seen.add(feature.key);
    }
  }
  for (const [key, value] of Object.entries(snapshot.limits)) {
    if (!seen.has(key)) lines.push(`${wordsFromKey(key)}: ${limitAmount(value, null)}`);
  }
  for (const key of snapshot.features) if (!seen.has(key)) lines.push(wordsFromKey(key));
  return lines;
}

/** The plan's name for a slug; "—" for none; an unknown slug in words rather than as a slug. */
export function planLabel(slug: string | null | undefined, names: PlanNames): string {
  if (!slug) return "—";
  return names[slug] ?? wordsFromKey(slug);
}

const acronyms = new Set(["api", "eu", "sso", "url", "id", "gb", "mb", "tb", "saml", "utm", "ip", "us", "uk"]);

/**
 * Last resort for a key with no label anywhere: "workspace_url" → "Workspace URL". Used only so a
 * key added without a label still reads as words; labelled keys never reach it.
 */
export function wordsFromKey(key: string): string {
  const words = key
    .split(/[_\-\s]+/)
    .filter(Boolean)
    .map((word) => (acronyms.has(word.toLowerCase()) ? word.toUpperCase() : word.toLowerCase()));
  const sentence = words.join(" ");
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}
