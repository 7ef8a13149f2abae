import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../app/lib/logger.server";
import { issueIngestKey } from "../../app/modules/usage/ingest-keys.server";
import { UsageIngest, type UsageRow } from "../../app/modules/usage/ingest.server";
import { connectDb } from "../../db/client";
import { organisations, serviceInstances } from "../../db/schema";
import { usageIngest } from "../../server/usage-ingest";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { teamSnapshot } from "../support/usage";

/** Contract tests of the usage ingest API (docs/usage-api.md) against a real server and database. */

let database: TestDatabase;
const servers: { server: Server; close: () => void }[] = [];
let url: string;

/** Serves the API on a port of its own; closed after the tests. */
async function serve(options: Partial<Parameters<typeof usageIngest>[0]> = {}): Promise<string> {
  const api = usageIngest({ sql: database.sql, logger: createLogger("silent"), ...options });
  const server = createServer(api.handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push({ server, close: api.close });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An organisation with an active service instance and its ingest key. */
async function instance(status: "active" | "deprovisioned" = "active") {
  const [org] = await database.db
    .insert(organisations)
    .values({ name: `Usage ${randomUUID()}` })
    .returning();
  const [row] = await database.db
    .insert(serviceInstances)
    .values({
      accountId: org!.id,
      productSlug: "demo",
      planSlug: "team",
      status,
      snapshot: teamSnapshot("demo"),
    })
    .returning();
  const issued = await issueIngestKey(database.db, row!.id, { type: "system", id: null });
  return { instanceId: row!.id, accountId: org!.id, key: issued.key };
}

const eventCount = async (instanceId: string) => {
  const [row] = await database.sql<{ count: number }[]>`
    select count(*)::int as count from usage_events where instance_id = ${instanceId}`;
  return row!.count;
};

/** What the API answered: its status, headers and JSON body (results or error). */
type Answer = {
  status: number;
  headers: Headers;
  body: { results: { messageId: string | null; status: string; reason?: string }[]; error: string };
};

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString("base64")}`;

async function post(path: string, body: unknown, key: string | null, base = url): Promise<Answer> {
  const response = await fetch(`${base}/api/v1/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(key ? { Authorization: basic(key) } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer["body"] };
}

const track = (messageId: string, fields: Record<string, unknown> = {}) => ({
  type: "track",
  messageId,
  userId: "u1",
  event: "Project Created",
  ...fields,
});
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
const statuses = (body: { results: { status: string }[] }) => body.results.map((result) => result.status);

beforeAll(async () => {
  database = await createTestDatabase();
  url = await serve();
});
afterAll(async () => {
  for (const { server, close } of servers) {
    close();
    await new Promise((resolve) => server.close(resolve));
  }
  await dropTestDatabase(database);
});

describe("the usage ingest API", () => {
  it("accepts each call, stores the event for the key's instance and account, and queues the rollup", async () => {
    const { key, instanceId, accountId } = await instance();
    const answers = [
      await post("track", { messageId: "t1", userId: "u1", event: "Project Created", properties: { name: "A" } }, key),
      await post("identify", { messageId: "i1", userId: "u1", traits: { name: "Ada", email: "ada@example.com" } }, key),
      await post("group", { messageId: "g1", userId: "u1", groupId: instanceId, traits: { projects: 3 } }, key),
    ];
    for (const [i, answer] of answers.entries()) {
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ results: [{ messageId: ["t1", "i1", "g1"][i], status: "accepted" }] });
    }
    const rows = await database.sql`
      select message_id, type, event, user_id, account_id, properties, backfill from usage_events
      where instance_id = ${instanceId} order by message_id`;
    expect(rows.map((row) => ({ ...row }))).toEqual([
      {
        message_id: "g1",
        type: "group",
        event: null,
        user_id: "u1",
        account_id: accountId,
        properties: { projects: 3, groupId: instanceId },
        backfill: false,
      },
      {
        message_id: "i1",
        type: "identify",
        event: null,
        user_id: "u1",
        account_id: accountId,
        properties: { name: "Ada", email: "ada@example.com" },
        backfill: false,
      },
      {
        message_id: "t1",
        type: "track",
        event: "Project Created",
        user_id: "u1",
        account_id: accountId,
        properties: { name: "A" },
        backfill: false,
      },
    ]);
    const ids = await database.sql`select month from usage_message_ids where instance_id = ${instanceId}`;
    expect(ids).toHaveLength(3);
    const jobs = await database.sql`
      select run_at > now() - interval '5 seconds' as soon from graphile_worker._private_jobs where key = 'usage_rollup'`;
    expect(jobs).toEqual([{ soon: true }]);
  });

  it("takes the key as a Bearer token too", async () => {
    const { key } = await instance();
    const response = await fetch(`${url}/api/v1/track`, {
      method: "POST",
      headers: { Authorization: `Bearer ${key}` },
      body: JSON.stringify(track("bearer-1")),
    });
    expect(response.status).toBe(200);
    expect(statuses(await response.json())).toEqual(["accepted"]);
  });

  it("answers duplicate for a messageId seen before: across requests, within a batch, and from parallel requests", async () => {
    const { key, instanceId } = await instance();
    expect(statuses((await post("track", track("d1"), key)).body)).toEqual(["accepted"]);
    expect(statuses((await post("track", track("d1"), key)).body)).toEqual(["duplicate"]);
    const batch = await post("batch", { batch: [track("d2"), track("d2"), track("d1"), track("d3")] }, key);
    expect(statuses(batch.body)).toEqual(["accepted", "duplicate", "duplicate", "accepted"]);
    const parallel = await Promise.all(
      Array.from({ length: 8 }, () => post("batch", { batch: [track("d4"), track("d5")] }, key)),
    );
    expect(parallel.flatMap((answer) => statuses(answer.body)).filter((s) => s === "accepted")).toHaveLength(2);
    expect(await eventCount(instanceId)).toBe(5);
  });

  it("the same messageId from another instance is its own event", async () => {
    const first = await instance();
    const second = await instance();
    expect(statuses((await post("track", track("shared"), first.key)).body)).toEqual(["accepted"]);
    expect(statuses((await post("track", track("shared"), second.key)).body)).toEqual(["accepted"]);
  });

  it("rejects a bad event with a reason and still accepts the others of its batch", async () => {
    const { key, instanceId } = await instance();
    const answer = await post(
      "batch",
      {
        batch: [
          track("ok-1"),
          { type: "track", userId: "u1", event: "Project Created" },
          { type: "page", messageId: "p1", userId: "u1" },
          track("no-event", { event: undefined }),
          track("nobody", { userId: undefined }),
          "not an event",
          { type: "group", messageId: "g-no-id", userId: "u1" },
          track("bad-time", { timestamp: "yesterday" }),
          track("x".repeat(101)),
          track("ok-2", { properties: { plan: "team" } }),
        ],
      },
      key,
    );
    expect(answer.status).toBe(200);
    expect(statuses(answer.body)).toEqual([
      "accepted",
      "rejected",
      "rejected",
      "rejected",
      "rejected",
      "rejected",
      "rejected",
      "rejected",
      "rejected",
      "accepted",
    ]);
    const reasons = answer.body.results.map((result) => result.reason ?? "");
    expect(reasons[1]).toBe("messageId is required");
    expect(reasons[2]).toMatch(/^type must be "track", "identify" or "group"/);
    expect(reasons[3]).toBe("event is required");
    expect(reasons[4]).toBe("userId or anonymousId is required");
    expect(reasons[5]).toBe("an event must be a JSON object");
    expect(reasons[6]).toBe("groupId is required");
    expect(reasons[7]).toMatch(/^timestamp must be an ISO 8601 date and time/);
    expect(reasons[8]).toBe("messageId must be at most 100 characters");
    const rows = await database.sql`select message_id from usage_events where instance_id = ${instanceId} order by 1`;
    expect(rows.map((row) => row.message_id)).toEqual(["ok-1", "ok-2"]);
  });

  it("refuses a type that is not the call's, and text the database cannot hold", async () => {
    const { key } = await instance();
    const answer = await post("identify", track("wrong-call"), key);
    expect(answer.body.results[0]).toEqual({
      messageId: "wrong-call",
      status: "rejected",
      reason: 'this is the identify call: type must be "identify" or left out',
    });
    const nul = await post(
      "batch",
      { batch: [track("nul\u0000id"), track("nul-prop", { properties: { a: "b\u0000" } })] },
      key,
    );
    expect(nul.body.results.map((r) => r.reason)).toEqual([
      "messageId must not contain a NUL character",
      "properties must not contain a NUL character",
    ]);
  });

  it("accepts events up to 35 days late, older ones only as backfill, none before the retention window or a day ahead", async () => {
    const { key, instanceId } = await instance();
    const answer = await post(
      "batch",
      {
        batch: [
          track("late-30", { timestamp: daysAgo(30) }),
          track("late-40", { timestamp: daysAgo(40) }),
          track("backfill-40", { timestamp: daysAgo(40), backfill: true }),
          track("backfill-450", { timestamp: daysAgo(450), backfill: true }),
          track("future-2h", { timestamp: daysAgo(-2 / 24) }),
          track("future-2d", { timestamp: daysAgo(-2) }),
        ],
      },
      key,
    );
    expect(statuses(answer.body)).toEqual(["accepted", "rejected", "accepted", "rejected", "accepted", "rejected"]);
    expect(answer.body.results[1]?.reason).toBe(
      'occurred more than 35 days ago: send it with "backfill": true to add it to history',
    );
    expect(answer.body.results[3]?.reason).toBe("occurred before the 13-month retention window: it cannot be stored");
    expect(answer.body.results[5]?.reason).toMatch(/more than a day in the future/);
    const rows = await database.sql`
      select message_id, backfill from usage_events where instance_id = ${instanceId} order by occurred_at`;
    expect(rows.map((row) => [row.message_id, row.backfill])).toEqual([
      ["backfill-40", true],
      ["late-30", false],
      ["future-2h", false],
    ]);
  });

  it("reads the late window from usage_settings", async () => {
    const { key } = await instance();
    await database.sql`update usage_settings set late_days = 50`;
    try {
      expect(statuses((await post("track", track("late-40-setting", { timestamp: daysAgo(40) }), key)).body)).toEqual([
        "accepted",
      ]);
    } finally {
      await database.sql`update usage_settings set late_days = 35`;
    }
  });

  it("corrects the sender's clock skew with sentAt (Segment: receivedAt − (sentAt − timestamp))", async () => {
    const { key, instanceId } = await instance();
    // The sender's clock runs 3 hours ahead: it stamped the event 10 minutes before sending.
    const ahead = Date.now() + 3 * 3_600_000;
    const timestamp = new Date(ahead - 600_000).toISOString();
    const sentAt = new Date(ahead).toISOString();
    await post("track", track("skewed", { timestamp, sentAt }), key);
    await post("batch", { sentAt, batch: [track("skewed-batch", { timestamp })] }, key);
    await post("track", track("unstamped"), key);
    const rows = await database.sql<{ message_id: string; minutes: number }[]>`
      select message_id, round(extract(epoch from received_at - occurred_at) / 60)::int as minutes
      from usage_events where instance_id = ${instanceId} order by message_id`;
    expect(rows.map((row) => [row.message_id, row.minutes])).toEqual([
      ["skewed", 10],
      ["skewed-batch", 10],
      ["unstamped", 0],
    ]);
  });

  it("rejects an event naming another instance", async () => {
    const { key, instanceId } = await instance();
    const answer = await post(
      "batch",
      { batch: [track("mine", { instanceId }), track("theirs", { instanceId: randomUUID() })] },
      key,
    );
    expect(answer.body.results).toEqual([
      { messageId: "mine", status: "accepted" },
      { messageId: "theirs", status: "rejected", reason: "this key belongs to another service instance" },
    ]);
  });
});

describe("keys", () => {
  it("answers 401 with a sentence to a missing or unknown key", async () => {
    const missing = await post("track", track("k1"), null);
    expect(missing.status).toBe(401);
    expect(missing.body.error).toMatch(/^Send the service instance's ingest key/);
    for (const key of ["pik_unknown", "not-a-key", ""]) {
      const unknown = await post("track", track("k1"), key || null);
      expect(unknown.status).toBe(401);
      expect(unknown.body.error).toMatch(/ingest key/);
    }
  });

  it("stops a key at once when it is rotated; the new key works", async () => {
    const { key, instanceId } = await instance();
    expect((await post("track", track("r1"), key)).status).toBe(200);
    const next = await issueIngestKey(database.db, instanceId, { type: "staff", id: null });
    const old = await post("track", track("r2"), key);
    expect(old.status).toBe(401);
    expect(old.body.error).toMatch(/replaced by a newer key/);
    expect(statuses((await post("track", track("r2"), next.key)).body)).toEqual(["accepted"]);
  });

  it("answers 403 for a removed instance's key", async () => {
    const { key } = await instance("deprovisioned");
    const answer = await post("track", track("gone"), key);
    expect(answer.status).toBe(403);
    expect(answer.body.error).toMatch(/has been removed/);
  });
});

describe("limits and bad bodies", () => {
  it("answers 413 to a batch of more than 1,000 events or a body over 1 MB, storing nothing", async () => {
    const { key, instanceId } = await instance();
    const many = await post("batch", { batch: Array.from({ length: 1001 }, (_, i) => track(`m${i}`)) }, key);
    expect(many.status).toBe(413);
    expect(many.body.error).toMatch(/at most 1,000 events; this one has 1,001/);
    const big = await post("batch", { batch: [track("big", { properties: { blob: "x".repeat(1024 * 1024) } })] }, key);
    expect(big.status).toBe(413);
    expect(big.body.error).toMatch(/too large/);
    const full = await post("batch", { batch: Array.from({ length: 1000 }, (_, i) => track(`f${i}`)) }, key);
    expect(full.status).toBe(200);
    expect(await eventCount(instanceId)).toBe(1000);
  });

  it("answers 400 with a reason to malformed JSON and to a body that is not the call's shape", async () => {
    const { key } = await instance();
    for (const [path, body, pattern] of [
      ["track", "{not json", /not JSON/],
      ["batch", "", /not JSON/],
      ["track", "[1,2]", /of the track call must be one JSON object/],
      ["identify", "null", /of the identify call must be one JSON object/],
      ["batch", JSON.stringify({ batch: "no" }), /not a batch/],
      ["batch", JSON.stringify([track("a")]), /not a batch/],
    ] as const) {
      const answer = await post(path, body, key);
      expect(answer.status, `${path} ${body}`).toBe(400);
      expect(answer.body.error).toMatch(pattern);
    }
  });

  it("answers 429 with Retry-After once a key has spent its budget, and other keys go on", async () => {
    const limited = await serve({ rate: { events: 5, seconds: 60 } });
    const { key } = await instance();
    const other = await instance();
    expect((await post("batch", { batch: [1, 2, 3, 4].map((i) => track(`rl${i}`)) }, key, limited)).status).toBe(200);
    const refused = await post("batch", { batch: [track("rl5"), track("rl6")] }, key, limited);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.body.error).toMatch(/Too many events for this key/);
    expect((await post("track", track("rl7"), other.key, limited)).status).toBe(200);
  });

  it("answers 503 with Retry-After while the database is away", async () => {
    const away = connectDb("postgres://nobody@127.0.0.1:1/none", { max: 1 });
    try {
      const base = await serve({ sql: away.sql });
      const { key } = await instance();
      const answer = await post("track", track("away"), key, base);
      expect(answer.status).toBe(503);
      expect(answer.headers.get("retry-after")).toBeTruthy();
      expect(answer.body.error).toMatch(/nothing was stored/);
    } finally {
      await away.close();
    }
  });

  it("rule: no input to these routes answers 5xx, and every answer is JSON with results or an error sentence", async () => {
    const { key } = await instance();
    const event = fc.record(
      {
        type: fc.oneof(fc.constantFrom("track", "identify", "group"), fc.string()),
        messageId: fc.oneof(fc.string(), fc.integer()),
        userId: fc.oneof(fc.string(), fc.constant(null)),
        event: fc.string(),
        groupId: fc.string(),
        timestamp: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.string(),
        ),
        sentAt: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.string(),
        ),
        backfill: fc.oneof(fc.boolean(), fc.string()),
        instanceId: fc.oneof(fc.uuid(), fc.string()),
        properties: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue()),
        traits: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      fc.string(),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      event.map((value) => JSON.stringify(value)),
      fc.array(event, { maxLength: 20 }).map((batch) => JSON.stringify({ batch })),
      fc.record({ batch: fc.jsonValue(), sentAt: fc.jsonValue() }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("track", "identify", "group", "batch"),
        body,
        fc.boolean(),
        async (path, text, authed) => {
          const answer = await post(path, text, authed ? key : "pik_wrong");
          expect(answer.status).toBeLessThan(500);
          expect(answer.status === 200 ? Array.isArray(answer.body.results) : typeof answer.body.error).toBe(
            answer.status === 200 ? true : "string",
          );
        },
      ),
      { numRuns: 300, seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31) },
    );
  });
});

const rowFor =
  ({ instanceId, accountId }: { instanceId: string; accountId: string }) =>
  (messageId: string, occurredAt = new Date().toISOString()): UsageRow => ({
    instanceId,
    accountId,
    messageId,
    type: "track",
    event: "Project Viewed",
    userId: "u1",
    anonymousId: null,
    occurredAt,
    receivedAt: new Date().toISOString(),
    properties: {},
    backfill: false,
  });

describe("UsageIngest (group commit)", () => {
  it("shares one statement among waiting requests; an event the database refuses fails alone", async () => {
    const owner = await instance();
    const { instanceId } = owner;
    const ingest = new UsageIngest(database.sql, { concurrency: 1 });
    const row = rowFor(owner);
    // No partition holds 1990: the statement with that row fails, and only that row is refused.
    const answers = await Promise.all([
      ingest.store([row("gc-1")]),
      ingest.store([row("gc-2"), row("gc-old", "1990-01-01T00:00:00Z"), row("gc-3")]),
      ingest.store([row("gc-3"), row("gc-4")]),
      ingest.store([row("gc-1")]),
    ]);
    ingest.close();
    expect(answers).toEqual([
      ["accepted"],
      ["accepted", "rejected", "accepted"],
      ["duplicate", "accepted"],
      ["duplicate"],
    ]);
    const rows = await database.sql`select message_id from usage_events where instance_id = ${instanceId} order by 1`;
    expect(rows.map((r) => r.message_id)).toEqual(["gc-1", "gc-2", "gc-3", "gc-4"]);
  });

  it("queues the rollup in the events' transaction at most once per interval, and once more after it for later events", async () => {
    const row = rowFor(await instance());
    const ingest = new UsageIngest(database.sql, { kickEveryMs: 300 });
    // The servers' own trailing kicks (for the tests before) must not land in the middle of this one.
    for (const { close } of servers) close();
    const rollupJobs = async () => {
      const [found] = await database.sql<{ count: number }[]>`
        select count(*)::int as count from graphile_worker._private_jobs where key = 'usage_rollup'`;
      return found!.count;
    };
    await database.sql`delete from graphile_worker._private_jobs where key = 'usage_rollup'`;
    await ingest.store([row("kick-1")]);
    expect(await rollupJobs()).toBe(1);
    await database.sql`delete from graphile_worker._private_jobs where key = 'usage_rollup'`;
    await ingest.store([row("kick-2")]);
    expect(await rollupJobs()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await rollupJobs()).toBe(1);
    ingest.close();
  });
});
