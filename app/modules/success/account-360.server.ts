/**
 * What the staff account page (Account 360, issue 16 item 1) shows besides what
 * `accountForStaff` already reads: the account's standing (stage, health, trend, assignee, MRR),
 * why its health is what it is (the latest snapshot's measures, worst first), the 30-day trend,
 * the override in force, its tasks, its services (state, checklist, users used vs bought,
 * provisioning requests), the lead it came from and the staff to assign it to. Every query is on a
 * primary key or an index of the account; Stripe is not called (`serviceCards` as a non-manager).
 */
import { and, asc, desc, eq, gte } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database } from "#db/client";
import {
  accountSuccess,
  csTasks,
  healthSnapshots,
  leads,
  users,
  type HealthMeasure,
  type TaskStatus,
} from "#db/schema";
import { longDate, shortDay } from "~/lib/dates";
import { planLabel } from "~/modules/catalog/labels";
import type { CatalogWords } from "~/modules/catalog/labels.server";
import { attributionRows } from "~/modules/qualification/attribution.server";
import { answerRows } from "~/modules/qualification/questionnaire";
import { verdictLabels } from "~/modules/qualification/verdict-labels";
import { serviceCards, type ServiceState } from "~/modules/service-overview.server";
import { operationLabels, statusLabels } from "~/modules/provisioning-labels";
import { staffMembers } from "./assignment.server";
import { overrideOnPage } from "./override-form.server";
import { stageText, unscoredText } from "./portfolio-format";
import { bandLabels, measureLabels, outcomeLabels } from "./words";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Days of the trend chart. */
export const TREND_DAYS = 30;
/** Tasks shown per kind (open, done): an account has a few at a time. */
const TASK_LIMIT = 20;
/** The attribution fields staff read on an account: where the lead came from. */
const ATTRIBUTION_KEYS = ["utm_source", "utm_medium", "utm_campaign", "referrer"];

/** "Up 6 points", "Down 18 points", "No change", or null when there is no figure. */
export function changeText(change: number | null): { text: string; direction: "up" | "down" | "flat" } | null {
  if (change === null) return null;
  if (change === 0) return { text: "No change", direction: "flat" };
  const points = Math.abs(change) === 1 ? "point" : "points";
  return change > 0
    ? { text: `Up ${change} ${points}`, direction: "up" }
    : { text: `Down ${Math.abs(change)} ${points}`, direction: "down" };
}

/** A service's state as staff read it (the customer's page words it for the customer). */
export function serviceStateText(state: ServiceState): string {
  switch (state.kind) {
    case "setting_up":
      return `Being set up: ${statusLabels[state.step].toLowerCase()}${state.waitingReason ? ` (${state.waitingReason})` : ""}`;
    case "active":
      return state.changing ? "Active, a change is in progress" : "Active";
    case "trial":
      return `On trial, ${state.daysLeft} ${state.daysLeft === 1 ? "day" : "days"} left (ends ${longDate(state.endsAt)})`;
    case "paused":
      return state.since ? `Paused since ${longDate(state.since)}` : "Paused";
    case "ending":
      return `Ends ${longDate(state.endsAt)} (cancelled)`;
    case "removed":
      return state.since ? `Removed ${longDate(state.since)}` : "Removed";
  }
}

/** The measures of a snapshot as the page shows them: worst first, measures without data last. */
export function measureRows(measures: readonly HealthMeasure[]) {
  return [...measures]
    .sort((a, b) => (a.score ?? Infinity) - (b.score ?? Infinity))
    .map((measure) => ({
      key: measure.key,
      label: measureLabels[measure.key],
      score: measure.score,
      weight: measure.weight,
      effectiveWeight: measure.effectiveWeight,
      explanation: measure.explanation,
    }));
}

/**
 * Everything the Account 360 page adds for `accountId` at `now`. Throws nothing for an account
 * the health job has not scored yet: health fields are null and the lists empty.
 */
/**
 * The account's open tasks (soonest due first) or done ones (latest completed first), up to
 * `TASK_LIMIT` each: read apart, so a long history of done tasks never hides an open one.
 */
function accountTasks(db: Database, accountId: string, status: TaskStatus) {
  return db
    .select({
      id: csTasks.id,
      title: csTasks.title,
      reason: csTasks.reason,
      status: csTasks.status,
      dueAt: csTasks.dueAt,
      outcome: csTasks.outcome,
      note: csTasks.note,
      completedAt: csTasks.completedAt,
      assigneeName: users.name,
    })
    .from(csTasks)
    .leftJoin(users, eq(users.id, csTasks.assigneeId))
    .where(and(eq(csTasks.accountId, accountId), eq(csTasks.status, status)))
    .orderBy(
      ...(status === "open" ? [asc(csTasks.dueAt), asc(csTasks.id)] : [desc(csTasks.completedAt), desc(csTasks.id)]),
    )
    .limit(TASK_LIMIT);
}

export async function account360(
  deps: { db: Database; stripe: Stripe },
  accountId: string,
  context: { organisationAttribution: Record<string, unknown> | null; words: CatalogWords },
  now = new Date(),
) {
  const { organisationAttribution, words } = context;
  const { db } = deps;
  const since = new Date(now.getTime() - (TREND_DAYS - 1) * DAY_MS).toISOString().slice(0, 10);
  const [standingRows, snapshots, override, openTasks, doneTasks, leadRows, staff, services] = await Promise.all([
    db
      .select({
        stage: accountSuccess.stage,
        stageDay: accountSuccess.stageDay,
        healthScore: accountSuccess.healthScore,
        healthBand: accountSuccess.healthBand,
        healthChange7d: accountSuccess.healthChange7d,
        healthChange30d: accountSuccess.healthChange30d,
        healthDroppedAt: accountSuccess.healthDroppedAt,
        mrrMinor: accountSuccess.mrrMinor,
        currency: accountSuccess.currency,
        planSlugs: accountSuccess.planSlugs,
        assignedStaffId: accountSuccess.assignedStaffId,
        assignedName: users.name,
        computedAt: accountSuccess.computedAt,
      })
      .from(accountSuccess)
      .leftJoin(users, eq(users.id, accountSuccess.assignedStaffId))
      .where(eq(accountSuccess.accountId, accountId)),
    db
      .select({
        day: healthSnapshots.day,
        score: healthSnapshots.score,
        computedScore: healthSnapshots.computedScore,
        measures: healthSnapshots.measures,
        profile: healthSnapshots.profile,
      })
      .from(healthSnapshots)
      .where(and(eq(healthSnapshots.accountId, accountId), gte(healthSnapshots.day, since)))
      .orderBy(healthSnapshots.day),
    overrideOnPage(db, accountId, now),
    accountTasks(db, accountId, "open"),
    accountTasks(db, accountId, "done"),
    db
      .select({
        id: leads.id,
        answers: leads.answers,
        verdict: leads.verdict,
        score: leads.score,
        attribution: leads.attribution,
        createdAt: leads.createdAt,
      })
      .from(leads)
      .where(eq(leads.organisationId, accountId))
      .orderBy(desc(leads.createdAt))
      .limit(1),
    staffMembers(db),
    serviceCards(deps, accountId, false, now.getTime()),
  ]);
  const standing = standingRows[0] ?? null;
  const latest = snapshots.at(-1) ?? null;
  const lead = leadRows[0] ?? null;
  const attribution = lead?.attribution ?? organisationAttribution;
  return {
    standing: standing && {
      stage: stageText(standing.stage, standing.stageDay),
      unscored: unscoredText(standing.stage),
      score: standing.healthScore,
      band: standing.healthBand,
      bandLabel: standing.healthBand ? bandLabels[standing.healthBand] : null,
      change7d: changeText(standing.healthChange7d),
      change30d: changeText(standing.healthChange30d),
      droppedAt: standing.healthDroppedAt,
      mrr: standing.currency ? { amount: standing.mrrMinor, currency: standing.currency } : null,
      planNames: standing.planSlugs.map((slug) => planLabel(slug, words.planNames)),
      assignedStaffId: standing.assignedStaffId,
      assignedName: standing.assignedName,
      computedAt: standing.computedAt,
    },
    health: {
      measures: latest ? measureRows(latest.measures) : [],
      profile: latest?.profile ?? null,
      computedScore: latest?.computedScore ?? null,
      trend: snapshots.map((snapshot) => ({ x: shortDay(snapshot.day), y: snapshot.score })),
    },
    override: override && { ...override, bandLabel: bandLabels[override.band] },
    tasks: {
      open: openTasks,
      done: doneTasks.map((task) => ({ ...task, outcomeLabel: task.outcome ? outcomeLabels[task.outcome] : null })),
    },
    lead: lead && {
      id: lead.id,
      verdict: verdictLabels[lead.verdict as keyof typeof verdictLabels] ?? lead.verdict,
      score: lead.score,
      createdAt: lead.createdAt,
      answers: answerRows(lead.answers, words.features),
    },
    attribution: attribution
      ? attributionRows(
          Object.fromEntries(Object.entries(attribution).filter(([key]) => ATTRIBUTION_KEYS.includes(key))),
        )
      : [],
    services: services.cards.map((card) => ({
      instanceId: card.instanceId,
      planName: card.planName,
      state: serviceStateText(card.state),
      users: card.users,
      activeUsers: card.usage?.activeUsers ?? null,
      seatsText: card.usage?.seatsText ?? null,
      meters:
        card.usage?.meters.map((meter) => ({ label: meter.label, text: meter.text, nearLimit: meter.nearLimit })) ?? [],
      checklist: card.checklist,
      requests: card.history.map((request) => ({
        id: request.id,
        operation: operationLabels[request.operation],
        status: statusLabels[request.status],
        failed: request.status === "failed",
        createdAt: request.createdAt,
      })),
    })),
    staff,
  };
}
