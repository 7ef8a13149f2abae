/**
 * The health score's weights (issue 16 item 2, ADR 15: staff admins change them): stored as
 * versions that are only ever added to, audited; the highest version is in force, and the code's
 * `DEFAULT_WEIGHTS` (version 0) while none is stored. Re-scoring stored history with new weights
 * is an explicit, separate job: snapshots keep each measure's own score, so it needs no raw data.
 */
import { desc, eq, lt, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "#db/client";
import { addJob } from "#db/jobs";
import {
  healthOverrides,
  healthSnapshots,
  healthWeightVersions,
  users,
  type HealthBand,
  type HealthMeasure,
  type HealthProfile,
  type HealthWeights,
} from "#db/schema";
import { recordAudit, systemActor } from "~/lib/audit.server";
import { textField } from "~/lib/text";
import { DEFAULT_WEIGHTS, MEASURE_KEYS, PROFILES, weighMeasures, withOverride } from "./health";
import { CS_QUEUE, CS_RECOMPUTE_HISTORY_TASK, CS_REFRESH_ALL_TASK } from "./tasks";

/** Versions listed per page on the weights page. */
export const VERSIONS_PAGE = 20;
/** Snapshots re-scored per statement by `recomputeHistory`. */
const RECOMPUTE_CHUNK = 5_000;

export type WeightsInForce = { version: number; weights: HealthWeights };
type StaffActor = { userId: string };
export type WeightsChange = { ok: true; message: string; version: number } | { ok: false; message: string };

const weight = z.coerce
  .number({ error: "Enter each weight as a whole number from 0 to 100" })
  .int("Enter each weight as a whole number from 0 to 100")
  .min(0, "Enter each weight as a whole number from 0 to 100")
  .max(100, "Enter each weight as a whole number from 0 to 100");

const profileWeights = (profile: string) =>
  z
    .object(
      Object.fromEntries(MEASURE_KEYS.map((key) => [key, weight])) as Record<
        (typeof MEASURE_KEYS)[number],
        typeof weight
      >,
    )
    .refine(
      (weights) => Object.values(weights).some((w) => w > 0),
      `Give at least one measure a weight in the ${profile} profile`,
    );

/** Weights as admins enter them: every measure of both profiles, whole numbers 0-100, each profile with one above 0. */
export const weightsSchema = z.object({
  onboarding: profileWeights("onboarding"),
  standard: profileWeights("standard"),
});

/** Why the weights change: required, as every version says who, when and why. */
export const weightsReason = textField({ required: "Say why the weights change", max: 500 });

/** The weights in force: the highest stored version, else `DEFAULT_WEIGHTS` as version 0. */
export async function currentWeights(db: DbOrTx): Promise<WeightsInForce> {
  const [row] = await db
    .select({ version: healthWeightVersions.version, weights: healthWeightVersions.weights })
    .from(healthWeightVersions)
    .orderBy(desc(healthWeightVersions.version))
    .limit(1);
  return row ?? { version: 0, weights: DEFAULT_WEIGHTS };
}

/** Weights with every measure of every profile present (missing = 0), in one key order, for comparing and showing. */
export function completeWeights(weights: HealthWeights): HealthWeights {
  return Object.fromEntries(
    PROFILES.map((profile) => [
      profile,
      Object.fromEntries(MEASURE_KEYS.map((key) => [key, weights[profile]?.[key] ?? 0])),
    ]),
  ) as HealthWeights;
}

/**
 * Stores `weights` as a new version by `actor` with `reason`, audited (`health.weights_saved`, the
 * previous and new weights), and queues a refresh of every account so the standing uses them
 * (history is re-scored only on request: `queueHistoryRecompute`). Weights equal to those in force
 * add nothing (a double submit, two tabs): saves are serialised by a transaction lock so two at
 * once compare against each other. Input is validated by `weightsSchema` and `weightsReason`;
 * invalid input is `{ ok: false, message }`.
 */
export async function saveWeights(
  db: DbOrTx,
  weights: unknown,
  actor: StaffActor,
  reason: unknown,
): Promise<WeightsChange> {
  const parsed = weightsSchema.safeParse(weights);
  if (!parsed.success) return { ok: false, message: parsed.error.issues[0]!.message };
  const why = weightsReason.safeParse(reason ?? "");
  if (!why.success) return { ok: false, message: why.error.issues[0]!.message };
  const next = completeWeights(parsed.data);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('health_weight_versions'))`);
    const current = await currentWeights(tx);
    if (JSON.stringify(completeWeights(current.weights)) === JSON.stringify(next))
      return {
        ok: true,
        message: `These weights are already in force (version ${current.version}).`,
        version: current.version,
      };
    const [saved] = await tx
      .insert(healthWeightVersions)
      .values({ weights: next, createdBy: actor.userId, reason: why.data })
      .returning({ version: healthWeightVersions.version });
    await recordAudit(
      tx,
      { type: "staff", id: actor.userId },
      "health.weights_saved",
      { type: "health_weights", id: String(saved!.version) },
      { version: saved!.version, previous: current.version, weights: next, reason: why.data },
    );
    await addJob(tx, CS_REFRESH_ALL_TASK, {}, { queueName: CS_QUEUE, jobKey: CS_REFRESH_ALL_TASK });
    return {
      ok: true,
      message: `Saved as version ${saved!.version}; accounts are rescored within minutes.`,
      version: saved!.version,
    };
  });
}

export type WeightsVersionRow = {
  version: number;
  weights: HealthWeights;
  createdAt: Date;
  createdBy: string | null;
  reason: string;
};

/**
 * A page of stored versions, newest first (keyset on the version: `before` = the last version
 * shown), with who saved each (their name), when and why; `next` is the cursor of the next page.
 */
export async function listWeightVersions(
  db: DbOrTx,
  before: number | null,
): Promise<{ versions: WeightsVersionRow[]; next: number | null }> {
  const rows = await db
    .select({
      version: healthWeightVersions.version,
      weights: healthWeightVersions.weights,
      createdAt: healthWeightVersions.createdAt,
      createdBy: users.name,
      reason: healthWeightVersions.reason,
    })
    .from(healthWeightVersions)
    .leftJoin(users, eq(users.id, healthWeightVersions.createdBy))
    .where(before === null ? undefined : lt(healthWeightVersions.version, before))
    .orderBy(desc(healthWeightVersions.version))
    .limit(VERSIONS_PAGE + 1);
  const versions = rows.slice(0, VERSIONS_PAGE);
  return { versions, next: rows.length > VERSIONS_PAGE ? versions.at(-1)!.version : null };
}

/**
 * Queues the re-scoring of every stored snapshot with the weights in force (`recomputeHistory`),
 * audited as `health.history_recompute_requested` by `actor`. One job at a time (job key): asking
 * twice while it waits queues it once.
 */
export async function queueHistoryRecompute(db: DbOrTx, actor: StaffActor): Promise<{ version: number }> {
  return db.transaction(async (tx) => {
    const { version } = await currentWeights(tx);
    await addJob(tx, CS_RECOMPUTE_HISTORY_TASK, {}, { queueName: CS_QUEUE, jobKey: CS_RECOMPUTE_HISTORY_TASK });
    await recordAudit(
      tx,
      { type: "staff", id: actor.userId },
      "health.history_recompute_requested",
      { type: "health_weights", id: String(version) },
      { version },
    );
    return { version };
  });
}

/**
 * Re-scores every stored snapshot not already on the weights in force: each keeps its measures'
 * own scores and its profile; its computed score, score and band are weighed again
 * (`weighMeasures`, then the override of that day, if any, as `scoreHealth` applies it), and its
 * `weights_version` set. In keyset chunks of 5,000 (account, day), one update statement each;
 * running it again changes nothing. Then queues a refresh of every account (trends read the
 * snapshots), and audits `health.history_recomputed` (system) with the count. Returns the count.
 */
export async function recomputeHistory(db: DbOrTx, now: Date): Promise<{ snapshots: number; version: number }> {
  const { version, weights } = await currentWeights(db);
  let after: { accountId: string; day: string } | null = null;
  let total = 0;
  for (;;) {
    const rows: {
      accountId: string;
      day: string;
      profile: HealthProfile;
      measures: HealthMeasure[];
      overrideId: string | null;
      overrideBand: HealthBand | null;
    }[] = await db
      .select({
        accountId: healthSnapshots.accountId,
        day: healthSnapshots.day,
        profile: healthSnapshots.profile,
        measures: healthSnapshots.measures,
        overrideId: healthSnapshots.overrideId,
        overrideBand: healthOverrides.band,
      })
      .from(healthSnapshots)
      .leftJoin(healthOverrides, eq(healthOverrides.id, healthSnapshots.overrideId))
      .where(
        after
          ? sql`(${healthSnapshots.accountId}, ${healthSnapshots.day}) > (${after.accountId}::uuid, ${after.day}::date)`
          : undefined,
      )
      .orderBy(healthSnapshots.accountId, healthSnapshots.day)
      .limit(RECOMPUTE_CHUNK);
    if (!rows.length) break;
    after = { accountId: rows.at(-1)!.accountId, day: rows.at(-1)!.day };
    const rescored = rows.map((row) => {
      const { score: computed, measures } = weighMeasures(row.measures, weights[row.profile] ?? {});
      // The override was in force on that day: the snapshot says so.
      const shown = withOverride(
        computed,
        row.overrideId && row.overrideBand
          ? { id: row.overrideId, band: row.overrideBand, expiresAt: new Date(8.64e15) }
          : null,
        now,
      );
      return {
        account_id: row.accountId,
        day: row.day,
        computed_score: computed,
        score: shown.score,
        band: shown.band,
        measures,
      };
    });
    const updated = await db.execute(sql`
      update health_snapshots s
         set computed_score = r.computed_score, score = r.score, band = r.band, measures = r.measures,
             weights_version = ${version}
        from jsonb_to_recordset(${JSON.stringify(rescored)}::jsonb)
             as r(account_id uuid, day date, computed_score smallint, score smallint, band text, measures jsonb)
       where s.account_id = r.account_id and s.day = r.day and s.weights_version <> ${version}`);
    total += updated.count;
  }
  await db.transaction(async (tx) => {
    await recordAudit(
      tx,
      systemActor,
      "health.history_recomputed",
      { type: "health_weights", id: String(version) },
      {
        version,
        snapshots: total,
      },
    );
    await addJob(tx, CS_REFRESH_ALL_TASK, {}, { queueName: CS_QUEUE, jobKey: CS_REFRESH_ALL_TASK });
  });
  return { snapshots: total, version };
}
