/**
 * Usage against the plan as the service card shows it (issue 15, item 7): users in the product vs
 * bought, and each limit as a labelled meter in the catalog's words, with a nudge to compare plans
 * at 80% for those who manage billing.
 */
import type { CatalogFeature } from "~/modules/catalog/catalog.server";
import type { UsageSummary } from "./usage-summary.server";
import { lowerFirst } from "~/lib/text";

/** Where an owner or admin changes a bought plan: the billing page's "Change your plan" section. */
export const PLAN_CHANGE_PATH = "/account/billing#change-heading";
/** Where a trial's owner or admin compares the plans to buy a larger one. */
export const COMPARE_PLANS_PATH = "/pricing";

export type LimitMeter = {
  feature: string;
  /** The catalog's feature name: "Projects". */
  label: string;
  /** "37 of 100 projects", "160 of 200 GB", "12 projects, no limit", or that nothing is reported yet. */
  text: string;
  /** Share of the limit used, 0..100 (capped); null when unlimited or not reported. */
  percent: number | null;
  nearLimit: boolean;
  /** "You have used 85% of your projects": shown with a link to compare plans, to managers only. */
  nudge: string | null;
};

export type ServiceUsage = {
  activeUsers: number;
  /** "4 of 5 users" in the product, or null before it reported any. */
  seatsText: string | null;
  meters: LimitMeter[];
  /** Where to compare plans when a limit is near (for owners and admins only); null otherwise. */
  upgradePath: string | null;
};

const number = (n: number) => n.toLocaleString("en-US");

/** One limit in words: the feature's name and unit from the catalog (the key only if the catalog lacks it). */
function meterOf(
  limit: UsageSummary["limits"][number],
  feature: CatalogFeature | undefined,
  manager: boolean,
): LimitMeter {
  const label = feature?.name ?? limit.feature;
  const noun = lowerFirst(label);
  const amount = (n: number) => (feature?.unit ? `${number(n)} ${feature.unit}` : number(n));
  const { used, limit: max } = limit;
  const text =
    used === null
      ? "Not reported yet"
      : max === null
        ? `${feature?.unit ? amount(used) : `${number(used)} ${noun}`}, no limit`
        : feature?.unit
          ? `${number(used)} of ${amount(max)}`
          : `${number(used)} of ${number(max)} ${noun}`;
  const percent =
    used === null || max === null ? null : max === 0 ? 100 : Math.min(100, Math.round((used / max) * 100));
  return {
    feature: limit.feature,
    label,
    text,
    percent,
    nearLimit: limit.nearLimit,
    nudge: limit.nearLimit && manager ? `You have used ${percent}% of your ${noun}` : null,
  };
}

/**
 * The usage block of a service card, or null while the product has reported nothing (a new
 * workspace shows its checklist, not empty figures). `upgradePath` is where owners and admins
 * compare plans (`PLAN_CHANGE_PATH` with a subscription, `COMPARE_PLANS_PATH` in a trial); null for
 * members, who see the figures without nudges.
 */
export function usageViewOf(
  summary: UsageSummary,
  features: CatalogFeature[],
  upgradePath: string | null,
): ServiceUsage | null {
  const manager = upgradePath !== null;
  const reported =
    summary.activeUsers > 0 || summary.seatsInUse !== null || summary.limits.some((limit) => limit.used !== null);
  if (!reported) return null;
  const meters = summary.limits.map((limit) =>
    meterOf(
      limit,
      features.find((feature) => feature.key === limit.feature),
      manager,
    ),
  );
  return {
    activeUsers: summary.activeUsers,
    seatsText:
      summary.seatsInUse === null ? null : `${number(summary.seatsInUse)} of ${number(summary.seatsBought)} users`,
    meters,
    upgradePath: meters.some((meter) => meter.nearLimit) ? upgradePath : null,
  };
}
