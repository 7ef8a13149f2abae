/**
 * Staff overrides of an account's health (issue 16 item 2): a staff member's judgement (sentiment)
 * that sets the band until it expires or is cleared, with a reason, audited. How the band and the
 * score shown follow from it is `scoreHealth`'s (health.ts); here they are kept and validated.
 */
import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "#db/client";
import { healthOverrides, organisations, type HealthBand } from "#db/schema";
import { recordAudit } from "~/lib/audit.server";
import { textField } from "~/lib/text";
import type { HealthOverrideInForce } from "./health";
import { queueAccountRefresh } from "./queue-refresh.server";

const DAY_MS = 24 * 60 * 60 * 1000;
/** An override lasts at most this long: judgement goes stale, and the computed score takes over again. */
export const MAX_OVERRIDE_DAYS = 180;

type StaffActor = { userId: string };
export type OverrideRow = typeof healthOverrides.$inferSelect;
export type OverrideChange =
  { ok: true; message: string; override: OverrideRow | null } | { ok: false; message: string };

/** The reason people read on the account page: required, one line or a few. */
export const overrideReason = textField({ required: "Say why you set the health", max: 500, multiline: true });

/**
 * Sets the account's health band to `band` until `expiresAt` (after `now`, by the end of the 180th day after today, UTC),
 * by `actor`, with `reason` (required). Replaces an override in force (clears it, by the same
 * actor). The same band, reason and expiry as the one in force again (a double submit, two tabs)
 * changes nothing: the account's row is locked first, so two at once are one after the other.
 * Audited as `health.override_set` (and `health.override_cleared` for one it replaces); queues the
 * account's refresh in the same transaction. Invalid input or an unknown account is `{ ok: false }`.
 */
export async function setOverride(
  db: DbOrTx,
  input: { accountId: string; band: HealthBand; reason: string; expiresAt: Date },
  actor: StaffActor,
  now: Date = new Date(),
): Promise<OverrideChange> {
  const reason = overrideReason.safeParse(input.reason);
  if (!reason.success) return { ok: false, message: reason.error.issues[0]!.message };
  if (!["red", "yellow", "green"].includes(input.band)) return { ok: false, message: "Choose poor, fair or good" };
  if (!(input.expiresAt instanceof Date) || Number.isNaN(input.expiresAt.getTime()) || input.expiresAt <= now)
    return { ok: false, message: "Choose an end in the future" };
  // Whole days: an override may last to the end of the 180th day after today (UTC), as the form's date says.
  if (input.expiresAt.getTime() > Date.parse(now.toISOString().slice(0, 10)) + (MAX_OVERRIDE_DAYS + 1) * DAY_MS)
    return { ok: false, message: `An override lasts at most ${MAX_OVERRIDE_DAYS} days: choose an earlier end` };
  return db.transaction(async (tx) => {
    const [account] = await tx
      .select({ id: organisations.id })
      .from(organisations)
      .where(eq(organisations.id, input.accountId))
      .for("update");
    if (!account) return { ok: false, message: "That account does not exist (any more)." };
    const inForce = await currentOverride(tx, input.accountId, now);
    if (
      inForce &&
      inForce.band === input.band &&
      inForce.reason === reason.data &&
      inForce.expiresAt.getTime() === input.expiresAt.getTime()
    )
      return { ok: true, message: "The health override is already in place.", override: inForce };
    if (inForce) await clearRow(tx, inForce, actor, now);
    const [created] = await tx
      .insert(healthOverrides)
      .values({
        accountId: input.accountId,
        band: input.band,
        reason: reason.data,
        expiresAt: input.expiresAt,
        createdBy: actor.userId,
        createdAt: now,
      })
      .returning();
    await recordAudit(
      tx,
      { type: "staff", id: actor.userId },
      "health.override_set",
      { type: "health_override", id: created!.id },
      {
        band: input.band,
        reason: reason.data,
        expiresAt: input.expiresAt.toISOString(),
        replaced: inForce?.id ?? null,
      },
      input.accountId,
    );
    await queueAccountRefresh(tx, input.accountId);
    return { ok: true, message: "Health override saved; the score follows within a minute.", override: created! };
  });
}

async function clearRow(tx: DbOrTx, row: OverrideRow, actor: StaffActor, now: Date): Promise<boolean> {
  const cleared = await tx
    .update(healthOverrides)
    .set({ clearedAt: now, clearedBy: actor.userId })
    .where(and(eq(healthOverrides.id, row.id), isNull(healthOverrides.clearedAt)))
    .returning({ id: healthOverrides.id });
  if (!cleared.length) return false;
  await recordAudit(
    tx,
    { type: "staff", id: actor.userId },
    "health.override_cleared",
    { type: "health_override", id: row.id },
    { band: row.band },
    row.accountId,
  );
  return true;
}

/**
 * Ends an override now, by `actor`: audited (`health.override_cleared`) and the account's refresh
 * queued. Clearing one already cleared (or expired) changes nothing and says so; an unknown id, or
 * one of another account than `accountId` (when given: a stale or forged form), is `{ ok: false }`.
 */
export async function clearOverride(
  db: DbOrTx,
  overrideId: string,
  actor: StaffActor,
  now: Date = new Date(),
  accountId?: string,
): Promise<OverrideChange> {
  if (!z.uuid().safeParse(overrideId).success) return { ok: false, message: "That override does not exist." };
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(healthOverrides).where(eq(healthOverrides.id, overrideId)).for("update");
    if (!row || (accountId && row.accountId !== accountId))
      return { ok: false, message: "That override does not exist." };
    if (row.clearedAt || row.expiresAt <= now)
      return { ok: true, message: "That override had already ended.", override: row };
    await clearRow(tx, row, actor, now);
    await queueAccountRefresh(tx, row.accountId);
    return { ok: true, message: "Health override cleared; the computed score applies again.", override: null };
  });
}

/** The account's overrides in force at `now`: not cleared, not expired (the newest one counts). */
export function inForce(accountId: string, now: Date) {
  return and(
    eq(healthOverrides.accountId, accountId),
    isNull(healthOverrides.clearedAt),
    gt(healthOverrides.expiresAt, now),
  );
}

/** The account's override in force at `now` (not cleared, not expired; the newest), or null. */
export async function currentOverride(db: DbOrTx, accountId: string, now: Date): Promise<OverrideRow | null> {
  const [row] = await db
    .select()
    .from(healthOverrides)
    .where(inForce(accountId, now))
    .orderBy(desc(healthOverrides.createdAt))
    .limit(1);
  return row ?? null;
}

/** The overrides in force at `now` for a batch of accounts, keyed by account (one query, on the account index). */
export async function overridesInForce(
  db: DbOrTx,
  accountIds: string[],
  now: Date,
): Promise<Map<string, HealthOverrideInForce>> {
  if (!accountIds.length) return new Map();
  const rows = await db.execute<{ id: string; account_id: string; band: HealthBand; expires_at: string }>(sql`
    select distinct on (account_id) id, account_id, band, expires_at
      from health_overrides
     where account_id = any(${`{${accountIds.join(",")}}`}::uuid[])
       and cleared_at is null and expires_at > ${now.toISOString()}::timestamptz
     order by account_id, created_at desc`);
  return new Map(
    [...rows].map((row) => [row.account_id, { id: row.id, band: row.band, expiresAt: new Date(row.expires_at) }]),
  );
}
