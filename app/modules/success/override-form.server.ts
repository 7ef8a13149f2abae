/**
 * The health override form's side (issue 16 item 2): the form's fields checked against the clock,
 * and the override in force as the account page shows it. Setting and clearing (audited, one in
 * force at a time, the account's refresh queued) are overrides.server.ts's.
 */
import { desc, eq } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "#db/client";
import { healthOverrides, users, type HealthBand } from "#db/schema";
import { textField } from "~/lib/text";
import { inForce, MAX_OVERRIDE_DAYS } from "./overrides.server";

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
  const latest = dayAfter(now, MAX_OVERRIDE_DAYS);
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
          `An override lasts at most ${MAX_OVERRIDE_DAYS} days: choose an earlier day`,
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

/**
 * The override in force for the account at `now` as the account page shows it (with who set it);
 * null if none. Setting and clearing are overrides.server.ts's.
 */
export async function overrideOnPage(db: DbOrTx, accountId: string, now = new Date()): Promise<CurrentOverride | null> {
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
    .where(inForce(accountId, now))
    .orderBy(desc(healthOverrides.createdAt))
    .limit(1);
  return row ?? null;
}
