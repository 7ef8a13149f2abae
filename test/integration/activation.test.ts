import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as schema from "../../db/schema";
import {
  activationMilestones,
  auditEvents,
  provisioningRequests,
  serviceInstances,
  trials,
  usageDaily,
  usageDailyEvents,
  usageDailyUsers,
  usageInstanceTraits,
  type Snapshot,
} from "../../db/schema";
import { activationOf, recordMilestones, serviceStart } from "../../app/modules/usage/activation.server";
import { isNearLimit, usageOf } from "../../app/modules/usage/usage-summary.server";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { buyer } from "../support/billing";

// Issue 15, items 4 and 7: milestones from the rollups (inserted here as the rollup job writes
// them), recorded once, the activation share, and usage against the plan's limits.

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await dropTestDatabase(database);
});

const DAY = 24 * 60 * 60 * 1000;
const at = (iso: string) => new Date(iso);
const starterLimits = { projects: 10, storage_gb: 20, api_calls: 10_000 };

function snapshot(planSlug: string, seats: number, limits: Record<string, number | null>): Snapshot {
  return {
    productSlug: "northwind-projects",
    planSlug,
    planName: planSlug,
    seats,
    limits,
    features: [],
    trialEndsAt: null,
  };
}

/**
 * An organisation with one instance of the plan, set up at `provisionedAt` (a succeeded provision
 * request), optionally from a trial started at `trialStartedAt` whose clock waited for staff or not.
 */
async function service(
  name: string,
  options: {
    plan?: string;
    createdAt: Date;
    provisionedAt?: Date;
    trial?: { startedAt: Date; waited: boolean };
    seats?: number;
    limits?: Record<string, number | null>;
  },
) {
  const owner = await buyer(database, `${name}-${randomUUID().slice(0, 8)}`);
  const plan = options.plan ?? "starter";
  const [instance] = await database.db
    .insert(serviceInstances)
    .values({
      accountId: owner.accountId,
      productSlug: "northwind-projects",
      planSlug: plan,
      status: options.provisionedAt ? "active" : "pending",
      snapshot: snapshot(plan, options.seats ?? 5, options.limits ?? starterLimits),
      createdAt: options.createdAt,
    })
    .returning();
  const trialId = randomUUID();
  if (options.trial)
    await database.db.insert(trials).values({
      id: trialId,
      accountId: owner.accountId,
      productSlug: "northwind-projects",
      planSlug: plan,
      instanceId: instance!.id,
      startedAt: options.trial.startedAt,
      lengthDays: 14,
      endsAt: new Date((options.trial.waited ? options.provisionedAt! : options.trial.startedAt).getTime() + 14 * DAY),
    });
  await database.db.insert(provisioningRequests).values({
    accountId: owner.accountId,
    instanceId: instance!.id,
    operation: "provision",
    status: options.provisionedAt ? "succeeded" : "queued",
    provisioner: options.trial?.waited ? "manual" : "demo",
    snapshot: {
      ...snapshot(plan, 5, starterLimits),
      trialEndsAt:
        options.trial && !options.trial.waited
          ? new Date(options.trial.startedAt.getTime() + 14 * DAY).toISOString()
          : null,
    },
    maxAttempts: 5,
    slaDueAt: options.createdAt,
    idempotencyKey: options.trial ? `trial:${trialId}` : `order:${randomUUID()}`,
    createdAt: options.createdAt,
    completedAt: options.provisionedAt ?? null,
  });
  return { ...owner, instanceId: instance!.id };
}

/** Rollup rows as the rollup job writes them: one day's count of a track event, first and last. */
async function tracked(
  s: { instanceId: string; accountId: string },
  event: string,
  firstAt: string,
  count = 1,
  lastAt = firstAt,
) {
  await database.db.insert(usageDailyEvents).values({
    instanceId: s.instanceId,
    accountId: s.accountId,
    day: firstAt.slice(0, 10),
    event,
    count,
    firstAt: at(firstAt),
    lastAt: at(lastAt),
  });
}

/** A day with `activeUsers` users seen (`usage_daily` and `usage_daily_users`). */
async function activeOn(s: { instanceId: string; accountId: string }, day: string, users: string[], seatsInUse = 0) {
  await database.db.insert(usageDaily).values({
    instanceId: s.instanceId,
    accountId: s.accountId,
    day,
    activeUsers: users.length,
    events: users.length,
    seatsInUse,
  });
  if (users.length)
    await database.db
      .insert(usageDailyUsers)
      .values(users.map((userId) => ({ instanceId: s.instanceId, day, userId })));
}

async function milestonesOf(instanceId: string) {
  return database.db.select().from(activationMilestones).where(eq(activationMilestones.instanceId, instanceId));
}

describe("serviceStart", () => {
  const createdAt = at("2026-03-01T10:00:00Z");
  const provisionedAt = at("2026-03-02T09:00:00Z");
  it("is the trial's start when its clock ran from the start", () => {
    expect(
      serviceStart({ createdAt, provisionedAt, trial: { startedAt: createdAt, clockWaitedForSetup: false } }),
    ).toEqual(createdAt);
  });
  it("is the setup's completion for a trial set up by staff and for a bought service", () => {
    expect(
      serviceStart({ createdAt, provisionedAt, trial: { startedAt: createdAt, clockWaitedForSetup: true } }),
    ).toEqual(provisionedAt);
    expect(serviceStart({ createdAt, provisionedAt, trial: null })).toEqual(provisionedAt);
  });
  it("is the instance's creation while it is being set up", () => {
    expect(serviceStart({ createdAt, provisionedAt: null, trial: null })).toEqual(createdAt);
  });
});

describe("activation", () => {
  it("counts progress within each milestone's window, from the right start, and records nothing early", async () => {
    // A Business trial set up by staff a day after it started: windows start at the setup (Mar 2).
    const s = await service("bea", {
      plan: "business",
      createdAt: at("2026-03-01T10:00:00Z"),
      provisionedAt: at("2026-03-02T09:00:00Z"),
      trial: { startedAt: at("2026-03-01T10:00:00Z"), waited: true },
      limits: { projects: null, storage_gb: 1000, api_calls: 1_000_000 },
    });
    await tracked(s, "Project Created", "2026-03-01T12:00:00Z"); // before the start: not counted
    await tracked(s, "Teammate Invited", "2026-03-02T10:00:00Z");
    await tracked(s, "Teammate Invited", "2026-03-20T10:00:00Z"); // after the 14-day window
    await activeOn(s, "2026-03-02", ["u1"]);
    await activeOn(s, "2026-03-05", ["u1", "u2"]);
    await activeOn(s, "2026-03-08", []); // no one active: not an active day
    await activeOn(s, "2026-03-09", ["u2"]); // day 8 of the first week: outside the 7-day window

    expect(await recordMilestones(database.db, [s.instanceId])).toBe(0);
    const activation = (await activationOf(database.db, [s.instanceId])).get(s.instanceId)!;
    expect(activation.startedAt).toEqual(at("2026-03-02T09:00:00Z"));
    expect(activation.windowsEndAt).toEqual(at("2026-03-16T00:00:00Z")); // 14 whole UTC days from Mar 2
    expect(
      activation.milestones.map(({ key, target, progress, reachedAt }) => ({ key, target, progress, reachedAt })),
    ).toEqual([
      { key: "first_project", target: 1, progress: 0, reachedAt: null },
      { key: "two_teammates", target: 2, progress: 1, reachedAt: null },
      { key: "integration", target: 1, progress: 0, reachedAt: null },
      { key: "three_days_first_week", target: 3, progress: 2, reachedAt: null },
    ]);
    expect(activation.milestones[1]).toMatchObject({ title: "Invite 2 teammates", link: expect.any(String) });
    expect(activation).toMatchObject({ reached: 0, share: 0 });
  });

  it("records each milestone once under duplicate and concurrent jobs, at the time the count was reached", async () => {
    const s = await service("cai", {
      createdAt: at("2026-04-01T08:00:00Z"),
      provisionedAt: at("2026-04-01T08:01:00Z"),
      trial: { startedAt: at("2026-04-01T08:00:00Z"), waited: false },
    });
    // One project on day 1: reached at its first (only) event.
    await tracked(s, "Project Created", "2026-04-01T09:15:00Z");
    // Two teammates: one on day 1, then three on day 2 (09:00..17:00): reached by day 2's first event.
    await tracked(s, "Teammate Invited", "2026-04-01T10:00:00Z");
    await tracked(s, "Teammate Invited", "2026-04-02T09:00:00Z", 3, "2026-04-02T17:00:00Z");
    // Active on Apr 1, 3 and 4: the third active day is Apr 4, at its first tracked event.
    await activeOn(s, "2026-04-01", ["u1"]);
    await activeOn(s, "2026-04-03", ["u1"]);
    await activeOn(s, "2026-04-04", ["u2"]);
    await tracked(s, "Project Viewed", "2026-04-04T13:30:00Z", 2, "2026-04-04T15:00:00Z");

    const runs = await Promise.all([
      recordMilestones(database.db, [s.instanceId]),
      recordMilestones(database.db, [s.instanceId, s.instanceId]),
      recordMilestones(database.db, [s.instanceId]),
    ]);
    expect(runs.reduce((a, b) => a + b, 0)).toBe(3);
    expect(await recordMilestones(database.db, [s.instanceId])).toBe(0);

    const rows = await milestonesOf(s.instanceId);
    expect(Object.fromEntries(rows.map((row) => [row.milestoneKey, row.reachedAt.toISOString()]))).toEqual({
      first_project: "2026-04-01T09:15:00.000Z",
      two_teammates: "2026-04-02T09:00:00.000Z",
      three_days_first_week: "2026-04-04T13:30:00.000Z",
    });
    const audits = await database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "activation.milestone_reached"), eq(auditEvents.organisationId, s.accountId)));
    expect(audits).toHaveLength(3);
    expect(audits.every((audit) => audit.actorType === "system" && audit.subjectId === s.instanceId)).toBe(true);
    expect(audits.find((audit) => audit.details.milestone === "two_teammates")?.details).toMatchObject({
      title: "Invite 2 teammates",
      hoursFromStart: 25,
    });

    const activation = (await activationOf(database.db, [s.instanceId])).get(s.instanceId)!;
    expect(activation).toMatchObject({ reached: 3, share: 1 }); // Starter has three milestones
    expect(activation.milestones.map((m) => [m.progress, m.target])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  });

  it("takes a day's last event when the target falls in the middle of a day", async () => {
    const s = await service("dan", {
      createdAt: at("2026-05-10T08:00:00Z"),
      provisionedAt: at("2026-05-10T08:00:30Z"),
    });
    await tracked(s, "Teammate Invited", "2026-05-11T09:00:00Z", 4, "2026-05-11T18:00:00Z");
    expect(await recordMilestones(database.db, [s.instanceId])).toBe(1);
    expect((await milestonesOf(s.instanceId))[0]).toMatchObject({
      milestoneKey: "two_teammates",
      reachedAt: at("2026-05-11T18:00:00Z"),
    });
  });

  it("reads the activation of many instances in a fixed number of queries", async () => {
    const many = [];
    for (let i = 0; i < 12; i++) {
      const s = await service(`many${i}`, {
        createdAt: at("2026-06-01T08:00:00Z"),
        provisionedAt: at("2026-06-01T08:00:00Z"),
      });
      if (i % 2) await tracked(s, "Project Created", "2026-06-02T08:00:00Z");
      many.push(s);
    }
    const count = async (ids: string[]) => {
      let queries = 0;
      const counted = drizzle(database.sql, { schema, logger: { logQuery: () => void queries++ } });
      const activation = await activationOf(counted, ids);
      const summary = await usageOf(counted, ids);
      return { queries, activation, summary };
    };
    const one = await count([many[0]!.instanceId]);
    const all = await count(many.map((s) => s.instanceId));
    expect(all.queries).toBe(one.queries);
    expect(all.activation.size).toBe(12);
    expect(all.summary.size).toBe(12);
    expect([...all.activation.values()].filter((a) => a.milestones[0]!.progress === 1)).toHaveLength(6);
    expect(
      await recordMilestones(
        database.db,
        many.map((s) => s.instanceId),
      ),
    ).toBe(6);
  });
});

describe("usage against the plan", () => {
  it("counts distinct active users over 28 days, seats in use vs bought, and limits with the 80% rule", async () => {
    const now = at("2026-07-30T12:00:00Z");
    const s = await service("eve", {
      plan: "team",
      createdAt: at("2026-06-01T08:00:00Z"),
      provisionedAt: at("2026-06-01T08:00:00Z"),
      seats: 5,
      limits: { projects: 100, storage_gb: 200, api_calls: 100_000 },
    });
    await activeOn(s, "2026-07-02", ["old"], 2); // 28 days before Jul 30 began on Jul 3: not counted
    await activeOn(s, "2026-07-03", ["ann", "bob"], 3);
    await activeOn(s, "2026-07-29", ["ann", "cat"], 4);
    await database.db.insert(usageInstanceTraits).values({
      instanceId: s.instanceId,
      traits: { name: "Eve's", projects: 80, storage_gb: "159.5", api_calls: "lots" },
      asOf: now,
    });
    const summary = (await usageOf(database.db, [s.instanceId], now)).get(s.instanceId)!;
    expect(summary).toEqual({
      instanceId: s.instanceId,
      activeUsers: 3,
      seatsInUse: 4,
      seatsBought: 5,
      limits: [
        { feature: "projects", used: 80, limit: 100, nearLimit: true },
        { feature: "storage_gb", used: 159.5, limit: 200, nearLimit: false },
        { feature: "api_calls", used: null, limit: 100_000, nearLimit: false },
      ],
    });

    const fresh = await service("fay", { createdAt: now, plan: "business", limits: { projects: null } });
    expect((await usageOf(database.db, [fresh.instanceId], now)).get(fresh.instanceId)).toEqual({
      instanceId: fresh.instanceId,
      activeUsers: 0,
      seatsInUse: null,
      seatsBought: 5,
      limits: [{ feature: "projects", used: null, limit: null, nearLimit: false }],
    });
  });

  it("is near a limit from 80%, never for unlimited, and at once for a limit of 0", () => {
    expect(isNearLimit(79, 100)).toBe(false);
    expect(isNearLimit(80, 100)).toBe(true);
    expect(isNearLimit(5_000, null)).toBe(false);
    expect(isNearLimit(1, 0)).toBe(true);
    expect(isNearLimit(0, 0)).toBe(false);
  });
});
