import type { FeatureValue } from "#db/schema";
import type { Catalog } from "./catalog.server";
import { featureValueText } from "./pricing";

/** One thing a lower plan takes away: the feature's label, what the organisation has, what it would have. */
export type LostFeature = { key: string; name: string; kind: "flag" | "limit"; now: string; then: string };

/** Whether `to` gives less than `from`: a flag switched off, a limit lowered (null is unlimited). */
function isLess(kind: "flag" | "limit", from: FeatureValue | undefined, to: FeatureValue | undefined): boolean {
  if (kind === "flag") return from === true && to !== true;
  if (from === undefined || from === false) return false;
  if (to === undefined || to === false) return true;
  if (from === null) return to !== null;
  return to !== null && typeof from === "number" && typeof to === "number" && to < from;
}

/**
 * What moving from plan `fromSlug` to plan `toSlug` takes away, in the catalog's feature order
 * (plan_features): flags the current plan includes and the other does not, and limits the other
 * plan sets lower, each by its label with units ("File storage: 100 GB → 20 GB"). Empty when
 * nothing is lost or either plan is unknown.
 */
export function lostFeatures(catalog: Catalog, fromSlug: string, toSlug: string): LostFeature[] {
  const from = catalog.plans.find((plan) => plan.slug === fromSlug);
  const to = catalog.plans.find((plan) => plan.slug === toSlug);
  if (!from || !to) return [];
  return catalog.features
    .filter((feature) => isLess(feature.kind, from.features[feature.key], to.features[feature.key]))
    .map((feature) => ({
      key: feature.key,
      name: feature.name,
      kind: feature.kind,
      now: featureValueText(feature, from.features[feature.key]),
      then: featureValueText(feature, to.features[feature.key]),
    }));
}
