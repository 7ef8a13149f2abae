/**
 * "Trials to call" (issue 16 item 4): active trials, most product-qualified first, and the record
 * that staff reached out to one (`trial_outreach`), so trial→paid conversion can be compared
 * assisted vs unassisted.
 */
import { and, desc, eq, isNotNull, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Database, DbOrTx } from "#db/client";
import { decodeCursor, encodeCursor } from "#db/keyset-cursor";
import { accountSuccess, organisations, trialOutreach, trials, users } from "#db/schema";
import { recordAudit } from "~/lib/audit.server";
import { recordTrialOutreach } from "./outreach.server";

export const TRIALS_TO_CALL_PAGE_SIZE = 25;

/** How staff reached out, as the form offers it (the task outcomes that are contact). */
export const OUTREACH_VIA = ["called", "emailed"] as const;
export type OutreachVia = (typeof OUTREACH_VIA)[number];

const contactedBy = alias(users, "contacted_by");

/**
 * One page of active trials by PQL score, highest first (ties by account id), from
 * `account_success` through its `account_success_pql_idx`; `cursor` is the opaque key of the last
 * row of the previous page. Accounts whose stored score outlived their trial (converted or expired
 * since the health job ran) are left out by the join to the active trial, so a page may hold fewer
 * rows than the page size while more follow. `nextCursor` is null on the last page.
 */
export async function listTrialsToCall(
  db: DbOrTx,
  cursor: string | null | undefined,
  pageSize = TRIALS_TO_CALL_PAGE_SIZE,
) {
  const after = decodeCursor(cursor, ["int", "uuid"] as const);
  const rows = await db
    .select({
      accountId: accountSuccess.accountId,
      score: accountSuccess.pqlScore,
      reasons: accountSuccess.pqlReasons,
      accountName: organisations.name,
      trialId: trials.id,
      planSlug: trials.planSlug,
      endsAt: trials.endsAt,
      lengthDays: trials.lengthDays,
      assignedName: users.name,
      contactedAt: trialOutreach.firstContactAt,
      contactedVia: trialOutreach.via,
      contactedByName: contactedBy.name,
    })
    .from(accountSuccess)
    .innerJoin(organisations, eq(organisations.id, accountSuccess.accountId))
    // The account's latest active trial (one per product; the portal sells one product).
    .innerJoin(
      trials,
      eq(
        trials.id,
        sql`(select ${trials.id} from ${trials} where ${trials.accountId} = ${accountSuccess.accountId} and ${trials.status} = 'active' order by ${trials.startedAt} desc limit 1)`,
      ),
    )
    .leftJoin(users, eq(users.id, accountSuccess.assignedStaffId))
    .leftJoin(trialOutreach, eq(trialOutreach.trialId, trials.id))
    .leftJoin(contactedBy, eq(contactedBy.id, trialOutreach.staffId))
    .where(
      and(
        isNotNull(accountSuccess.pqlScore),
        after ? sql`(${accountSuccess.pqlScore}, ${accountSuccess.accountId}) < (${after[0]}, ${after[1]})` : undefined,
      ),
    )
    .orderBy(desc(accountSuccess.pqlScore), desc(accountSuccess.accountId))
    .limit(pageSize + 1);
  const page = rows.slice(0, pageSize);
  const last = page.at(-1);
  return {
    trials: page.map((row) => ({ ...row, score: row.score!, reasons: row.reasons ?? [] })),
    nextCursor: rows.length > pageSize && last ? encodeCursor([last.score!, last.accountId]) : null,
  };
}

export type MarkContactedResult = { ok: true; recorded: boolean } | { ok: false; status: 404; message: string };

/**
 * Records that a staff member reached out to the organisation about this trial, once: the trial
 * row is locked, so two tabs or a double click record and audit (`trial.outreach_recorded`) one
 * contact; a later mark changes nothing (`recorded: false`). A trial of another organisation, or
 * none, answers 404 with a sentence. Whether the trial was still active is kept with the record.
 */
export async function markTrialContacted(
  db: Database,
  input: { accountId: string; trialId: string; staffId: string; via: OutreachVia; at?: Date },
): Promise<MarkContactedResult> {
  return db.transaction(async (tx): Promise<MarkContactedResult> => {
    const [trial] = await tx
      .select({ id: trials.id, status: trials.status })
      .from(trials)
      .where(and(eq(trials.id, input.trialId), eq(trials.accountId, input.accountId)))
      .for("update");
    if (!trial) return { ok: false, status: 404, message: "This trial is not one of this organisation's." };
    const [already] = await tx
      .select({ trialId: trialOutreach.trialId })
      .from(trialOutreach)
      .where(eq(trialOutreach.trialId, trial.id));
    if (already) return { ok: true, recorded: false };
    await recordTrialOutreach(tx, {
      accountId: input.accountId,
      trialId: trial.id,
      staffId: input.staffId,
      via: input.via,
      at: input.at ?? new Date(),
    });
    await recordAudit(
      tx,
      { type: "staff", id: input.staffId },
      "trial.outreach_recorded",
      { type: "trial", id: trial.id },
      { via: input.via, beforeOutcome: trial.status === "active" },
      input.accountId,
    );
    return { ok: true, recorded: true };
  });
}
