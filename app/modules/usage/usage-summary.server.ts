/**
 * What a service instance's product reports of its use, against what was bought (issue 15, item 7):
 * read from the rollups (`usage_daily_users`, `usage_daily`, `usage_instance_traits`), never raw events.
 */
import { and, gte, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import { serviceInstances, usageDaily, usageDailyUsers, usageInstanceTraits } from "#db/schema";

/** The share of a limit at which the customer is told they are close (and managers offered an upgrade). */
export const NEAR_LIMIT_SHARE = 0.8;
/** Active users are counted over the last 28 days: four whole weeks, so weekdays weigh the same. */
export const ACTIVE_WINDOW_DAYS = 28;
/** The plan limit features the product reports as group traits (usage API contract). */
export const LIMIT_FEATURES = ["projects", "storage_gb", "api_calls"] as const;

/** One limit feature: `used` as last reported (null when never reported), `limit` null = unlimited. */
export type LimitUse = {
  feature: (typeof LIMIT_FEATURES)[number];
  used: number | null;
  limit: number | null;
  /** used ≥ 80% of a (finite, non-zero) limit. */
  nearLimit: boolean;
};

export type UsageSummary = {
  instanceId: string;
  /** Distinct users seen on the last 28 UTC days, today included. */
  activeUsers: number;
  /** Users the product knows (its seats in use, from the latest day reported); null before any report. */
  seatsInUse: number | null;
  /** Users bought: the instance snapshot's seats. */
  seatsBought: number;
  limits: LimitUse[];
};

/** A trait as a non-negative number, or null when the product sent none or something else. */
function traitNumber(value: unknown): number | null {
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof number === "number" && Number.isFinite(number) && number >= 0 ? number : null;
}

/** Whether `used` is at least 80% of a finite limit (a limit of 0 is near as soon as anything is used). */
export function isNearLimit(used: number | null, limit: number | null): boolean {
  if (used === null || limit === null) return false;
  return limit === 0 ? used > 0 : used >= limit * NEAR_LIMIT_SHARE;
}

/**
 * Per instance (keyed by id; unknown ids left out): active users in the last 28 days, users known to
 * the product vs bought, and each plan limit feature the plan has (`projects`, `storage_gb`,
 * `api_calls`, from the snapshot's `limits`) used vs limit with `nearLimit` at ≥ 80%. Four queries
 * whatever the number of instances, each on a primary key.
 */
export async function usageOf(db: DbOrTx, instanceIds: string[], now = new Date()): Promise<Map<string, UsageSummary>> {
  const ids = [...new Set(instanceIds)];
  if (!ids.length) return new Map();
  const since = new Date(now.getTime() - (ACTIVE_WINDOW_DAYS - 1) * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
  const [instances, active, seats, traits] = await Promise.all([
    db
      .select({ id: serviceInstances.id, snapshot: serviceInstances.snapshot })
      .from(serviceInstances)
      .where(inArray(serviceInstances.id, ids)),
    db
      .select({
        instanceId: usageDailyUsers.instanceId,
        users: sql<number>`count(distinct ${usageDailyUsers.userId})::int`,
      })
      .from(usageDailyUsers)
      .where(and(inArray(usageDailyUsers.instanceId, ids), gte(usageDailyUsers.day, since)))
      .groupBy(usageDailyUsers.instanceId),
    db
      .selectDistinctOn([usageDaily.instanceId], {
        instanceId: usageDaily.instanceId,
        seatsInUse: usageDaily.seatsInUse,
      })
      .from(usageDaily)
      .where(inArray(usageDaily.instanceId, ids))
      .orderBy(usageDaily.instanceId, sql`${usageDaily.day} desc`),
    db.select().from(usageInstanceTraits).where(inArray(usageInstanceTraits.instanceId, ids)),
  ]);
  const result = new Map<string, UsageSummary>();
  for (const instance of instances) {
    const reported = traits.find((row) => row.instanceId === instance.id)?.traits ?? {};
    const limits = LIMIT_FEATURES.filter((feature) => feature in instance.snapshot.limits).map((feature): LimitUse => {
      const used = traitNumber(reported[feature]);
      const limit = instance.snapshot.limits[feature] ?? null;
      return { feature, used, limit, nearLimit: isNearLimit(used, limit) };
    });
    result.set(instance.id, {
      instanceId: instance.id,
      activeUsers: active.find((row) => row.instanceId === instance.id)?.users ?? 0,
      seatsInUse: seats.find((row) => row.instanceId === instance.id)?.seatsInUse ?? null,
      seatsBought: instance.snapshot.seats,
      limits,
    });
  }
  return result;
}
