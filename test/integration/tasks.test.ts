import type { ActionFunctionArgs, AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import { and, asc, eq } from "drizzle-orm";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, csTasks, playbookRules, serviceInstances, trialOutreach, trials } from "../../db/schema";
import {
  claimTask,
  completeTask,
  listTasks,
  reassignTask,
  snoozeTask,
  taskDetail,
} from "../../app/modules/success/tasks.server";
import * as taskRoute from "../../app/routes/staff.tasks.$taskId";
import * as playbooksRoute from "../../app/routes/staff.playbooks";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { insertPerson } from "../support/people";
import { callRoute, formPost, routeContext, signedIn } from "../support/routes";
import { insertOrganisation } from "../support/success";

type Handler = (args: LoaderFunctionArgs & ActionFunctionArgs) => Promise<unknown>;

let database: TestDatabase;
let context: AppLoadContext;
let accountId: string;
let trialId: string;
let alex: { id: string; name: string };
let bea: { id: string; name: string };
let admin: { id: string; name: string };
let customer: { id: string; name: string };
const DAY = 86_400_000;

beforeAll(async () => {
  database = await createTestDatabase();
  context = routeContext(database, {} as Stripe);
  accountId = await insertOrganisation(database.db, "Tasked Ltd");
  alex = await insertPerson(database.db, "Alex", "staff");
  bea = await insertPerson(database.db, "Bea", "staff");
  admin = await insertPerson(database.db, "Ada", "admin");
  customer = await insertPerson(database.db, "Cus", null);
  const snapshot = { productSlug: "p", planSlug: "team", planName: "Team", seats: 1, limits: {}, features: [] };
  const [instance] = await database.db
    .insert(serviceInstances)
    .values({ accountId, productSlug: "p", planSlug: "team", snapshot: { ...snapshot, trialEndsAt: null } })
    .returning({ id: serviceInstances.id });
  const [trial] = await database.db
    .insert(trials)
    .values({
      accountId,
      productSlug: "p",
      planSlug: "team",
      instanceId: instance!.id,
      endsAt: new Date(Date.now() + 10 * DAY),
      clockStartedAt: new Date(),
    })
    .returning({ id: trials.id });
  trialId = trial!.id;
});
afterAll(async () => {
  await dropTestDatabase(database);
});

/** A task by hand: open, in the team's queue unless `assigneeId`, due in `dueInDays`. */
async function newTask(fields: Partial<typeof csTasks.$inferInsert> & { dueInDays?: number } = {}) {
  const { dueInDays = 1, ...rest } = fields;
  const [task] = await database.db
    .insert(csTasks)
    .values({
      accountId,
      title: "Call the customer.",
      reason: "Because.",
      link: `/staff/accounts/${accountId}`,
      dueAt: new Date(Date.now() + dueInDays * DAY),
      ...rest,
    })
    .returning();
  return task!;
}

const auditOf = (taskId: string) =>
  database.db
    .select({ action: auditEvents.action, actorId: auditEvents.actorId, details: auditEvents.details })
    .from(auditEvents)
    .where(and(eq(auditEvents.subjectType, "cs_task"), eq(auditEvents.subjectId, taskId)))
    .orderBy(asc(auditEvents.occurredAt));

describe("task actions", () => {
  it("claims a queue task once; someone else's task is refused with a sentence", async () => {
    const task = await newTask();
    expect(await claimTask(database.db, task.id, alex)).toEqual({ ok: true });
    expect(await claimTask(database.db, task.id, alex)).toEqual({ ok: true });
    expect(await claimTask(database.db, task.id, bea)).toEqual({
      ok: false,
      status: 409,
      message: "Alex has this task; reassign it to take it over.",
    });
    const [row] = await database.db.select().from(csTasks).where(eq(csTasks.id, task.id));
    expect(row!.assigneeId).toBe(alex.id);
    expect((await auditOf(task.id)).map((e) => [e.action, e.actorId])).toEqual([["task.claimed", alex.id]]);
  });

  it("lets one of two staff claiming the same task at once have it", async () => {
    const task = await newTask();
    const results = await Promise.all([claimTask(database.db, task.id, alex), claimTask(database.db, task.id, bea)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.status === 409)).toHaveLength(1);
    expect(await auditOf(task.id)).toHaveLength(1);
  });

  it("reassigns to staff or the queue, refuses someone not on staff, and audits each move", async () => {
    const task = await newTask({ assigneeId: alex.id });
    expect(await reassignTask(database.db, task.id, alex, bea.id)).toEqual({ ok: true });
    expect(await reassignTask(database.db, task.id, alex, bea.id)).toEqual({ ok: true });
    expect(await reassignTask(database.db, task.id, alex, null)).toEqual({ ok: true });
    expect(await reassignTask(database.db, task.id, alex, customer.id)).toEqual({
      ok: false,
      status: 400,
      message: "Choose a staff member or the team's queue.",
    });
    expect((await auditOf(task.id)).map((e) => e.details)).toEqual([
      { from: alex.id, to: bea.id },
      { from: bea.id, to: null },
    ]);
  });

  it("snoozes by days or to a day, and refuses a day in the past", async () => {
    const task = await newTask();
    const now = new Date("2026-06-10T15:00:00Z");
    expect(await snoozeTask(database.db, task.id, alex, { days: 3 }, now)).toEqual({ ok: true });
    let [row] = await database.db.select().from(csTasks).where(eq(csTasks.id, task.id));
    expect([row!.dueAt, row!.snoozedAt]).toEqual([new Date("2026-06-13T15:00:00Z"), now]);
    expect(await snoozeTask(database.db, task.id, alex, { until: "2026-06-20" }, now)).toEqual({ ok: true });
    [row] = await database.db.select().from(csTasks).where(eq(csTasks.id, task.id));
    expect(row!.dueAt).toEqual(new Date("2026-06-20T00:00:00Z"));
    for (const until of ["2026-06-10", "2026-06-01", "2027-07-01", "2026-06-31"])
      expect(await snoozeTask(database.db, task.id, alex, { until }, now)).toMatchObject({ ok: false, status: 400 });
    const detail = await taskDetail(database.db, task.id, now);
    expect(detail!.history.map((h) => h.text)).toEqual([
      "Alex snoozed it until 13 June 2026.",
      "Alex snoozed it until 20 June 2026.",
    ]);
  });

  it("completes once with an outcome and a note, records the trial's outreach, and refuses a second completion", async () => {
    const task = await newTask({ assigneeId: alex.id, trialId });
    const results = await Promise.all([
      completeTask(database.db, task.id, alex, { outcome: "called", note: "Booked a demo." }),
      completeTask(database.db, task.id, bea, { outcome: "no_answer", note: null }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const [row] = await database.db.select().from(csTasks).where(eq(csTasks.id, task.id));
    expect(row).toMatchObject({ status: "done" });
    expect(await completeTask(database.db, task.id, alex, { outcome: "emailed", note: null })).toMatchObject({
      ok: false,
      status: 409,
      message: expect.stringMatching(/^This task was already completed on .+; nothing changed\.$/),
    });
    expect(await claimTask(database.db, task.id, alex)).toMatchObject({ ok: false, status: 409 });
    expect(await snoozeTask(database.db, task.id, alex, { days: 1 })).toMatchObject({ ok: false, status: 409 });
    const outreach = await database.db.select().from(trialOutreach).where(eq(trialOutreach.trialId, trialId));
    if (row!.outcome === "called")
      expect(outreach).toEqual([
        expect.objectContaining({
          staffId: alex.id,
          via: "called",
          beforeOutcome: true,
          firstContactAt: row!.completedAt,
        }),
      ]);
    else expect(outreach).toEqual([]);
    expect((await auditOf(task.id)).map((e) => e.action)).toEqual(["task.completed"]);
  });

  it("records no outreach for an outcome that reached no one", async () => {
    const other = await insertOrganisation(database.db, "Quiet Ltd");
    const task = await newTask({ accountId: other });
    expect(await completeTask(database.db, task.id, alex, { outcome: "called", note: null })).toEqual({ ok: true });
    const none = await newTask();
    const before = await database.db.select().from(trialOutreach);
    expect(await completeTask(database.db, none.id, alex, { outcome: "no_answer", note: null })).toEqual({ ok: true });
    expect(await database.db.select().from(trialOutreach)).toEqual(before);
  });
});

describe("task lists", () => {
  it("lists mine, the queue, all open (overdue first, then by due date) and done, in keyset pages", async () => {
    const org = await insertOrganisation(database.db, "Listed Ltd");
    const dana = await insertPerson(database.db, "Dana", "staff");
    const now = new Date();
    const made = [];
    for (const [dueInDays, assigneeId] of [
      [3, dana.id],
      [-2, dana.id],
      [0.5, null],
      [-5, null],
      [1, dana.id],
    ] as const)
      made.push(await newTask({ accountId: org, dueInDays, assigneeId, title: `Due in ${dueInDays} days.` }));
    const collect = async (view: "mine" | "queue" | "open" | "done") => {
      const seen: { title: string; overdue: boolean }[] = [];
      let cursor: string | undefined;
      do {
        const page = await listTasks(database.db, { view, cursor, staffId: dana.id, now }, 2);
        seen.push(
          ...page.tasks.filter((t) => t.accountId === org).map((t) => ({ title: t.title, overdue: t.overdue })),
        );
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return seen;
    };
    expect(await collect("mine")).toEqual([
      { title: "Due in -2 days.", overdue: true },
      { title: "Due in 1 days.", overdue: false },
      { title: "Due in 3 days.", overdue: false },
    ]);
    expect((await collect("queue")).map((t) => t.title)).toEqual(["Due in -5 days.", "Due in 0.5 days."]);
    expect((await collect("open")).map((t) => t.title)).toEqual([
      "Due in -5 days.",
      "Due in -2 days.",
      "Due in 0.5 days.",
      "Due in 1 days.",
      "Due in 3 days.",
    ]);
    await completeTask(
      database.db,
      made[0]!.id,
      dana,
      { outcome: "emailed", note: null },
      new Date(now.getTime() - DAY),
    );
    await completeTask(database.db, made[4]!.id, dana, { outcome: "not_needed", note: null }, now);
    expect((await collect("done")).map((t) => t.title)).toEqual(["Due in 1 days.", "Due in 3 days."]);
  });
});

describe("the task page's actions", () => {
  it("answers bad input with 400 and a sentence, a done task with 409, and an unknown one with 404", async () => {
    const cookie = await signedIn(context, alex.id, null);
    const task = await newTask();
    const post = (fields: Record<string, string>, id = task.id) =>
      callRoute(taskRoute.action as Handler, formPost(`/staff/tasks/${id}`, cookie, fields), context, { taskId: id });
    expect(await post({ intent: "explode" })).toMatchObject({ status: 400 });
    expect(await post({ intent: "complete" })).toMatchObject({ status: 400, body: { error: "Choose how it went." } });
    expect(await post({ intent: "snooze", days: "5" })).toMatchObject({
      status: 400,
      body: { error: "Snooze for 1, 3 or 7 days, or choose a day." },
    });
    expect(await post({ intent: "snooze", until: "2001-01-01" })).toMatchObject({ status: 400 });
    expect(await post({ intent: "reassign", to: "nobody" })).toMatchObject({ status: 400 });
    expect(await post({ intent: "claim" })).toMatchObject({ status: 302, location: `/staff/tasks/${task.id}` });
    expect(await post({ intent: "snooze", days: "7" })).toMatchObject({ status: 302 });
    expect(await post({ intent: "complete", outcome: "emailed", note: "Sent the guide." })).toMatchObject({
      status: 302,
    });
    expect(await post({ intent: "complete", outcome: "emailed", note: "Sent the guide." })).toMatchObject({
      status: 409,
    });
    const unknown = "00000000-0000-4000-8000-000000000000";
    expect(await post({ intent: "claim" }, unknown)).toMatchObject({ status: 404 });
    const page = await callRoute(
      taskRoute.loader as Handler,
      new Request(`http://portal.test/staff/tasks/${task.id}`, { headers: { cookie } }),
      context,
      { taskId: task.id },
    );
    expect(page.status).toBe(200);
    const { task: shown } = page.body as Awaited<ReturnType<typeof taskRoute.loader>>;
    expect(shown.history.map((h) => h.text)).toEqual([
      "Alex claimed it.",
      expect.stringMatching(/^Alex snoozed it until \d+ \w+ \d{4}\.$/),
      "Alex completed it: Emailed. Note: Sent the guide.",
    ]);
  });
});

describe("the playbooks page (staff admins)", () => {
  const fields = (overrides: Record<string, string> = {}) => ({
    key: "inactive",
    version: "1",
    name: "No active user for 10 days",
    taskTitle: "Find out why no one is using the product.",
    "param.days": "10",
    dueDays: "2",
    assignTo: "queue",
    enabled: "on",
    ...overrides,
  });

  it("is the admins' only: staff get a 404 and change nothing", async () => {
    const cookie = await signedIn(context, alex.id, null);
    const answer = await callRoute(playbooksRoute.action, formPost("/staff/playbooks", cookie, fields()), context);
    expect(answer.status).toBe(404);
    const [rule] = await database.db.select().from(playbookRules).where(eq(playbookRules.key, "inactive"));
    expect(rule!.version).toBe(1);
  });

  it("saves a rule as its next version, audited; the same save again changes nothing; a stale one is refused", async () => {
    const cookie = await signedIn(context, admin.id, null);
    const post = (values: Record<string, string>) =>
      callRoute(playbooksRoute.action, formPost("/staff/playbooks", cookie, values), context);
    expect(await post(fields({ "param.days": "0" }))).toMatchObject({
      status: 400,
      body: { fieldErrors: { "param.days": "Days without an active user: enter at least 1" } },
    });
    expect(await post(fields({ name: "", dueDays: "x" }))).toMatchObject({
      status: 400,
      body: {
        fieldErrors: { name: "Enter the rule's name", dueDays: "Due after (days): enter a whole number" },
      },
    });
    // A key that is no rule's, even one PostgreSQL could not compare (a NUL byte), is a 404, not a 500.
    expect(await post(fields({ key: "no-such-rule" }))).toMatchObject({ status: 404 });
    expect(await post(fields({ key: "in\u0000active" }))).toMatchObject({ status: 404 });
    expect(await post(fields())).toMatchObject({ status: 302 });
    // A double submission (the same form again) succeeds and changes nothing.
    expect(await post(fields())).toMatchObject({ status: 302 });
    const [rule] = await database.db.select().from(playbookRules).where(eq(playbookRules.key, "inactive"));
    expect(rule).toMatchObject({
      version: 2,
      name: "No active user for 10 days",
      params: { days: 10 },
      dueDays: 2,
      assignTo: "queue",
      enabled: true,
      updatedBy: admin.id,
    });
    // Another tab still holding version 1 with other values.
    expect(await post(fields({ enabled: "" }))).toMatchObject({ status: 409 });
    expect(await post(fields({ version: "2", enabled: "" }))).toMatchObject({ status: 302 });
    const audited = await database.db
      .select({ action: auditEvents.action, details: auditEvents.details })
      .from(auditEvents)
      .where(and(eq(auditEvents.subjectType, "playbook_rule"), eq(auditEvents.subjectId, "inactive")))
      .orderBy(asc(auditEvents.occurredAt));
    expect(audited.map((e) => [e.action, (e.details as { version: number }).version])).toEqual([
      ["playbook.rule_updated", 2],
      ["playbook.rule_updated", 3],
    ]);
    const page = await callRoute(
      playbooksRoute.loader,
      new Request("http://portal.test/staff/playbooks", { headers: { cookie } }),
      context,
    );
    const { rules } = page.body as Awaited<ReturnType<typeof playbooksRoute.loader>>;
    expect(rules.find((r) => r.key === "inactive")).toMatchObject({
      trigger: "No active user for 10 days",
      enabled: false,
      version: 3,
    });
  });
});
