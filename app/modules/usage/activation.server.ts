/**
 * Activation (issue 15, ADR 21): how far each service instance has come along its plan's milestones
 * (`CatalogPlan.milestones`), read from the daily rollups only (`usage_daily_events`, `usage_daily`),
 * never from raw events; the milestones reached (`activation_milestones`), recorded by the
 * `ACTIVATION_TASK` job; and the share reached, which is the **activation** figure.
 */
import { inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database, DbOrTx } from "#db/client";
import { activationMilestones, type ActivationMilestone } from "#db/schema";
import { recordAudit, systemActor } from "~/lib/audit.server";
import { requireCatalog, type Catalog } from "~/modules/catalog/catalog.server";

const DAY_MS = 24 * 60 * 60 * 1000;
const DAYS = { one: "day", other: "days" };
const STEPS = { one: "time", other: "times" };

/** One milestone of an instance: `progress` counts toward `target` (capped at it), within the window. */
export type MilestoneProgress = {
  key: string;
  title: string;
  /** A path in the workspace where the step is taken (joined to the workspace URL), or null. */
  link: string | null;
  /** Events to send (event kind) or days to be active on (active_days kind). */
  target: number;
  progress: number;
  /** What is counted, in words ("teammate invited" / "teammates invited"): the catalog's, else days or steps. */
  counted: { one: string; other: string };
  /** When it was reached, as recorded by `recordMilestones`; null until then. */
  reachedAt: Date | null;
};

/** An instance's activation: its milestones in checklist order and the share reached (0..1). */
export type Activation = {
  instanceId: string;
  startedAt: Date;
  /** The end of the longest window (exclusive, 00:00 UTC): no milestone can be reached after it. */
  windowsEndAt: Date;
  milestones: MilestoneProgress[];
  reached: number;
  /** reached / milestones, 0 when the plan has none: the activation figure. */
  share: number;
};

/** What `serviceStart` needs to know of an instance. */
export type ServiceStartFacts = {
  createdAt: Date;
  /** The instance's trial, if it came from one: when it started and whether its clock waited for staff. */
  trial: { startedAt: Date; clockWaitedForSetup: boolean } | null;
  /** When its first `provision` request succeeded; null while it is being set up. */
  provisionedAt: Date | null;
};

/**
 * When a service's milestone windows start: the moment the customer's days started counting.
 * - A trial whose clock ran from the start (set up automatically): the trial's start.
 * - Otherwise the moment its first `provision` request succeeded: a trial set up by staff starts
 *   its clock then (issue 14, item 9), and a bought service is usable from then.
 * - Otherwise (still being set up) the instance's creation.
 */
export function serviceStart(facts: ServiceStartFacts): Date {
  if (facts.trial && !facts.trial.clockWaitedForSetup) return facts.trial.startedAt;
  return facts.provisionedAt ?? facts.createdAt;
}

type Service = { instanceId: string; accountId: string; planSlug: string; startedAt: Date };

/**
 * The instances' plans and window starts, in one query. A trial's clock waited for its setup when
 * its `provision` request carried no trial end (`snapshot.trialEndsAt` null, `startTrial`).
 */
async function loadServices(db: DbOrTx, instanceIds: string[]): Promise<Service[]> {
  const rows = await db.execute<{
    instance_id: string;
    account_id: string;
    plan_slug: string;
    created_at: string;
    trial_started_at: string | null;
    provisioned_at: string | null;
    clock_waited: boolean | null;
  }>(sql`
    select si.id as instance_id, si.account_id, si.plan_slug, si.created_at,
           t.started_at as trial_started_at, p.completed_at as provisioned_at,
           (select r.snapshot->>'trialEndsAt' is null
              from provisioning_requests r
             where r.account_id = si.account_id and r.instance_id = si.id and r.idempotency_key = 'trial:' || t.id
           ) as clock_waited
      from service_instances si
      left join lateral (
        select id, started_at from trials where trials.instance_id = si.id order by started_at limit 1
      ) t on true
      left join lateral (
        select completed_at from provisioning_requests r
         where r.account_id = si.account_id and r.instance_id = si.id
           and r.operation = 'provision' and r.status = 'succeeded'
         order by r.completed_at limit 1
      ) p on true
     where si.id in ${sqlList(instanceIds)}`);
  return rows.map((row) => ({
    instanceId: row.instance_id,
    accountId: row.account_id,
    planSlug: row.plan_slug,
    startedAt: serviceStart({
      createdAt: new Date(row.created_at),
      trial: row.trial_started_at
        ? { startedAt: new Date(row.trial_started_at), clockWaitedForSetup: Boolean(row.clock_waited) }
        : null,
      provisionedAt: row.provisioned_at ? new Date(row.provisioned_at) : null,
    }),
  }));
}

/** `(a, b, c)` of bound parameters, for `in` (the caller passes at least one value). */
function sqlList(values: string[]) {
  return sql`(${sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  )})`;
}

/** The UTC day (YYYY-MM-DD) `days` after the moment's day. */
function utcDay(at: Date, days = 0): string {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()) + days * DAY_MS)
    .toISOString()
    .slice(0, 10);
}

type DayEvents = { instanceId: string; day: string; event: string; count: number; firstAt: Date; lastAt: Date };
type ActiveDay = { instanceId: string; day: string; firstAt: Date | null };

/** A milestone's progress and, once complete, when the target was reached (see `completion`). */
type Evaluated = { milestone: ActivationMilestone; target: number; progress: number; completedAt: Date | null };
type Evaluation = Service & { milestones: Evaluated[] };

/**
 * Every instance's milestones evaluated against the rollups: three queries whatever the number of
 * instances (services, the milestone events' daily counts, active days), plus the catalog.
 * A window is counted in whole UTC days, the rollups' grain: the start's day and the
 * `windowDays - 1` days after it.
 */
async function evaluate(db: DbOrTx, instanceIds: string[], known?: Catalog): Promise<Evaluation[]> {
  const ids = [...new Set(instanceIds)];
  if (!ids.length) return [];
  const [catalog, services] = await Promise.all([known ?? requireCatalog(db), loadServices(db, ids)]);
  const milestonesOf = (planSlug: string) => catalog.plans.find((plan) => plan.slug === planSlug)?.milestones ?? [];
  const windows = services.flatMap((service) => {
    const longest = Math.max(0, ...milestonesOf(service.planSlug).map((m) => m.windowDays));
    return longest
      ? [
          {
            instance_id: service.instanceId,
            first_day: utcDay(service.startedAt),
            end_day: utcDay(service.startedAt, longest),
          },
        ]
      : [];
  });
  const events = [
    ...new Set(services.flatMap((s) => milestonesOf(s.planSlug).flatMap((m) => (m.kind === "event" ? [m.event] : [])))),
  ];
  const windowTable = sql`jsonb_to_recordset(${JSON.stringify(windows)}::jsonb) as w(instance_id uuid, first_day date, end_day date)`;
  const [eventRows, activeRows] = windows.length
    ? await Promise.all([
        events.length
          ? db.execute<{
              instance_id: string;
              day: string;
              event: string;
              count: number;
              first_at: string;
              last_at: string;
            }>(sql`
              select e.instance_id, e.day::text as day, e.event, e.count, e.first_at, e.last_at
                from ${windowTable}
                join usage_daily_events e
                  on e.instance_id = w.instance_id and e.day >= w.first_day and e.day < w.end_day
               where e.event in ${sqlList(events)}
               order by e.instance_id, e.day`)
          : [],
        db.execute<{ instance_id: string; day: string; first_at: string | null }>(sql`
          select d.instance_id, d.day::text as day,
                 (select min(e.first_at) from usage_daily_events e
                   where e.instance_id = d.instance_id and e.day = d.day) as first_at
            from ${windowTable}
            join usage_daily d on d.instance_id = w.instance_id and d.day >= w.first_day and d.day < w.end_day
           where d.active_users > 0
           order by d.instance_id, d.day`),
      ])
    : [[], []];
  const dayEvents: DayEvents[] = eventRows.map((row) => ({
    instanceId: row.instance_id,
    day: row.day,
    event: row.event,
    count: Number(row.count),
    firstAt: new Date(row.first_at),
    lastAt: new Date(row.last_at),
  }));
  const activeDays: ActiveDay[] = activeRows.map((row) => ({
    instanceId: row.instance_id,
    day: row.day,
    firstAt: row.first_at ? new Date(row.first_at) : null,
  }));
  return services.map((service) => ({
    ...service,
    milestones: milestonesOf(service.planSlug).map((milestone) => {
      const endDay = utcDay(service.startedAt, milestone.windowDays);
      const inWindow = <T extends { instanceId: string; day: string }>(row: T) =>
        row.instanceId === service.instanceId && row.day < endDay;
      return milestone.kind === "event"
        ? eventCompletion(
            milestone,
            dayEvents.filter((row) => inWindow(row) && row.event === milestone.event),
          )
        : activeDaysCompletion(milestone, activeDays.filter(inWindow));
    }),
  }));
}

/**
 * Progress of an event milestone from its days in the window (in day order) and when the count was
 * reached: on the day the running total first reaches the target, the day's `first_at` if that
 * day's first event reached it (exact), else the day's `last_at` (exact when the day's last event
 * reached it, otherwise later the same day: the rollups keep no finer grain).
 */
function eventCompletion(milestone: ActivationMilestone & { kind: "event" }, days: DayEvents[]): Evaluated {
  let total = 0;
  let completedAt: Date | null = null;
  for (const day of days) {
    const before = total;
    total += day.count;
    if (!completedAt && total >= milestone.count)
      completedAt = before + 1 >= milestone.count ? day.firstAt : day.lastAt;
  }
  return { milestone, target: milestone.count, progress: Math.min(total, milestone.count), completedAt };
}

/**
 * Progress of an active-days milestone: days in the window with an active user. Reached on the
 * target-th such day, at that day's first tracked event (`min(first_at)`), or at the day's start
 * (00:00 UTC) when the day saw only identify or group calls.
 */
function activeDaysCompletion(milestone: ActivationMilestone & { kind: "active_days" }, days: ActiveDay[]): Evaluated {
  const day = days[milestone.days - 1];
  return {
    milestone,
    target: milestone.days,
    progress: Math.min(days.length, milestone.days),
    completedAt: day ? (day.firstAt ?? new Date(`${day.day}T00:00:00Z`)) : null,
  };
}

/**
 * The instances' activation, keyed by instance id (unknown ids are left out): the plan's milestones
 * (`service_instances.plan_slug`) in order with progress within each window and `reachedAt` from
 * `activation_milestones`. Four queries whatever the number of instances, plus the catalog's unless
 * the caller passes the catalog it already loaded.
 */
export async function activationOf(
  db: DbOrTx,
  instanceIds: string[],
  catalog?: Catalog,
): Promise<Map<string, Activation>> {
  if (!instanceIds.length) return new Map();
  const [evaluations, reachedRows] = await Promise.all([
    evaluate(db, instanceIds, catalog),
    db
      .select({
        instanceId: activationMilestones.instanceId,
        key: activationMilestones.milestoneKey,
        reachedAt: activationMilestones.reachedAt,
      })
      .from(activationMilestones)
      .where(inArray(activationMilestones.instanceId, instanceIds)),
  ]);
  const result = new Map<string, Activation>();
  for (const evaluation of evaluations) {
    const milestones = evaluation.milestones.map(({ milestone, target, progress }): MilestoneProgress => {
      const reachedAt =
        reachedRows.find((row) => row.instanceId === evaluation.instanceId && row.key === milestone.key)?.reachedAt ??
        null;
      return {
        key: milestone.key,
        title: milestone.title,
        link: milestone.link,
        target,
        counted: milestone.counted ?? (milestone.kind === "active_days" ? DAYS : STEPS),
        // A recorded milestone stays complete even if its window's rollups later read lower.
        progress: reachedAt ? target : progress,
        reachedAt,
      };
    });
    const reached = milestones.filter((m) => m.reachedAt).length;
    result.set(evaluation.instanceId, {
      instanceId: evaluation.instanceId,
      startedAt: evaluation.startedAt,
      windowsEndAt: new Date(
        `${utcDay(evaluation.startedAt, Math.max(0, ...evaluation.milestones.map((m) => m.milestone.windowDays)))}T00:00:00Z`,
      ),
      milestones,
      reached,
      share: milestones.length ? reached / milestones.length : 0,
    });
  }
  return result;
}

/** The `ACTIVATION_TASK` payload, queued by the rollup job for instances with new (non-backfill) events. */
export const activationPayload = z.object({ instanceIds: z.array(z.uuid()).min(1).max(10_000) });

/**
 * Records the milestones the instances have newly completed within their windows: one
 * `activation_milestones` row each (`reached_at` as `eventCompletion` and `activeDaysCompletion`
 * say) and an audit row `activation.milestone_reached` (actor system, subject the instance) for the
 * account's timeline, in one transaction. A milestone already recorded is left alone (`on conflict
 * do nothing`), so duplicate or concurrent jobs record and audit it once. Backfilled events sit in
 * the same rollups: they never queue this task, but count toward a milestone a later live event
 * completes. Returns how many milestones were recorded.
 */
export async function recordMilestones(db: Database, instanceIds: string[]): Promise<number> {
  const complete = (await evaluate(db, instanceIds)).flatMap((evaluation) =>
    evaluation.milestones.flatMap(({ milestone, completedAt }) =>
      completedAt
        ? [
            {
              instanceId: evaluation.instanceId,
              accountId: evaluation.accountId,
              milestoneKey: milestone.key,
              title: milestone.title,
              reachedAt: completedAt,
              sinceStartMs: completedAt.getTime() - evaluation.startedAt.getTime(),
            },
          ]
        : [],
    ),
  );
  if (!complete.length) return 0;
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(activationMilestones)
      .values(
        complete.map(({ instanceId, accountId, milestoneKey, reachedAt }) => ({
          instanceId,
          accountId,
          milestoneKey,
          reachedAt,
        })),
      )
      .onConflictDoNothing()
      .returning({ instanceId: activationMilestones.instanceId, key: activationMilestones.milestoneKey });
    for (const row of inserted) {
      const milestone = complete.find((m) => m.instanceId === row.instanceId && m.milestoneKey === row.key)!;
      await recordAudit(
        tx,
        systemActor,
        "activation.milestone_reached",
        { type: "service_instance", id: milestone.instanceId },
        {
          milestone: milestone.milestoneKey,
          title: milestone.title,
          reachedAt: milestone.reachedAt,
          hoursFromStart: Math.round((milestone.sinceStartMs / 3_600_000) * 10) / 10,
        },
        milestone.accountId,
      );
    }
    return inserted.length;
  });
}
