import { randomUUID } from "node:crypto";
import http from "node:http";
import { issueIngestKey } from "../app/modules/usage/ingest-keys.server";
import { connectDb, type Sql } from "../db/client";
import { organisations, serviceInstances } from "../db/schema";
import { startPortal } from "../server/portal-process";
import { load } from "./load";
import { percentile } from "./percentile";
import { simpleUpdateTps } from "./postgres-limit";
import type { Report, Scale } from "./scale";

/** Service instances reporting at once, each with its own key (as many products would). */
const INSTANCES = 100;
const BATCH = 100;
const CONNECTIONS = 20;
/** Events of each batch sent before (by the same instance): the re-sends a retrying client makes. */
const RESENT = 10;
/** Batches prepared per second of load: more than the intake could take; running out fails the scenario. */
const PREPARED_PER_SECOND = 400;
/** The issue's target: the latency phase offers this many events per second (100 batches). */
const TARGET_EVENTS_PER_S = 10_000;

/**
 * The usage ingest API (issue 15) against the portal as `npm start` runs it: 20 connections POST
 * batches of 100 track events to /api/v1/batch, spread over 100 instances' keys; in each batch 10
 * events re-send messageIds sent before by the same instance (from its previous batch, or within
 * the first one). Two phases of 10 s: back to back for throughput (events accepted per second,
 * share answered "duplicate" — should be ~0.1 — and the p99 at saturation), then 100 batches/s
 * offered (the target, 10,000 events/s) for the batch latency p99 and the rollups' lag
 * (`usage.rollup_lag_s`, the portal's own worker rolling up). Beside the PostgreSQL limit of the same run.
 * Fails on any answer but 200, any event rejected, or a stored count that does not match the answers.
 */
export async function usageScenario(report: Report, { pick }: Scale): Promise<void> {
  const seconds = pick(10, 1);
  const portal = await startPortal({ LOG_LEVEL: "info" });
  const database = connectDb(await portal.databaseUrl(), { max: 16 });
  try {
    report("postgres.limit_tps", Math.round(await simpleUpdateTps(database, pick(5, 1))));
    const keys = await database.db.transaction(async (tx) => {
      const orgs = await tx
        .insert(organisations)
        .values(Array.from({ length: INSTANCES }, (_, i) => ({ name: `Usage bench ${i}` })))
        .returning({ id: organisations.id });
      const instances = await tx
        .insert(serviceInstances)
        .values(
          orgs.map((org) => ({
            accountId: org.id,
            productSlug: "bench",
            planSlug: "team",
            status: "active" as const,
            snapshot: {
              productSlug: "bench",
              planSlug: "team",
              planName: "Team",
              seats: 5,
              limits: {},
              features: [],
              trialEndsAt: null,
            },
          })),
        )
        .returning({ id: serviceInstances.id });
      const issued = [];
      for (const instance of instances)
        issued.push(await issueIngestKey(tx, instance.id, { type: "system", id: null }));
      return issued.map((key) => `Basic ${Buffer.from(`${key.key}:`).toString("base64")}`);
    });

    const batches = preparedBatches(keys, PREPARED_PER_SECOND * seconds * 2);
    const saturated = await phase(portal.url, batches, seconds);
    // Closed loop: every connection sends again as soon as answered, so latency is connections / throughput.
    report("usage.accepted_per_s", Math.round(saturated.accepted / seconds));
    report(
      "usage.duplicate_share",
      Number((saturated.duplicate / (saturated.accepted + saturated.duplicate)).toFixed(3)),
    );
    report("usage.saturated_p99_ms", saturated.p99Ms);
    const lag = rollupLagSampler(database.sql);
    const offered = await pacedPhase(portal.url, batches, seconds, TARGET_EVENTS_PER_S / BATCH);
    report("usage.p50_ms", offered.p50Ms);
    report("usage.p99_ms", offered.p99Ms);
    report("usage.rollup_lag_s", await lag.settle(pick(120, 60) * 1000));

    // Batches still in flight when a phase stops are stored but not counted: at most one per connection each.
    const answered = saturated.accepted + offered.accepted;
    const [stored] = await database.sql<{ count: number }[]>`select count(*)::int as count from usage_events`;
    if (stored!.count < answered || stored!.count > answered + 2 * CONNECTIONS * BATCH) {
      throw new Error(`usage: ${answered} events accepted but ${stored!.count} stored`);
    }
  } finally {
    await database.close();
    await portal.stop();
  }
}

/**
 * The rollups' lag while events arrive at the target rate and until they are all rolled up: the age
 * of the oldest accepted event not yet rolled up (its `tx_id` at or past the rollup watermark),
 * sampled every 500 ms; `settle` stops once nothing waits (or after `limitMs`, failing) and answers
 * the largest age seen, in seconds (one decimal).
 */
function rollupLagSampler(sql: Sql): { settle: (limitMs: number) => Promise<number> } {
  let largest = 0;
  const sample = async (): Promise<boolean> => {
    const [row] = await sql<{ age: number | null }[]>`
      select extract(epoch from clock_timestamp() - min(received_at))::float8 as age from usage_events
      where tx_id >= (select through_tx_id from usage_rollup_state)`;
    largest = Math.max(largest, row?.age ?? 0);
    return row?.age === null || row?.age === undefined;
  };
  let stopped = false;
  const sampling = (async () => {
    while (!stopped) {
      await sample();
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  return {
    async settle(limitMs) {
      const deadline = Date.now() + limitMs;
      stopped = true;
      await sampling;
      while (!(await sample())) {
        if (Date.now() > deadline) throw new Error(`usage: events still not rolled up after ${limitMs / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      return Number(largest.toFixed(1));
    },
  };
}

/**
 * Batch bodies prepared before the run, so that building them costs the load nothing. Batch i is
 * sent with instance i mod INSTANCES's key; its last RESENT events repeat messageIds of that
 * instance's previous batch (for its first batch, of its own first events).
 */
function preparedBatches(keys: string[], count: number): { body: string; headers: Record<string, string> }[] {
  const run = randomUUID().slice(0, 8);
  const now = Date.now();
  const previous: string[][] = [];
  return Array.from({ length: count }, (_, i) => {
    const instance = i % keys.length;
    const fresh = Array.from({ length: BATCH - RESENT }, (_, j) => `${run}-${i}-${j}`);
    const resent = (previous[instance] ?? fresh).slice(0, RESENT);
    previous[instance] = fresh;
    const batch = [...fresh, ...resent].map((messageId, j) => ({
      type: "track",
      messageId,
      userId: `user-${j % 7}`,
      event: ["Project Created", "Project Viewed", "Teammate Invited", "Integration Connected"][j % 4],
      properties: { projectId: `p-${j}`, source: "bench" },
      timestamp: new Date(now - j * 1000).toISOString(),
    }));
    return {
      body: JSON.stringify({ batch, sentAt: new Date(now).toISOString() }),
      headers: { "Content-Type": "application/json", Authorization: keys[instance]! },
    };
  });
}

/**
 * Open loop at an even pace: batch i is due at start + i / rate seconds and sent then over a pool of
 * CONNECTIONS keep-alive sockets, whatever earlier batches are doing; its latency counts from when it
 * was due, so a stall delays the batches behind it in the figures too (no coordinated omission).
 * autocannon's `overallRate` instead lets each connection send its share of a second back to back at
 * the start of that second: bursts of 100 batches, not the steady 10,000 events/s the target means.
 */
async function pacedPhase(
  portalUrl: string,
  batches: { body: string; headers: Record<string, string> }[],
  seconds: number,
  rate: number,
): Promise<{ accepted: number; duplicate: number; p50Ms: number; p99Ms: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const url = new URL("/api/v1/batch", portalUrl);
  const counts = { accepted: 0, duplicate: 0, rejected: 0, failed: 0 };
  const latencies: number[] = [];
  const post = (batch: { body: string; headers: Record<string, string> }, due: number) =>
    new Promise<void>((resolve) => {
      const request = http.request(url, { method: "POST", agent, headers: batch.headers }, (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () => {
          latencies.push(performance.now() - due);
          if (response.statusCode !== 200) counts.failed += 1;
          for (const outcome of ["accepted", "duplicate", "rejected"] as const) {
            counts[outcome] += body.split(`"status":"${outcome}"`).length - 1;
          }
          resolve();
        });
      });
      request.on("error", () => {
        counts.failed += 1;
        resolve();
      });
      request.end(batch.body);
    });
  const sent: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < rate * seconds; i += 1) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const batch = batches.shift();
    if (!batch) throw new Error("usage: all prepared batches sent; prepare more");
    sent.push(post(batch, due));
  }
  await Promise.all(sent);
  agent.destroy();
  if (counts.failed || counts.rejected) {
    throw new Error(`usage: ${counts.failed} batches failed, ${counts.rejected} events rejected`);
  }
  latencies.sort((a, b) => a - b);
  return {
    accepted: counts.accepted,
    duplicate: counts.duplicate,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

/**
 * Sends the next prepared batches to /api/v1/batch over CONNECTIONS for `seconds`, back to back;
 * counts each event's answer. Throws on any answer but 200 or any event rejected.
 */
async function phase(
  portalUrl: string,
  batches: { body: string; headers: Record<string, string> }[],
  seconds: number,
): Promise<{ accepted: number; duplicate: number; p99Ms: number }> {
  const counts = { accepted: 0, duplicate: 0, rejected: 0 };
  const result = await load(`${portalUrl}/api/v1/batch`, {
    connections: CONNECTIONS,
    seconds,
    method: "POST",
    setupRequest: (request) => {
      const batch = batches.shift();
      if (!batch) throw new Error("usage: all prepared batches sent; prepare more");
      return { ...request, ...batch };
    },
    onResponse: (status, body) => {
      if (status !== 200) return;
      for (const outcome of ["accepted", "duplicate", "rejected"] as const) {
        counts[outcome] += body.split(`"status":"${outcome}"`).length - 1;
      }
    },
  });
  if (result.errors || result.statusCounts["4xx"] || result.statusCounts["5xx"] || counts.rejected) {
    throw new Error(
      `usage: ${result.errors} errors, ${counts.rejected} events rejected, answers ${JSON.stringify(result.statusCounts)}`,
    );
  }
  return { accepted: counts.accepted, duplicate: counts.duplicate, p99Ms: result.p99Ms };
}
