/**
 * Lifecycle emails of a trial (issue 15), sent by a sweep (`LIFECYCLE_EMAILS_TASK`, every 10
 * minutes) to the owners of the trial's organisation:
 * - getting started: once the trial's clock has started and its service is ready (day 1);
 * - onboarding stalled: 3 days after the clock started, when the instance has reached no milestone
 *   and the trial still runs.
 * Each goes once per trial and owner whatever repeats the sweep (duplicate jobs, two workers at
 * once): the outbox's `dedupeKey` `lifecycle:<kind>:<trial id>:<user id>` makes it so. Owners who
 * left the `onboarding` list are skipped; every email carries its unsubscribe link (RFC 8058).
 * The sweep reads only a window of recently started clocks, by keyset over `trials_clock_started_idx`.
 */
import { and, eq, exists, gt, lte, notExists, sql, type SQL } from "drizzle-orm";
import type { Database, DbOrTx } from "#db/client";
import {
  activationMilestones,
  emailUnsubscribes,
  memberships,
  organisations,
  outgoingEmails,
  serviceInstances,
  trials,
  users,
  type ActivationMilestone,
} from "#db/schema";
import { recordAudit, systemActor } from "~/lib/audit.server";
import { loadCatalog, type CatalogPlan } from "~/modules/catalog/catalog.server";
import type { EmailList } from "~/modules/accounts/signed-tokens.server";
import {
  gettingStartedMessage,
  onboardingStalledMessage,
  type MilestoneStep,
  type TrialContext,
} from "./lifecycle-templates";
import { queueEmail } from "./outbox.server";
import { unsubscribeUrl } from "./unsubscribes.server";

const DAY_MS = 24 * 60 * 60 * 1000;
/** The list lifecycle emails belong to, which owners can leave. */
export const LIFECYCLE_LIST: EmailList = "onboarding";

export type LifecycleKind = "getting_started" | "stalled";

/**
 * When each email is due, as the time since the trial's clock started: from `fromMs` until `untilMs`.
 * Past the window the email is no longer timely (a worker away for days sends no stale "day 1").
 */
const WINDOWS: Record<LifecycleKind, { fromMs: number; untilMs: number }> = {
  getting_started: { fromMs: 0, untilMs: 2 * DAY_MS },
  stalled: { fromMs: 3 * DAY_MS, untilMs: 5 * DAY_MS },
};
const BATCH = 100;

export type LifecycleDeps = { db: Database; appUrl: string; secret: string };
/** Emails queued by one sweep, per kind. */
export type LifecycleCounts = Record<LifecycleKind, number>;

type DueTrial = {
  id: string;
  accountId: string;
  planSlug: string;
  endsAt: Date;
  organisationName: string;
  workspaceUrl: string | null;
};

/**
 * Queues the lifecycle emails due at `now` and answers how many went to the outbox. Safe to run
 * any number of times, concurrently: each trial is handled in its own transaction and every
 * email is deduplicated in the outbox. A trial whose plan left the catalog is skipped.
 */
export async function sweepLifecycleEmails(deps: LifecycleDeps, now = new Date()): Promise<LifecycleCounts> {
  const counts: LifecycleCounts = { getting_started: 0, stalled: 0 };
  const catalog = await loadCatalog(deps.db);
  if (!catalog) return counts;
  const plans = new Map(catalog.plans.map((plan) => [plan.slug, plan]));
  for (const kind of ["getting_started", "stalled"] as const) {
    for await (const trial of dueTrials(deps.db, kind, now)) {
      const plan = plans.get(trial.planSlug);
      if (!plan) continue;
      counts[kind] += await deps.db.transaction((tx) => emailOwners(tx, deps, kind, trial, plan, now));
    }
  }
  return counts;
}

/** Active trials with a ready instance whose clock started inside the kind's window, oldest first, by keyset. */
async function* dueTrials(db: Database, kind: LifecycleKind, now: Date): AsyncGenerator<DueTrial> {
  const { fromMs, untilMs } = WINDOWS[kind];
  const window = and(
    eq(trials.status, "active"),
    gt(trials.clockStartedAt, new Date(now.getTime() - untilMs)),
    lte(trials.clockStartedAt, new Date(now.getTime() - fromMs)),
    kind === "stalled"
      ? notExists(
          db
            .select({ one: sql`1` })
            .from(activationMilestones)
            .where(eq(activationMilestones.instanceId, trials.instanceId)),
        )
      : undefined,
    // Trials whose owners all have the email (or left the list) are not read again.
    exists(
      db
        .select({ one: sql`1` })
        .from(memberships)
        .where(and(eq(memberships.organisationId, trials.accountId), ownerAwaiting(kind, trials.id))),
    ),
  );
  let after: string | null = null;
  for (;;) {
    const keyset: SQL | undefined = after
      ? sql`(${trials.clockStartedAt}, ${trials.id}) > (select t.clock_started_at, t.id from trials t where t.id = ${after})`
      : undefined;
    const batch = await db
      .select({
        id: trials.id,
        accountId: trials.accountId,
        planSlug: trials.planSlug,
        endsAt: trials.endsAt,
        organisationName: organisations.name,
        access: serviceInstances.access,
      })
      .from(trials)
      .innerJoin(
        serviceInstances,
        and(eq(serviceInstances.id, trials.instanceId), eq(serviceInstances.status, "active")),
      )
      .innerJoin(organisations, eq(organisations.id, trials.accountId))
      .where(and(window, keyset))
      .orderBy(trials.clockStartedAt, trials.id)
      .limit(BATCH);
    for (const row of batch) {
      // The clock has started, so the trial has an end (trials_end_known_check and startTrialClock).
      if (row.endsAt) yield { ...row, endsAt: row.endsAt, workspaceUrl: row.access?.workspace_url ?? null };
    }
    if (batch.length < BATCH) return;
    after = batch.at(-1)!.id;
  }
}

/** Queues the kind's email to each owner still on the list and not yet sent it; audits what went. */
async function emailOwners(
  tx: DbOrTx,
  deps: LifecycleDeps,
  kind: LifecycleKind,
  trial: DueTrial,
  plan: CatalogPlan,
  now: Date,
): Promise<number> {
  const owners = await tx
    .select({ id: users.id, name: users.name, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.organisationId, trial.accountId), ownerAwaiting(kind, sql`${trial.id}::uuid`)));
  const steps = plan.milestones.map((milestone) => stepOf(milestone, trial.workspaceUrl));
  let queued = 0;
  for (const owner of owners) {
    const listUnsubscribe = unsubscribeUrl(deps.appUrl, deps.secret, { userId: owner.id, list: LIFECYCLE_LIST });
    const context: TrialContext = {
      name: owner.name,
      planName: plan.name,
      organisationName: trial.organisationName,
      daysLeft: Math.max(1, Math.ceil((trial.endsAt.getTime() - now.getTime()) / DAY_MS)),
      endsAt: trial.endsAt,
      accountUrl: `${deps.appUrl}/account`,
      unsubscribeUrl: listUnsubscribe,
    };
    const message =
      kind === "getting_started"
        ? gettingStartedMessage(context, trial.workspaceUrl, steps)
        : onboardingStalledMessage(context, firstStep(steps, trial.workspaceUrl));
    if (await queueEmail(tx, { to: owner.email, ...message, listUnsubscribe }, dedupeKey(kind, trial.id, owner.id)))
      queued++;
  }
  if (queued > 0)
    await recordAudit(
      tx,
      systemActor,
      "trial.lifecycle_email_queued",
      { type: "trial", id: trial.id },
      { kind, recipients: queued },
      trial.accountId,
    );
  return queued;
}

/** The outbox key that makes the email go once per trial and owner. */
function dedupeKey(kind: LifecycleKind, trialId: string, userId: string): string {
  return `lifecycle:${kind}:${trialId}:${userId}`;
}

/**
 * On a `memberships` row: an owner of the trial's organisation still on the list who has not been
 * queued the kind's email (looked up by its outbox key, `outgoing_emails_dedupe_key_idx`).
 */
function ownerAwaiting(kind: LifecycleKind, trialId: SQL | typeof trials.id): SQL {
  return and(
    eq(memberships.role, "owner"),
    sql`not exists (select 1 from ${emailUnsubscribes} where ${emailUnsubscribes.userId} = ${memberships.userId} and ${emailUnsubscribes.list} = ${LIFECYCLE_LIST})`,
    sql`not exists (select 1 from ${outgoingEmails} where ${outgoingEmails.dedupeKey} = ${`lifecycle:${kind}:`} || ${trialId}::text || ':' || ${memberships.userId}::text)`,
  )!;
}

/** A milestone's title and its place in the workspace: the workspace URL followed by the milestone's path. */
function stepOf(milestone: ActivationMilestone, workspaceUrl: string | null): MilestoneStep {
  const url = milestone.link && workspaceUrl ? `${workspaceUrl.replace(/\/+$/, "")}${milestone.link}` : null;
  return { title: milestone.title, url };
}

/** The stalled email's step: the plan's first milestone, linking to the workspace itself when it has no place there. */
function firstStep(steps: MilestoneStep[], workspaceUrl: string | null): MilestoneStep {
  const [first] = steps;
  return first
    ? { title: first.title, url: first.url ?? workspaceUrl }
    : { title: "Open your workspace", url: workspaceUrl };
}
