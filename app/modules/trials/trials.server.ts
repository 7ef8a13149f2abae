import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, sql } from "drizzle-orm";
import type { Database, DbOrTx } from "#db/client";
import { memberships, organisations, serviceInstances, trialGrants, trials } from "#db/schema";
import { recordAudit } from "~/lib/audit.server";
import { requireCatalog } from "~/modules/catalog/catalog.server";
import { includedLines } from "~/modules/catalog/labels";
import { loadCatalogWords } from "~/modules/catalog/labels.server";
import { loadPlanPolicy, snapshotOf } from "~/modules/catalog/plan-policy.server";
import { enqueueProvisioning } from "../../../provisioning";
import { trialEligibility, unusedTrialGrant } from "./eligibility.server";
import { queueAccountRefresh } from "~/modules/success/queue-refresh.server";

const DAY_MS = 24 * 60 * 60 * 1000;
const UNIQUE_VIOLATION = "23505";

export type StartTrialResult = { ok: true; trialId: string } | { ok: false; message: string };

/**
 * Starts the organisation's free trial of a self-serve plan, with no card, and asks for its
 * instance through the plan's provisioner, in one transaction. Refused, with the sentence to show,
 * when the plan has no trial or `trialEligibility` says no (one trial per organisation and product,
 * ever, unless staff granted another; none while paying; none before the email is confirmed). The
 * organisation's row is locked while the rules are checked, and the unique indexes on `trials` hold
 * the rule even so: two tabs get one trial.
 * A plan whose instance staff set up by hand (`manual` provisioner) starts the trial with no end: its
 * clock starts when the setup completes (`startTrialClock`, issue 14 item 9), so waiting for staff
 * costs the customer none of their days.
 */
export async function startTrial(
  db: Database,
  accountId: string,
  planSlug: string,
  userId: string,
): Promise<StartTrialResult> {
  const catalog = await requireCatalog(db);
  const plan = catalog.plans.find((p) => p.slug === planSlug);
  const policy =
    plan && plan.salesMode === "self_serve" && plan.trialDays > 0
      ? await loadPlanPolicy(db, catalog.product.slug, plan.slug)
      : null;
  if (!plan || !policy) return { ok: false, message: "This plan has no free trial." };

  const trialId = randomUUID();
  const clockStartedAt = clockWaitsForSetup(policy.provisioner) ? null : new Date();
  const endsAt = clockStartedAt && new Date(clockStartedAt.getTime() + plan.trialDays * DAY_MS);
  const seats = plan.pricingModel === "per_seat" ? plan.minSeats : (plan.maxSeats ?? plan.minSeats);
  try {
    return await db.transaction(async (tx): Promise<StartTrialResult> => {
      await lockOrganisation(tx, accountId);
      const eligibility = await trialEligibility(tx, catalog, { accountId, userId });
      if (!eligibility.ok) return eligibility;
      const { instanceId } = await enqueueProvisioning(tx, {
        accountId,
        operation: "provision",
        snapshot: snapshotOf(catalog, plan, seats, endsAt),
        provisioner: policy.provisioner,
        config: policy.config,
        idempotencyKey: `trial:${trialId}`,
        actor: { type: "customer", id: userId },
      });
      await tx.insert(trials).values({
        id: trialId,
        accountId,
        productSlug: catalog.product.slug,
        planSlug: plan.slug,
        instanceId,
        endsAt,
        clockStartedAt,
        lengthDays: plan.trialDays,
        startedBy: userId,
        grantId: eligibility.grantId,
      });
      await recordAudit(
        tx,
        { type: "user", id: userId },
        "trial.started",
        { type: "trial", id: trialId },
        { plan: plan.slug, endsAt, lengthDays: plan.trialDays, grantId: eligibility.grantId },
        accountId,
      );
      // The new trial shows on "Trials to call" and gets its day-1 task without waiting for the hourly run.
      await queueAccountRefresh(tx, accountId);
      return { ok: true, trialId };
    });
  } catch (error) {
    // The lock makes this rare; the unique indexes are the last word.
    if (
      (error as { cause?: { code?: string } }).cause?.code === UNIQUE_VIOLATION ||
      (error as { code?: string }).code === UNIQUE_VIOLATION
    ) {
      return { ok: false, message: "Your organisation has just started a trial; each organisation gets one." };
    }
    throw error;
  }
}

/** Whether a trial of a plan with this provisioner counts its days only from when staff have set it up. */
function clockWaitsForSetup(provisioner: string): boolean {
  return provisioner === "manual";
}

/**
 * When the trial ends, or for one whose clock still waits for its setup, when it would end if the
 * setup completed now (its full length from now): what an order placed meanwhile carries over.
 */
export function trialEndOrFullLength(
  trial: { endsAt: Date | null; lengthDays: number | null },
  now = Date.now(),
): Date {
  return trial.endsAt ?? new Date(now + (trial.lengthDays ?? 0) * DAY_MS);
}

/** Takes the organisation's row lock: every trial start and grant of one organisation runs in turn. */
async function lockOrganisation(tx: DbOrTx, accountId: string): Promise<void> {
  await tx.select({ id: organisations.id }).from(organisations).where(eq(organisations.id, accountId)).for("update");
}

/**
 * Staff allow an organisation one more trial of the catalog's product (issue 11: beyond the one it
 * gets), with a reason; audited as `trial.granted`. Refused while an earlier grant is unused.
 */
export async function grantAnotherTrial(
  db: Database,
  staff: { id: string },
  accountId: string,
  reason: string,
): Promise<{ ok: true } | { ok: false; message: string }> {
  const catalog = await requireCatalog(db);
  return db.transaction(async (tx) => {
    await lockOrganisation(tx, accountId);
    if (await unusedTrialGrant(tx, accountId, catalog.product.slug))
      return { ok: false, message: "This organisation may already start another trial; it has not used it yet." };
    const [grant] = await tx
      .insert(trialGrants)
      .values({ accountId, productSlug: catalog.product.slug, grantedBy: staff.id, reason })
      .returning({ id: trialGrants.id });
    await recordAudit(
      tx,
      { type: "staff", id: staff.id },
      "trial.granted",
      { type: "trial_grant", id: grant!.id },
      { reason, product: catalog.product.slug },
      accountId,
    );
    return { ok: true };
  });
}

export async function activeTrial(db: DbOrTx, accountId: string, productSlug: string) {
  const [trial] = await db
    .select()
    .from(trials)
    .where(and(eq(trials.accountId, accountId), eq(trials.productSlug, productSlug), eq(trials.status, "active")))
    .orderBy(desc(trials.startedAt))
    .limit(1);
  return trial ?? null;
}

/** The organisation's latest trial with what it includes and whether its instance is ready. */
export async function trialOverview(db: DbOrTx, accountId: string) {
  const [row] = await db
    .select({ trial: trials, instanceStatus: serviceInstances.status, snapshot: serviceInstances.snapshot })
    .from(trials)
    .innerJoin(serviceInstances, eq(serviceInstances.id, trials.instanceId))
    .where(eq(trials.accountId, accountId))
    .orderBy(desc(trials.startedAt))
    .limit(1);
  if (!row) return null;
  const [{ members } = { members: 0 }] = await db
    .select({ members: sql<number>`count(*)::int` })
    .from(memberships)
    .where(eq(memberships.organisationId, accountId));
  return {
    id: row.trial.id,
    instanceId: row.trial.instanceId,
    planName: row.snapshot.planName,
    planSlug: row.trial.planSlug,
    status: row.trial.status,
    endsAt: row.trial.endsAt,
    lengthDays: row.trial.lengthDays,
    instanceStatus: row.instanceStatus,
    /** What the trial includes, in words ("File storage: 20 GB"). */
    included: includedLines(row.snapshot, (await loadCatalogWords(db)).features),
    teammates: members - 1,
  };
}

/** Trials staff look after: active and expired ones, ending soonest first, a page at a time. */
export async function listTrialsForStaff(db: DbOrTx, limit = 50) {
  return db
    .select({
      id: trials.id,
      accountName: organisations.name,
      planSlug: trials.planSlug,
      status: trials.status,
      endsAt: trials.endsAt,
      lengthDays: trials.lengthDays,
      extensions: trials.extensions,
    })
    .from(trials)
    .innerJoin(organisations, eq(organisations.id, trials.accountId))
    .where(sql`${trials.status} in ('active', 'expired') and ${trials.deprovisionRequestedAt} is null`)
    .orderBy(asc(trials.endsAt), asc(trials.id))
    .limit(limit);
}
