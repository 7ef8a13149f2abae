import { randomUUID } from "node:crypto";
import fc from "fast-check";
import type { Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rollUpUsage } from "../../app/modules/usage/rollup.server";
import { ACTIVATION_TASK } from "../../app/modules/usage/tasks";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { insertRawEvents, settleRollups, type RawEvent } from "../support/usage";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await dropTestDatabase(database);
});

const DAY_MS = 24 * 60 * 60 * 1000;
const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
let messageSeq = 0;
const nextMessageId = () => `m-${++messageSeq}`;

function instance() {
  return { instanceId: randomUUID(), accountId: randomUUID() };
}

/**
 * Each daily table as the rollup wrote it, next to the same figures counted afresh from `usage_events`,
 * for the given instances (each property run has its own, so a failing run shrinks on its own).
 */
async function rollupsAndRecount(sql: Sql, instanceIds: string[]) {
  const mine = sql`instance_id = any(${instanceIds}::uuid[])`;
  const dailyEvents = await sql`
    select instance_id, account_id, day::text, event, count, first_at, last_at from usage_daily_events where ${mine}
    order by instance_id, day, event`;
  const dailyEventsRecount = await sql`
    select instance_id, account_id, (occurred_at at time zone 'UTC')::date::text as day, event, count(*)::int as count,
      min(occurred_at) as first_at, max(occurred_at) as last_at
    from usage_events where ${mine} and type = 'track' group by instance_id, account_id, 3, event order by instance_id, day, event`;
  const dailyUsers =
    await sql`select instance_id, day::text, user_id from usage_daily_users where ${mine} order by 1, 2, 3`;
  const dailyUsersRecount = await sql`
    select distinct instance_id, (occurred_at at time zone 'UTC')::date::text as day, user_id
    from usage_events where ${mine} and user_id is not null order by 1, 2, 3`;
  const users =
    await sql`select instance_id, user_id, first_seen_at, last_seen_at from usage_users where ${mine} order by 1, 2`;
  const usersRecount = await sql`
    select instance_id, user_id, min(occurred_at) as first_seen_at, max(occurred_at) as last_seen_at
    from usage_events where ${mine} and user_id is not null group by 1, 2 order by 1, 2`;
  const daily = await sql`
    select instance_id, account_id, day::text, active_users, events, seats_in_use from usage_daily where ${mine} order by 1, 3`;
  const dailyRecount = await sql`
    with firsts as (
      select instance_id, user_id, min(occurred_at) as first_at from usage_events where ${mine} and user_id is not null group by 1, 2
    ),
    days as (
      select instance_id, account_id, (occurred_at at time zone 'UTC')::date as day,
        count(distinct user_id)::int as active_users, count(*)::int as events
      from usage_events where ${mine} group by 1, 2, 3
    )
    select d.instance_id, d.account_id, d.day::text, d.active_users, d.events,
      (select count(*) from firsts f where f.instance_id = d.instance_id
         and f.first_at < (d.day + 1)::timestamp at time zone 'UTC')::int as seats_in_use
    from days d order by 1, 3`;
  return {
    rolledUp: { dailyEvents, dailyUsers, users, daily },
    recount: {
      dailyEvents: dailyEventsRecount,
      dailyUsers: dailyUsersRecount,
      users: usersRecount,
      daily: dailyRecount,
    },
  };
}

/** Runs `insert` in a transaction left open until the returned `commit` is called. */
async function openTransaction(sql: Sql, insert: (tx: Sql) => Promise<void>) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let inserted!: () => void;
  const ready = new Promise<void>((resolve) => (inserted = resolve));
  const done = sql.begin(async (tx) => {
    await insert(tx as unknown as Sql);
    inserted();
    await released;
  });
  await ready;
  return async () => {
    release();
    await done;
  };
}

const EVENT_NAMES = ["Project Created", "Teammate Invited", "Integration Connected", "Project Viewed"];

const genEvent = fc.record({
  instance: fc.integer({ min: 0, max: 2 }),
  daysAgo: fc.integer({ min: 0, max: 40 }),
  secondOfDay: fc.integer({ min: 0, max: 86_399 }),
  type: fc.constantFrom<RawEvent["type"]>("track", "track", "identify", "group"),
  event: fc.constantFrom(...EVENT_NAMES),
  user: fc.option(fc.constantFrom("u1", "u2", "u3", "u4", "u5"), { nil: null }),
  backfill: fc.boolean(),
});
type GenEvent = typeof genEvent extends fc.Arbitrary<infer T> ? T : never;

/** A step: a batch of events, and how it commits relative to the rollup runs around it. */
const step = fc.record({
  events: fc.array(genEvent, { minLength: 1, maxLength: 12 }),
  how: fc.constantFrom("committed", "concurrently", "left open over a run", "during a run"),
});

function toRaw(e: GenEvent, ids: { instanceId: string; accountId: string }): RawEvent {
  return {
    ...ids,
    messageId: nextMessageId(),
    type: e.type,
    event: e.type === "track" ? e.event : null,
    userId: e.type === "group" ? null : (e.user ?? (e.type === "identify" ? "u1" : null)),
    occurredAt: new Date(today - e.daysAgo * DAY_MS + e.secondOfDay * 1000),
    properties:
      e.type === "group" ? { groupId: "g", projects: e.secondOfDay } : e.type === "identify" ? { name: "N" } : {},
    backfill: e.backfill,
  };
}

describe("the usage rollup", () => {
  it("equals a recount of the raw events, however the events were committed and however often it ran", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 25 }),
        async (steps, chunkEvents) => {
          // New instances each run, so the activated set is this run's alone.
          const instances = [instance(), instance(), instance()];
          const expectedActivated = new Set<string>();
          const activated = new Set<string>();
          const run = async () => {
            for (const id of (await rollUpUsage(database.db, { chunkEvents })).instanceIds) activated.add(id);
          };
          let pendingCommit: (() => Promise<void>) | null = null;
          for (const { events, how } of steps) {
            const raw = events.map((e) => toRaw(e, instances[e.instance]!));
            for (const e of raw) if (e.type === "track" && !e.backfill) expectedActivated.add(e.instanceId);
            const half = Math.ceil(raw.length / 2);
            if (how === "committed") {
              await insertRawEvents(database.sql, raw);
            } else if (how === "concurrently") {
              await Promise.all([
                database.sql.begin((tx) => insertRawEvents(tx as unknown as Sql, raw.slice(0, half))),
                database.sql.begin((tx) => insertRawEvents(tx as unknown as Sql, raw.slice(half))),
              ]);
            } else if (how === "during a run") {
              await Promise.all([insertRawEvents(database.sql, raw), run()]);
            } else {
              await pendingCommit?.();
              pendingCommit = await openTransaction(database.sql, (tx) => insertRawEvents(tx, raw));
            }
            await run();
          }
          await pendingCommit?.();
          const settled = await settleRollups(database, { chunkEvents });
          for (const id of settled.instanceIds) activated.add(id);

          const { rolledUp, recount } = await rollupsAndRecount(
            database.sql,
            instances.map((i) => i.instanceId),
          );
          expect(rolledUp).toEqual(recount);
          expect([...activated].sort()).toEqual([...expectedActivated].sort());
        },
      ),
      { numRuns: 25 },
    );
  });

  it("counts an event whose transaction began before a run and committed after it (the watermark rule)", async () => {
    const ids = instance();
    const at = new Date(today + 3_600_000);
    const commitEarly = await openTransaction(database.sql, (tx) =>
      insertRawEvents(tx, [
        { ...ids, messageId: nextMessageId(), type: "track", event: "Project Created", userId: "a", occurredAt: at },
      ]),
    );
    // A later transaction commits first: its tx id is above the open one's, so it waits for it too.
    await insertRawEvents(database.sql, [
      { ...ids, messageId: nextMessageId(), type: "track", event: "Project Created", userId: "b", occurredAt: at },
    ]);
    const during = await rollUpUsage(database.db);
    expect(during.events).toBe(0);
    await commitEarly();
    const after = await settleRollups(database);
    expect(after).toEqual({ events: 2, instanceIds: [ids.instanceId] });
    const [row] = await database.sql`select count, active_users, seats_in_use from usage_daily_events
      join usage_daily using (instance_id, day) where instance_id = ${ids.instanceId}`;
    expect(row).toEqual({ count: 2, active_users: 2, seats_in_use: 2 });
  });

  it("counts backfill events but hands only instances with new live track events to the activation job", async () => {
    const live = instance();
    const history = instance();
    const old = new Date(today - 60 * DAY_MS);
    await insertRawEvents(database.sql, [
      {
        ...history,
        messageId: nextMessageId(),
        type: "track",
        event: "Project Created",
        userId: "h",
        occurredAt: old,
        backfill: true,
      },
      {
        ...live,
        messageId: nextMessageId(),
        type: "identify",
        userId: "l",
        occurredAt: new Date(today),
        properties: { name: "L" },
      },
      {
        ...live,
        messageId: nextMessageId(),
        type: "track",
        event: "Project Created",
        userId: "l",
        occurredAt: new Date(today),
      },
    ]);
    const result = await settleRollups(database);
    expect(result).toEqual({ events: 3, instanceIds: [live.instanceId] });
    const [counted] =
      await database.sql`select count from usage_daily_events where instance_id = ${history.instanceId}`;
    expect(counted).toEqual({ count: 1 });
    const jobs = await database.sql<{ payload: { instanceIds: string[] } }[]>`
      select j.payload from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
      where t.identifier = ${ACTIVATION_TASK} and j.payload::jsonb -> 'instanceIds' ? ${live.instanceId}`;
    expect(jobs.map((job) => job.payload)).toEqual([{ instanceIds: [live.instanceId] }]);
    const anyForHistory = await database.sql`
      select 1 from graphile_worker._private_jobs j where j.payload::jsonb -> 'instanceIds' ? ${history.instanceId}`;
    expect(anyForHistory).toHaveLength(0);
  });

  it("keeps the newest group traits: an older call only fills traits not known yet, never overwrites", async () => {
    const ids = instance();
    const group = (hoursAgo: number, traits: Record<string, unknown>): RawEvent => ({
      ...ids,
      messageId: nextMessageId(),
      type: "group",
      occurredAt: new Date(today - hoursAgo * 3_600_000),
      properties: { groupId: ids.instanceId, ...traits },
    });
    const traits = async () => {
      const [row] = await database.sql<{ traits: unknown; as_of: string }[]>`
        select traits, as_of from usage_instance_traits where instance_id = ${ids.instanceId}`;
      return { traits: row?.traits, as_of: row && new Date(row.as_of) };
    };

    // One run, sent newest first: the newer call still wins.
    await insertRawEvents(database.sql, [group(2, { name: "Acme", projects: 5 }), group(3, { projects: 4 })]);
    await settleRollups(database);
    expect(await traits()).toEqual({ traits: { name: "Acme", projects: 5 }, as_of: new Date(today - 2 * 3_600_000) });

    // A later run with an older call: fills storage_gb, leaves projects and the as-of alone.
    await insertRawEvents(database.sql, [group(10, { projects: 1, storage_gb: 2 })]);
    await settleRollups(database);
    expect(await traits()).toEqual({
      traits: { name: "Acme", projects: 5, storage_gb: 2 },
      as_of: new Date(today - 2 * 3_600_000),
    });

    // A newer call overwrites what it carries.
    await insertRawEvents(database.sql, [group(1, { projects: 6, api_calls: 100 })]);
    await settleRollups(database);
    expect(await traits()).toEqual({
      traits: { name: "Acme", projects: 6, storage_gb: 2, api_calls: 100 },
      as_of: new Date(today - 3_600_000),
    });
  });

  it("merges identify traits, later calls winning, and takes a transaction bigger than a chunk whole", async () => {
    const ids = instance();
    const identify = (minute: number, traits: Record<string, unknown>): RawEvent => ({
      ...ids,
      messageId: nextMessageId(),
      type: "identify",
      userId: "ada",
      occurredAt: new Date(today + minute * 60_000),
      properties: traits,
    });
    await insertRawEvents(database.sql, [
      identify(5, { email: "ada@new.test" }),
      identify(1, { name: "Ada", email: "ada@old.test" }),
      identify(3, { name: "Ada L." }),
    ]);
    const result = await settleRollups(database, { chunkEvents: 1 });
    expect(result.events).toBe(3);
    const [user] = await database.sql<{ traits: unknown; first_seen_at: string; last_seen_at: string }[]>`
      select traits, first_seen_at, last_seen_at from usage_users where instance_id = ${ids.instanceId} and user_id = 'ada'`;
    expect(user?.traits).toEqual({ name: "Ada L.", email: "ada@new.test" });
    expect([new Date(user!.first_seen_at), new Date(user!.last_seen_at)]).toEqual([
      new Date(today + 60_000),
      new Date(today + 5 * 60_000),
    ]);
  });
});
