import { and, eq, gt, isNull, lte } from "drizzle-orm";
import type { Database, DbOrTx } from "#db/client";
import { serviceInstances, trials } from "#db/schema";
import { recordAudit, systemActor, type Actor } from "~/lib/audit.server";
import { accountManagers } from "~/modules/accounts/organisations.server";
import { planLabel } from "~/modules/catalog/labels";
import { loadCatalogWords } from "~/modules/catalog/labels.server";
import { loadPlanPolicy } from "~/modules/catalog/plan-policy.server";
import { queueEmail } from "~/modules/email/outbox.server";
import { trialEndedMessage, trialReminderMessage } from "~/modules/email/templates";
import { enqueueProvisioning, type Operation, type ProvisioningActor } from "../../../provisioning";

const DAY_MS = 24 * 60 * 60 * 1000;
const REMINDER_BEFORE_MS = 3 * DAY_MS;
/** How long an expired trial's instance is kept (suspended) before it is removed. */
export const TRIAL_RETENTION_MS = 14 * DAY_MS;
const BATCH = 100;

type Trial = typeof trials.$inferSelect;
export type SweepCounts = { reminded: number; expired: number; removed: number };

/**
 * The scheduled trial sweep: "3 days left" emails, expiry (suspend the instance) and, after the
 * retention period, removal. A trial whose clock waits for its setup (no end yet) matches none of
 * these: it neither reminds nor expires until `startTrialClock` sets its end. Each trial is handled
 * in its own transaction with its row locked (SKIP LOCKED), so overlapping sweeps share the work
 * and never act twice.
 */
export async function sweepTrials(db: Database, appUrl: string, now = new Date()): Promise<SweepCounts> {
  const counts: SweepCounts = { reminded: 0, expired: 0, removed: 0 };
  counts.reminded = await eachDue(
    db,
    and(
      eq(trials.status, "active"),
      isNull(trials.reminderSentAt),
      lte(trials.endsAt, new Date(now.getTime() + REMINDER_BEFORE_MS)),
      gt(trials.endsAt, now),
    ),
    async (tx, trial) => {
      const endsAt = trial.endsAt!; // the condition above matched its end
      const daysLeft = Math.max(1, Math.ceil((endsAt.getTime() - now.getTime()) / DAY_MS));
      await tx.update(trials).set({ reminderSentAt: now }).where(eq(trials.id, trial.id));
      const plan = await planName(tx, trial);
      await emailManagers(tx, trial.accountId, (name) =>
        trialReminderMessage(name, plan, daysLeft, endsAt, `${appUrl}/pricing`),
      );
    },
  );
  counts.expired = await eachDue(db, and(eq(trials.status, "active"), lte(trials.endsAt, now)), async (tx, trial) => {
    await tx.update(trials).set({ status: "expired", expiredAt: now }).where(eq(trials.id, trial.id));
    await changeInstance(tx, trial, "suspend", `trial-expired:${trial.id}:${trial.extensions}`, {
      type: "system",
      id: null,
    });
    await recordAudit(tx, systemActor, "trial.expired", { type: "trial", id: trial.id }, {}, trial.accountId);
    const plan = await planName(tx, trial);
    await emailManagers(tx, trial.accountId, (name) => trialEndedMessage(name, plan, `${appUrl}/pricing`));
  });
  counts.removed = await eachDue(
    db,
    and(
      eq(trials.status, "expired"),
      isNull(trials.deprovisionRequestedAt),
      lte(trials.expiredAt, new Date(now.getTime() - TRIAL_RETENTION_MS)),
    ),
    async (tx, trial) => {
      await tx.update(trials).set({ deprovisionRequestedAt: now }).where(eq(trials.id, trial.id));
      await changeInstance(tx, trial, "deprovision", `trial-removed:${trial.id}`, { type: "system", id: null });
      await recordAudit(tx, systemActor, "trial.removed", { type: "trial", id: trial.id }, {}, trial.accountId);
    },
  );
  return counts;
}

async function eachDue(
  db: Database,
  where: ReturnType<typeof and>,
  handle: (tx: DbOrTx, trial: Trial) => Promise<void>,
): Promise<number> {
  let handled = 0;
  for (;;) {
    const done = await db.transaction(async (tx) => {
      const batch = await tx.select().from(trials).where(where).limit(BATCH).for("update", { skipLocked: true });
      for (const trial of batch) await handle(tx, trial);
      return batch.length;
    });
    handled += done;
    if (done < BATCH) return handled;
  }
}

/** The trial's plan by its catalog name, for the emails (ADR 20). */
async function planName(tx: DbOrTx, trial: Trial): Promise<string> {
  return planLabel(trial.planSlug, (await loadCatalogWords(tx)).planNames);
}

async function emailManagers(
  tx: DbOrTx,
  accountId: string,
  message: (name: string) => { subject: string; text: string },
) {
  for (const manager of await accountManagers(tx, accountId))
    await queueEmail(tx, { to: manager.email, ...message(manager.name) });
}

/** Asks the trial instance's provisioner to suspend, resume or remove it. */
async function changeInstance(
  tx: DbOrTx,
  trial: Trial,
  operation: Operation,
  idempotencyKey: string,
  actor: ProvisioningActor,
): Promise<void> {
  const [instance] = await tx.select().from(serviceInstances).where(eq(serviceInstances.id, trial.instanceId));
  const policy = await loadPlanPolicy(tx, trial.productSlug, trial.planSlug);
  if (!instance || !policy) throw new Error(`Trial ${trial.id} has no instance or plan to change`);
  await enqueueProvisioning(tx, {
    accountId: trial.accountId,
    instanceId: instance.id,
    operation,
    snapshot: instance.snapshot,
    provisioner: policy.provisioner,
    config: policy.config,
    idempotencyKey,
    actor,
  });
}

export type ExtendResult = { ok: true } | { ok: false; message: string };

/** Staff give a trial more days, with a reason; an expired trial comes back and its instance resumes. */
export async function extendTrial(
  db: Database,
  trialId: string,
  days: number,
  reason: string,
  staff: Actor & { id: string },
): Promise<ExtendResult> {
  return db.transaction(async (tx) => {
    const [trial] = await tx.select().from(trials).where(eq(trials.id, trialId)).for("update");
    if (!trial) return { ok: false, message: "This trial does not exist." };
    if (trial.status === "converted" || trial.deprovisionRequestedAt)
      return { ok: false, message: "This trial can no longer be extended." };
    // A trial still waiting for its setup gets a longer clock; the others a later end.
    const endsAt = trial.endsAt ? new Date(Math.max(trial.endsAt.getTime(), Date.now()) + days * DAY_MS) : null;
    const lengthDays = trial.endsAt ? trial.lengthDays : (trial.lengthDays ?? 0) + days;
    await tx
      .update(trials)
      .set({
        status: "active",
        endsAt,
        lengthDays,
        expiredAt: null,
        reminderSentAt: null,
        extensions: trial.extensions + 1,
      })
      .where(eq(trials.id, trial.id));
    if (trial.status === "expired") {
      await changeInstance(tx, trial, "resume", `trial-extended:${trial.id}:${trial.extensions + 1}`, {
        type: "staff",
        id: staff.id,
      });
    }
    await recordAudit(
      tx,
      staff,
      "trial.extended",
      { type: "trial", id: trial.id },
      { days, reason, endsAt, lengthDays },
      trial.accountId,
    );
    return { ok: true };
  });
}
