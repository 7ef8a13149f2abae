import { and, eq, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import { serviceInstances, trials } from "#db/schema";
import { recordAudit, systemActor } from "~/lib/audit.server";

/**
 * Starts the clock of a trial that waited for staff to set its instance up (issue 14, item 9) and
 * returns when the trial ends, for the email that says the instance is ready. Call it in the
 * transaction that completes the instance's `provision` request (the provisioning `onSucceeded`
 * hook): a waiting active trial gets `ends_at` = completion time (the transaction's `now()`, UTC) +
 * its `length_days` (`clock_started_at` = that time), also written into the instance's snapshot, and
 * `trial.clock_started` is audited.
 * A second completion changes nothing (only a null end is set). Returns the end of the instance's
 * active trial either way, or null when the request is not a setup or the instance has no active trial.
 */
export async function startTrialClock(
  tx: DbOrTx,
  request: { instanceId: string; operation: string },
): Promise<Date | null> {
  if (request.operation !== "provision") return null;
  const [started] = await tx
    .update(trials)
    .set({ endsAt: sql`now() + ${trials.lengthDays} * interval '1 day'`, clockStartedAt: sql`now()` })
    .where(and(eq(trials.instanceId, request.instanceId), eq(trials.status, "active"), isNull(trials.endsAt)))
    .returning({ id: trials.id, accountId: trials.accountId, endsAt: trials.endsAt, lengthDays: trials.lengthDays });
  if (started?.endsAt) {
    await tx
      .update(serviceInstances)
      .set({
        snapshot: sql`jsonb_set(${serviceInstances.snapshot}, '{trialEndsAt}', to_jsonb(${started.endsAt.toISOString()}::text))`,
      })
      .where(eq(serviceInstances.id, request.instanceId));
    await recordAudit(
      tx,
      systemActor,
      "trial.clock_started",
      { type: "trial", id: started.id },
      { endsAt: started.endsAt, lengthDays: started.lengthDays },
      started.accountId,
    );
    return started.endsAt;
  }
  const [running] = await tx
    .select({ endsAt: trials.endsAt })
    .from(trials)
    .where(and(eq(trials.instanceId, request.instanceId), eq(trials.status, "active")));
  return running?.endsAt ?? null;
}
