/**
 * The health override form's side (issue 16 item 2): a staff member's judgement of an account
 * (a band, a reason, an expiry day) that replaces the computed band until it expires or is
 * cleared; audited. One override is in force at a time: setting another clears the one before.
 * The health job reads `health_overrides` when it scores (the computed score stays in the snapshot).
 */
import { and, desc, eq, gt, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Database, DbOrTx } from "#db/client";
import { accountSuccess, healthOverrides, users, type HealthBand } from "#db/schema";
import { recordAudit } from "~/lib/audit.server";
import { textField } from "~/lib/text";

/** The longest an override lasts: a judgement older than about six months should be made again. */
export const OVERRIDE_MAX_DAYS = 180;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The UTC calendar day `days` after `now`, as "YYYY-MM-DD" (the date input's format). */
export function dayAfter(now: Date, days: number): string {
  return new Date(now.getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The override form's fields, checked against `now`: `band` one of red/yellow/green, `reason`
 * required (3 to 500 characters), `expiresOn` a calendar day (YYYY-MM-DD) after today (UTC) and at
 * most 180 days ahead. The override lasts until the end of that day (UTC), which is `expiresAt`.
 */
export function overrideSchema(now: Date) {
  const tomorrow = dayAfter(now, 1);
  const latest = dayAfter(now, OVERRIDE_MAX_DAYS);
  return z
    .object({
      band: z.enum(["red", "yellow", "green"], { error: "Choose the health you judge: good, fair or poor" }),
      reason: textField({
        required: "Say why the health should read differently",
        min: { length: 3, message: "Say why the health should read differently" },
        max: 500,
      }),
      expiresOn: z
        .string({ error: "Choose the day the override ends" })
        .regex(/^\d{4}-\d{2}-\d{2}$/, "Choose the day the override ends")
        .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), "Choose the day the override ends")
        .refine((value) => value >= tomorrow, "Choose a day after today for the override to end")
        .refine(
          (value) => value <= latest,
          `An override lasts at most ${OVERRIDE_MAX_DAYS} days: choose an earlier day`,
        ),
    })
    .transform(({ expiresOn, ...rest }) => ({
      ...rest,
      expiresAt: new Date(Date.parse(`${expiresOn}T00:00:00Z`) + DAY_MS),
    }));
}
export type OverrideInput = z.output<ReturnType<typeof overrideSchema>>;

export type CurrentOverride = {
  id: string;
  band: HealthBand;
  reason: string;
  expiresAt: Date;
  createdAt: Date;
  createdByName: string | null;
};

/** The override in force for the account at `now` (not cleared, not expired), newest first; null if none. */
export async function currentOverride(
  db: DbOrTx,
  accountId: string,
  now = new Date(),
): Promise<CurrentOverride | null> {
  const [row] = await db
    .select({
      id: healthOverrides.id,
      band: healthOverrides.band,
      reason: healthOverrides.reason,
      expiresAt: healthOverrides.expiresAt,
      createdAt: healthOverrides.createdAt,
      createdByName: users.name,
    })
    .from(healthOverrides)
    .leftJoin(users, eq(users.id, healthOverrides.createdBy))
    .where(
      and(
        eq(healthOverrides.accountId, accountId),
        isNull(healthOverrides.clearedAt),
        gt(healthOverrides.expiresAt, now),
      ),
    )
    .orderBy(desc(healthOverrides.createdAt))
    .limit(1);
  return row ?? null;
}

/** Locks the account's success row for the transaction (serialises two tabs); false when there is no account. */
async function lockAccount(tx: DbOrTx, accountId: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: accountSuccess.accountId })
    .from(accountSuccess)
    .where(eq(accountSuccess.accountId, accountId))
    .for("update");
  return Boolean(row);
}

/**
 * Sets the account's override (input from `overrideSchema`) by `actorId`, clearing any override
 * in force first; audits `health.override_set` (and `health.override_cleared` for the replaced one)
 * in the same transaction. The same band, reason and expiry as the override in force is a
 * repeat (a double submit, a second tab): nothing changes (`changed: false`). Null for an unknown account.
 */
export async function setHealthOverride(
  db: Database,
  input: OverrideInput & { accountId: string; actorId: string },
  now = new Date(),
): Promise<{ id: string; changed: boolean } | null> {
  return db.transaction(async (tx) => {
    if (!(await lockAccount(tx, input.accountId))) return null;
    const current = await currentOverride(tx, input.accountId, now);
    if (
      current &&
      current.band === input.band &&
      current.reason === input.reason &&
      current.expiresAt.getTime() === input.expiresAt.getTime()
    )
      return { id: current.id, changed: false };
    const actor = { type: "staff", id: input.actorId } as const;
    if (current) {
      await tx
        .update(healthOverrides)
        .set({ clearedAt: now, clearedBy: input.actorId })
        .where(eq(healthOverrides.id, current.id));
      await recordAudit(
        tx,
        actor,
        "health.override_cleared",
        { type: "health_override", id: current.id },
        { replaced: true },
        input.accountId,
      );
    }
    const [created] = await tx
      .insert(healthOverrides)
      .values({
        accountId: input.accountId,
        band: input.band,
        reason: input.reason,
        expiresAt: input.expiresAt,
        createdBy: input.actorId,
        createdAt: now,
      })
      .returning({ id: healthOverrides.id });
    await recordAudit(
      tx,
      actor,
      "health.override_set",
      { type: "health_override", id: created!.id },
      { band: input.band, reason: input.reason, expiresAt: input.expiresAt.toISOString() },
      input.accountId,
    );
    return { id: created!.id, changed: true };
  });
}

/**
 * Clears the override `overrideId` of the account, audited (`health.override_cleared`). An
 * override already cleared, expired or of another account changes nothing (`changed: false`), so
 * a second click or a stale tab is harmless.
 */
export async function clearHealthOverride(
  db: Database,
  input: { accountId: string; overrideId: string; actorId: string },
  now = new Date(),
): Promise<{ changed: boolean }> {
  return db.transaction(async (tx) => {
    const cleared = await tx
      .update(healthOverrides)
      .set({ clearedAt: now, clearedBy: input.actorId })
      .where(
        and(
          eq(healthOverrides.id, input.overrideId),
          eq(healthOverrides.accountId, input.accountId),
          isNull(healthOverrides.clearedAt),
          gt(healthOverrides.expiresAt, now),
        ),
      )
      .returning({ id: healthOverrides.id });
    if (!cleared.length) return { changed: false };
    await recordAudit(
      tx,
      { type: "staff", id: input.actorId },
      "health.override_cleared",
      { type: "health_override", id: input.overrideId },
      {},
      input.accountId,
    );
    return { changed: true };
  });
}
