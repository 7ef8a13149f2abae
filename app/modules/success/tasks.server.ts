/**
 * Customer-success tasks (issue 16 item 3): the staff's lists and a task's page, and what staff do
 * with a task — claim, reassign, snooze, complete with an outcome. Each action locks the task,
 * re-checks its state (a done task refuses with a sentence, so two tabs are safe) and is audited in
 * the same transaction as `task.*` on the subject `cs_task`.
 */
import { aliasedTable, and, asc, desc, eq, gt, isNotNull, isNull, lt, or, type SQL } from "drizzle-orm";
import type { Database, DbOrTx } from "#db/client";
import { decodeCursor, encodeCursor } from "#db/keyset-cursor";
import { auditEvents, csTasks, organisations, playbookRules, users, type TaskOutcome } from "#db/schema";
import { recordAudit } from "~/lib/audit.server";
import { longDate } from "~/lib/dates";
import { recordTrialOutreach } from "./outreach.server";
import { outcomeLabels } from "./words";

export type TaskView = "mine" | "queue" | "open" | "done";
export const TASK_PAGE_SIZE = 25;
const DAY = 86_400_000;

/** The start of `now`'s UTC day: a task is overdue once its due day is over. */
function startOfDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/**
 * One page of tasks. `mine`, `queue` and `open` list open tasks by due time, earliest first, so
 * overdue ones come first (each uses its partial index: cs_tasks_assignee_due_idx,
 * cs_tasks_queue_due_idx, cs_tasks_open_due_idx); `done` lists completed tasks, latest first
 * (cs_tasks_done_idx). `cursor` is the last row's sort key from the previous page; an edited one
 * starts again from the first page. Rows carry `overdue` (due before today, UTC).
 */
export async function listTasks(
  db: DbOrTx,
  input: { view: TaskView; cursor?: string | undefined; staffId: string; now: Date },
  pageSize = TASK_PAGE_SIZE,
) {
  const t = csTasks;
  const assignee = aliasedTable(users, "assignee");
  const done = input.view === "done";
  const conditions: SQL[] = [eq(t.status, done ? "done" : "open")];
  if (input.view === "mine") conditions.push(eq(t.assigneeId, input.staffId));
  if (input.view === "queue") conditions.push(isNull(t.assigneeId));
  const cursor = decodeCursor(input.cursor, ["time", "uuid"] as const);
  if (cursor) {
    const [at, id] = cursor;
    conditions.push(
      done
        ? or(lt(t.completedAt, at), and(eq(t.completedAt, at), lt(t.id, id)))!
        : or(gt(t.dueAt, at), and(eq(t.dueAt, at), gt(t.id, id)))!,
    );
  }
  const rows = await db
    .select({
      id: t.id,
      title: t.title,
      reason: t.reason,
      link: t.link,
      dueAt: t.dueAt,
      completedAt: t.completedAt,
      outcome: t.outcome,
      accountId: t.accountId,
      accountName: organisations.name,
      assigneeId: t.assigneeId,
      assigneeName: assignee.name,
    })
    .from(t)
    .innerJoin(organisations, eq(organisations.id, t.accountId))
    .leftJoin(assignee, eq(assignee.id, t.assigneeId))
    .where(and(...conditions))
    .orderBy(...(done ? [desc(t.completedAt), desc(t.id)] : [asc(t.dueAt), asc(t.id)]))
    .limit(pageSize + 1);
  const today = startOfDay(input.now);
  const page = rows.slice(0, pageSize).map((row) => ({ ...row, overdue: !done && row.dueAt < today }));
  const last = page.at(-1);
  return {
    tasks: page,
    nextCursor: rows.length > pageSize && last ? encodeCursor([done ? last.completedAt! : last.dueAt, last.id]) : null,
  };
}

type AuditRow = { action: string; actorName: string | null; details: Record<string, unknown> };

/** One history line in words, from a `task.*` audit event. */
function historyText(event: AuditRow, names: Map<string, string>): string {
  const who = event.actorName ?? "Someone";
  const d = event.details;
  const to = (id: unknown) =>
    typeof id === "string" ? (names.get(id) ?? "a former staff member") : "the team's queue";
  switch (event.action) {
    case "task.created":
      return `The playbook rule “${String(d.ruleName ?? "a rule")}” made this task: ${String(d.reason ?? "")}`;
    case "task.refired":
      return `The rule fired again: ${String(d.reason ?? "")} Now due ${longDate(String(d.dueAt))}.`;
    case "task.claimed":
      return `${who} claimed it.`;
    case "task.reassigned":
      return `${who} gave it to ${to(d.to)}.`;
    case "task.snoozed":
      return `${who} snoozed it until ${longDate(String(d.dueAt))}.`;
    case "task.completed": {
      const outcome = outcomeLabels[d.outcome as TaskOutcome] ?? "Done";
      return `${who} completed it: ${outcome}.${d.note ? ` Note: ${String(d.note)}` : ""}`;
    }
    default:
      return `${who} changed it.`;
  }
}

/**
 * A task with its account, assignee, rule, history (its audit events, oldest first, each a
 * sentence with its time) and the staff it can be given to, or null when there is no such task.
 * `overdue` as in `listTasks`.
 */
export async function taskDetail(db: DbOrTx, taskId: string, now: Date) {
  const assignee = aliasedTable(users, "assignee");
  const completer = aliasedTable(users, "completer");
  const [row] = await db
    .select({
      task: csTasks,
      accountName: organisations.name,
      assigneeName: assignee.name,
      completedByName: completer.name,
      ruleName: playbookRules.name,
    })
    .from(csTasks)
    .innerJoin(organisations, eq(organisations.id, csTasks.accountId))
    .leftJoin(assignee, eq(assignee.id, csTasks.assigneeId))
    .leftJoin(completer, eq(completer.id, csTasks.completedBy))
    .leftJoin(playbookRules, eq(playbookRules.key, csTasks.ruleKey))
    .where(eq(csTasks.id, taskId));
  if (!row) return null;
  const [events, staff] = await Promise.all([
    db
      .select({
        id: auditEvents.id,
        at: auditEvents.occurredAt,
        action: auditEvents.action,
        actorName: users.name,
        details: auditEvents.details,
      })
      .from(auditEvents)
      .leftJoin(users, eq(users.id, auditEvents.actorId))
      .where(and(eq(auditEvents.subjectType, "cs_task"), eq(auditEvents.subjectId, taskId)))
      .orderBy(asc(auditEvents.occurredAt), asc(auditEvents.id)),
    staffChoices(db),
  ]);
  const names = new Map(staff.map((s) => [s.id, s.name]));
  return {
    ...row.task,
    accountName: row.accountName,
    assigneeName: row.assigneeName,
    completedByName: row.completedByName,
    ruleName: row.ruleName,
    overdue: row.task.status === "open" && row.task.dueAt < startOfDay(now),
    history: events.map((event) => ({ id: event.id, at: event.at, text: historyText(event, names) })),
    staff,
  };
}

/** Everyone on staff by name, for "reassign to". */
async function staffChoices(db: DbOrTx) {
  return db
    .select({ id: users.id, name: users.name })
    .from(users)
    .where(isNotNull(users.staffRole))
    .orderBy(asc(users.name), asc(users.id));
}

export type TaskActionResult = { ok: true } | { ok: false; status: 400 | 404 | 409; message: string };
type Staff = { id: string; name: string };
type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];
type TaskRow = typeof csTasks.$inferSelect;

const refuse = (status: 400 | 404 | 409, message: string): TaskActionResult => ({ ok: false, status, message });

/** Runs `action` on the locked task in one transaction; refuses a missing task and (unless told) a done one. */
function withOpenTask(
  db: Database,
  taskId: string,
  action: (tx: Tx, task: TaskRow) => Promise<TaskActionResult>,
): Promise<TaskActionResult> {
  return db.transaction(async (tx) => {
    const [task] = await tx.select().from(csTasks).where(eq(csTasks.id, taskId)).for("update");
    if (!task) return refuse(404, "This task does not exist.");
    if (task.status === "done")
      return refuse(
        409,
        `This task was already completed${task.completedAt ? ` on ${longDate(task.completedAt)}` : ""}; nothing changed.`,
      );
    return action(tx, task);
  });
}

const audit = (tx: Tx, staff: Staff, task: TaskRow, action: string, details: Record<string, unknown>) =>
  recordAudit(tx, { type: "staff", id: staff.id }, action, { type: "cs_task", id: task.id }, details, task.accountId);

/**
 * Assigns a task in the team's queue to `staff`. Claiming one's own task again changes nothing;
 * a task someone else holds is refused (409): reassign it to take it over. Audited `task.claimed`.
 */
export function claimTask(db: Database, taskId: string, staff: Staff, now = new Date()): Promise<TaskActionResult> {
  return withOpenTask(db, taskId, async (tx, task) => {
    if (task.assigneeId === staff.id) return { ok: true };
    if (task.assigneeId) {
      const [holder] = await tx.select({ name: users.name }).from(users).where(eq(users.id, task.assigneeId));
      return refuse(409, `${holder?.name ?? "Another staff member"} has this task; reassign it to take it over.`);
    }
    await tx.update(csTasks).set({ assigneeId: staff.id, updatedAt: now }).where(eq(csTasks.id, task.id));
    await audit(tx, staff, task, "task.claimed", { from: null, to: staff.id });
    return { ok: true };
  });
}

/**
 * Gives a task to a staff member (`to`, a user id) or the team's queue (`to` null). The same
 * assignee again changes nothing; someone not on staff is refused (400). Audited `task.reassigned`.
 */
export function reassignTask(
  db: Database,
  taskId: string,
  staff: Staff,
  to: string | null,
  now = new Date(),
): Promise<TaskActionResult> {
  return withOpenTask(db, taskId, async (tx, task) => {
    if (task.assigneeId === to) return { ok: true };
    if (to) {
      const [member] = await tx
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.id, to), isNotNull(users.staffRole)));
      if (!member) return refuse(400, "Choose a staff member or the team's queue.");
    }
    await tx.update(csTasks).set({ assigneeId: to, updatedAt: now }).where(eq(csTasks.id, task.id));
    await audit(tx, staff, task, "task.reassigned", { from: task.assigneeId, to });
    return { ok: true };
  });
}

/** The latest day a task may be snoozed to, counted from today: a year. */
export const MAX_SNOOZE_DAYS = 365;

/**
 * Moves a task's due time: `days` from now (1, 3 or 7 in the form), or to the start (UTC) of the
 * day `until` ("2026-12-24"), which must be after today and within MAX_SNOOZE_DAYS (else 400).
 * Sets `snoozed_at`. Audited `task.snoozed` with the old and new due times.
 */
export function snoozeTask(
  db: Database,
  taskId: string,
  staff: Staff,
  input: { days: number } | { until: string },
  now = new Date(),
): Promise<TaskActionResult> {
  let dueAt: Date;
  if ("days" in input) dueAt = new Date(now.getTime() + input.days * DAY);
  else {
    dueAt = new Date(`${input.until}T00:00:00.000Z`);
    const today = startOfDay(now).getTime();
    // A day that does not exist ("2026-06-31") reads as another in Date; the round trip refuses it.
    const real = !Number.isNaN(dueAt.getTime()) && dueAt.toISOString().slice(0, 10) === input.until;
    if (!real || dueAt.getTime() <= today || dueAt.getTime() > today + MAX_SNOOZE_DAYS * DAY)
      return Promise.resolve(refuse(400, "Choose a day after today and within a year."));
  }
  return withOpenTask(db, taskId, async (tx, task) => {
    await tx.update(csTasks).set({ dueAt, snoozedAt: now, updatedAt: now }).where(eq(csTasks.id, task.id));
    await audit(tx, staff, task, "task.snoozed", { from: task.dueAt, dueAt });
    return { ok: true };
  });
}

/**
 * Completes a task with an outcome and an optional plain-text note. Called or emailed about an
 * account with a trial records the trial's outreach (`recordTrialOutreach`, issue 16 item 4) in the
 * same transaction. A task already done is refused (409). Audited `task.completed`.
 */
export function completeTask(
  db: Database,
  taskId: string,
  staff: Staff,
  input: { outcome: TaskOutcome; note: string | null },
  now = new Date(),
): Promise<TaskActionResult> {
  return withOpenTask(db, taskId, async (tx, task) => {
    await tx
      .update(csTasks)
      .set({
        status: "done",
        outcome: input.outcome,
        note: input.note,
        completedBy: staff.id,
        completedAt: now,
        updatedAt: now,
      })
      .where(eq(csTasks.id, task.id));
    if (input.outcome === "called" || input.outcome === "emailed")
      await recordTrialOutreach(tx, {
        accountId: task.accountId,
        staffId: staff.id,
        via: input.outcome,
        at: now,
        trialId: task.trialId,
      });
    await audit(tx, staff, task, "task.completed", { outcome: input.outcome, note: input.note });
    return { ok: true };
  });
}
