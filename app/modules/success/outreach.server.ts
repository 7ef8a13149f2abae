import { and, desc, eq } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import { trialOutreach, trials } from "#db/schema";

/**
 * Records that staff reached out about an account's latest trial (a task completed as called or
 * emailed, issue 16 item 4), once per trial: the first contact wins. `beforeOutcome` is whether the
 * trial was still active then — what issue 17 compares trial→paid conversion by. No trial: nothing.
 */
export async function recordTrialOutreach(
  tx: DbOrTx,
  input: { accountId: string; staffId: string; via: string; at: Date; trialId?: string | null },
): Promise<void> {
  const [trial] = await tx
    .select({ id: trials.id, status: trials.status })
    .from(trials)
    .where(
      input.trialId
        ? and(eq(trials.id, input.trialId), eq(trials.accountId, input.accountId))
        : eq(trials.accountId, input.accountId),
    )
    .orderBy(desc(trials.startedAt))
    .limit(1);
  if (!trial) return;
  await tx
    .insert(trialOutreach)
    .values({
      trialId: trial.id,
      firstContactAt: input.at,
      staffId: input.staffId,
      via: input.via,
      beforeOutcome: trial.status === "active",
    })
    .onConflictDoNothing();
}
