import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, csTasks, playbookRules, playbookStates, serviceInstances, trials } from "../../db/schema";
import type { AccountFacts } from "../../app/modules/success/facts";
import { evaluatePlaybooks } from "../../app/modules/success/playbooks.server";
import { playbookTemplate } from "../../app/modules/success/playbook-template";
import { completeTask } from "../../app/modules/success/tasks.server";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { insertPerson } from "../support/people";
import { accountFacts, insertOrganisation } from "../support/success";

let database: TestDatabase;
let staff: { id: string; name: string };
const DAY = 86_400_000;
const HOUR = 3_600_000;

beforeAll(async () => {
  database = await createTestDatabase();
  staff = await insertPerson(database.db, "Casey", "staff");
});
afterAll(async () => {
  await dropTestDatabase(database);
});

/** One evaluation in its own transaction, as the job runs it. */
const evaluate = (facts: AccountFacts[], now: Date) =>
  database.db.transaction((tx) => evaluatePlaybooks(tx, facts, now));

const tasksOf = (accountId: string) =>
  database.db.select().from(csTasks).where(eq(csTasks.accountId, accountId)).orderBy(asc(csTasks.createdAt));

describe("playbook rules fire on entering a state", () => {
  it("preloads the 30-60-90 template from the migration, exactly as playbook-template.ts has it", async () => {
    const rows = await database.db.select().from(playbookRules).orderBy(asc(playbookRules.position));
    expect(
      rows.map(({ key, name, trigger, params, taskTitle, dueDays, assignTo, position, enabled, version }) => ({
        key,
        name,
        trigger,
        params,
        taskTitle,
        dueDays,
        assignTo,
        position,
        enabled,
        version,
      })),
    ).toEqual(playbookTemplate.map((rule) => ({ ...rule, enabled: true, version: 1 })));
  });

  it("fires once on entry, does nothing while the state lasts, and updates its open task on a second firing", async () => {
    const accountId = await insertOrganisation(database.db, "Failing Ltd");
    const t0 = new Date("2026-05-04T09:00:00Z");
    const failing = (since: Date) =>
      accountFacts(accountId, {
        assignedStaffId: staff.id,
        payment: { failingSince: since, worstStatus: "failing" },
      });
    expect(await evaluate([failing(t0)], t0)).toBe(1);
    expect(await evaluate([failing(t0)], new Date(t0.getTime() + DAY))).toBe(0);
    let [task, ...others] = await tasksOf(accountId);
    expect(others).toEqual([]);
    expect(task).toMatchObject({
      ruleKey: "payment-failing",
      title: "Help the customer fix the failing payment.",
      reason: "A payment has been failing since 4 May 2026.",
      link: `/staff/accounts/${accountId}`,
      assigneeId: staff.id,
      status: "open",
      fireCount: 1,
      dueAt: new Date(t0.getTime() + DAY),
    });

    // The payment recovers (leaving: left_at), then fails again while the task is still open.
    const t2 = new Date(t0.getTime() + 2 * DAY);
    expect(await evaluate([accountFacts(accountId)], t2)).toBe(0);
    const [left] = await database.db.select().from(playbookStates).where(eq(playbookStates.accountId, accountId));
    expect(left).toMatchObject({ inState: false, leftAt: t2, enteredAt: t0 });
    const t3 = new Date(t0.getTime() + 5 * DAY);
    expect(await evaluate([failing(t3)], t3)).toBe(0);
    [task, ...others] = await tasksOf(accountId);
    expect(others).toEqual([]);
    expect(task).toMatchObject({
      fireCount: 2,
      reason: "A payment has been failing since 9 May 2026.",
      dueAt: new Date(t3.getTime() + DAY),
      status: "open",
    });
    const audited = await database.db
      .select({ action: auditEvents.action, actorType: auditEvents.actorType })
      .from(auditEvents)
      .where(and(eq(auditEvents.subjectType, "cs_task"), eq(auditEvents.subjectId, task!.id)))
      .orderBy(asc(auditEvents.occurredAt));
    expect(audited).toEqual([
      { action: "task.created", actorType: "system" },
      { action: "task.refired", actorType: "system" },
    ]);
  });

  it("fires again after leaving and re-entering once its task is done: a second task", async () => {
    const accountId = await insertOrganisation(database.db, "Again Ltd");
    const t0 = new Date("2026-05-04T09:00:00Z");
    const failing = accountFacts(accountId, { payment: { failingSince: t0, worstStatus: "past_due" } });
    expect(await evaluate([failing], t0)).toBe(1);
    const [first] = await tasksOf(accountId);
    // No assigned staff member: the team's queue.
    expect(first!.assigneeId).toBeNull();
    expect(await completeTask(database.db, first!.id, staff, { outcome: "emailed", note: null })).toEqual({ ok: true });
    expect(await evaluate([accountFacts(accountId)], new Date(t0.getTime() + DAY))).toBe(0);
    expect(await evaluate([failing], new Date(t0.getTime() + 3 * DAY))).toBe(1);
    const tasks = await tasksOf(accountId);
    expect(tasks.map((t) => [t.status, t.fireCount])).toEqual([
      ["done", 1],
      ["open", 1],
    ]);
  });

  it("creates one task when two evaluations of the same account race", async () => {
    const accountId = await insertOrganisation(database.db, "Race Ltd");
    const now = new Date("2026-05-04T09:00:00Z");
    const facts = accountFacts(accountId, { payment: { failingSince: now, worstStatus: "failing" } });
    const created = await Promise.all([evaluate([facts], now), evaluate([facts], now), evaluate([facts], now)]);
    expect(created.reduce((a, b) => a + b, 0)).toBe(1);
    expect((await tasksOf(accountId)).map((t) => t.fireCount)).toEqual([1]);
  });

  it("leaves a disabled rule alone and sends a queue rule's task to the team's queue", async () => {
    const accountId = await insertOrganisation(database.db, "Queue Ltd");
    const now = new Date("2026-05-04T09:00:00Z");
    await database.db.update(playbookRules).set({ enabled: false }).where(eq(playbookRules.key, "payment-failing"));
    try {
      const facts = accountFacts(accountId, {
        assignedStaffId: staff.id,
        payment: { failingSince: now, worstStatus: "failing" },
        setup: { failedSince: now, waitingCustomerSince: null, waitingStaffSince: null },
      });
      expect(await evaluate([facts], now)).toBe(1);
      const tasks = await tasksOf(accountId);
      expect(tasks.map((t) => [t.ruleKey, t.subject, t.assigneeId])).toEqual([["setup-stuck", "failed", null]]);
    } finally {
      await database.db.update(playbookRules).set({ enabled: true }).where(eq(playbookRules.key, "payment-failing"));
    }
  });
});

describe("the 30-60-90 template over 100 days", () => {
  it("creates exactly the expected tasks for a hand-made account on a simulated clock", async () => {
    const accountId = await insertOrganisation(database.db, "Hundred Days Ltd");
    const base = new Date("2026-03-02T00:00:00Z");
    const at = (day: number, hours = 0) => new Date(base.getTime() + day * DAY + hours * HOUR);
    const snapshot = {
      productSlug: "p",
      planSlug: "team",
      planName: "Team",
      seats: 10,
      limits: {},
      features: [],
      trialEndsAt: null,
    };
    const [instance] = await database.db
      .insert(serviceInstances)
      .values({ accountId, productSlug: "p", planSlug: "team", snapshot })
      .returning({ id: serviceInstances.id });
    const [trial] = await database.db
      .insert(trials)
      .values({
        accountId,
        productSlug: "p",
        planSlug: "team",
        instanceId: instance!.id,
        startedAt: at(0),
        endsAt: at(14),
        clockStartedAt: at(0),
      })
      .returning({ id: trials.id });

    // The product is used every day from day 1, except for a week's silence after day 50.
    const lastActiveDay = (day: number) => (day >= 51 && day <= 57 ? 50 : day);
    const paymentFailingSince = (day: number) => (day >= 40 && day <= 42 ? at(40, 3) : day === 45 ? at(45, 3) : null);
    const factsOn = (day: number): AccountFacts => {
      const paid = day >= 14;
      const failing = paymentFailingSince(day);
      return accountFacts(accountId, {
        name: "Hundred Days Ltd",
        createdAt: at(0),
        now: at(day, 8),
        assignedStaffId: staff.id,
        trial: {
          id: trial!.id,
          planSlug: "team",
          status: paid ? "converted" : "active",
          startedAt: at(0),
          clockStartedAt: at(0),
          endsAt: at(14),
          manualSetup: false,
        },
        firstPaidAt: paid ? at(14, 6) : null,
        serviceStartedAt: at(0),
        subscriptions: paid
          ? [
              {
                id: "sub_annual",
                status: failing ? "past_due" : "active",
                planSlug: "team",
                quantity: 10,
                interval: "year",
                mrrMinor: 10_000,
                currency: "eur",
                // Stripe's period end (a billing anchor it chose), not 365 days after the payment.
                currentPeriodEnd: at(150),
                paymentFailedAt: failing,
                cancelAtPeriodEnd: false,
                endedAt: null,
              },
            ]
          : [],
        milestones: {
          planned: 5,
          reached: day >= 9 ? 3 : day >= 6 ? 2 : day >= 4 ? 1 : 0,
          lastReachedAt: day >= 4 ? at(4) : null,
        },
        usage: {
          hasData: day >= 1,
          activeUsers28d: day >= 1 ? 3 : 0,
          seatsBought: 10,
          activeDays28d: 20,
          featuresUsed28d: 4,
          featuresEverUsed: 6,
          lastActiveAt: day >= 1 ? at(lastActiveDay(day), 7) : null,
          maxLimitShare: day >= 80 ? 0.85 : 0.4,
        },
        setup: {
          failedSince: null,
          waitingCustomerSince: day >= 15 && day <= 20 ? at(15, 2) : null,
          waitingStaffSince: null,
        },
        payment: { failingSince: failing, worstStatus: failing ? "failing" : "ok" },
        signals: {
          pricingViewedAt: null,
          billingViewedAt: null,
          upgradePreviewAt: day >= 84 ? at(84, 10) : null,
          checkoutOpenedAt: null,
          checkoutUnpaid: false,
        },
      });
    };

    let created = 0;
    for (let day = 0; day <= 100; day++) created += await evaluate([factsOn(day)], at(day, 8));

    const dayOf = (value: Date) => Math.floor((value.getTime() - base.getTime()) / DAY);
    const tasks = await database.db
      .select()
      .from(csTasks)
      .innerJoin(playbookRules, eq(playbookRules.key, csTasks.ruleKey))
      .where(eq(csTasks.accountId, accountId))
      .orderBy(asc(csTasks.createdAt), asc(playbookRules.position));
    expect(
      tasks.map(({ cs_tasks: t }) => ({
        title: t.title,
        firedOnDay: dayOf(t.createdAt),
        dueOnDay: dayOf(t.dueAt),
        fireCount: t.fireCount,
        assignee: t.assigneeId === staff.id ? "Casey" : "queue",
      })),
    ).toEqual([
      { title: "Send the new trial a welcome email.", firedOnDay: 0, dueOnDay: 0, fireCount: 1, assignee: "Casey" },
      {
        title: "Help the trial reach its first milestone.",
        firedOnDay: 2,
        dueOnDay: 3,
        fireCount: 1,
        assignee: "Casey",
      },
      { title: "Call the trial: it is ready to buy.", firedOnDay: 11, dueOnDay: 11, fireCount: 1, assignee: "Casey" },
      { title: "Book the onboarding call.", firedOnDay: 14, dueOnDay: 16, fireCount: 1, assignee: "Casey" },
      {
        title: "Help the customer get the setup finished.",
        firedOnDay: 17,
        dueOnDay: 17,
        fireCount: 1,
        assignee: "queue",
      },
      { title: "Check in with the customer at day 30.", firedOnDay: 30, dueOnDay: 32, fireCount: 1, assignee: "Casey" },
      // Failing on days 40-42, then again on day 45 while its task is open: the same task, due anew.
      {
        title: "Help the customer fix the failing payment.",
        firedOnDay: 40,
        dueOnDay: 46,
        fireCount: 2,
        assignee: "Casey",
      },
      {
        title: "Find out why no one is using the product.",
        firedOnDay: 57,
        dueOnDay: 58,
        fireCount: 1,
        assignee: "Casey",
      },
      { title: "Check in with the customer at day 60.", firedOnDay: 60, dueOnDay: 62, fireCount: 1, assignee: "Casey" },
      {
        title: "Help the customer get their unused users started.",
        firedOnDay: 74,
        dueOnDay: 77,
        fireCount: 1,
        assignee: "Casey",
      },
      // Near a limit from day 80; the upgrade preview on day 84 keeps it in the same state.
      {
        title: "Talk to the customer about a larger plan.",
        firedOnDay: 80,
        dueOnDay: 82,
        fireCount: 1,
        assignee: "Casey",
      },
      { title: "Check in with the customer at day 90.", firedOnDay: 90, dueOnDay: 92, fireCount: 1, assignee: "Casey" },
      // Stripe's period ends on day 150: 60 days before is day 90.
      {
        title: "Prepare the annual renewal with the customer.",
        firedOnDay: 90,
        dueOnDay: 97,
        fireCount: 1,
        assignee: "Casey",
      },
    ]);
    expect(created).toBe(13);
    const trialTasks = tasks.filter(({ cs_tasks: t }) => t.trialId === trial!.id).map(({ cs_tasks: t }) => t.ruleKey);
    expect(trialTasks).toEqual(["trial-welcome", "trial-no-milestone", "trial-ready-to-buy"]);
  });
});
