import type { IncomingMessage, ServerResponse } from "node:http";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { Logger } from "../app/lib/logger.server";
import type { Sql } from "../db/client";
import { isDatabaseUnavailable } from "../db/unavailable";
import { RETRY_AFTER_SECONDS } from "../app/lib/unavailable.server";
import {
  batchBodySchema,
  MAX_BATCH_EVENTS,
  singleBodySchema,
  type EventResult,
  type UsageCall,
} from "../app/modules/usage/ingest-schema";
import {
  findIngestKey,
  ingestReasons,
  prepareEvents,
  UsageIngest,
  type IngestKeyOwner,
} from "../app/modules/usage/ingest.server";
import { BODY_LIMITS, readLimitedBody, refuseTooLarge } from "./request-body";

/** The four calls, served under this prefix (docs/usage-api.md). */
export const USAGE_API_PATHS = ["/api/v1/track", "/api/v1/identify", "/api/v1/group", "/api/v1/batch"];

/**
 * Events a key may send per window, counted before any work (rejected events count too). Kept in
 * this process's memory (rate-limiter-flexible's RateLimiterMemory): with several portal processes
 * each allows this much, which is acceptable for a limit that protects the database from one
 * runaway sender rather than enforcing a contract. 20,000 events per 10 s (2,000/s sustained per
 * key, and a full batch of 1,000 always fits) is ten times what a busy workspace's product sends.
 */
export const DEFAULT_INGEST_RATE = { events: 20_000, seconds: 10 };

type Options = {
  sql: Sql;
  logger: Logger;
  rate?: { events: number; seconds: number };
  /** Shared group commit; one is made when absent. */
  ingest?: UsageIngest;
};

const sentences = {
  noKey:
    "Send the service instance's ingest key: as the username of HTTP Basic authentication with an empty password, or as a Bearer token.",
  badKey:
    "This ingest key is not in force: it is unknown, or it was replaced by a newer key. Use the instance's current key.",
  removed: "This ingest key's service instance has been removed: it no longer takes usage.",
  notJson: "The body is not JSON: send one JSON object (Content-Type: application/json).",
  tooMany: (count: number) =>
    `A batch holds at most ${MAX_BATCH_EVENTS.toLocaleString("en")} events; this one has ${count.toLocaleString("en")}. Split it and send the parts.`,
  rateLimited: (rate: { events: number; seconds: number }, wait: number) =>
    `Too many events for this key: at most ${rate.events.toLocaleString("en")} every ${rate.seconds} seconds. Send again in ${wait} s.`,
  unavailable: "Usage cannot be stored for a moment: nothing was stored. Send it again after Retry-After seconds.",
  failed: "Something went wrong on our side: nothing was stored. Send it again.",
  notFound: "There is no such call: use /api/v1/track, /api/v1/identify, /api/v1/group or /api/v1/batch.",
  postOnly: "This call takes POST only.",
};

/**
 * The usage ingest API (contract: docs/usage-api.md, after Segment's HTTP Tracking API): the four
 * calls, answered with Node's own request and response before any middleware (a hot path with
 * nothing to render, like the Stripe webhook). In order: the key (401 missing, unknown or revoked;
 * 403 for a removed instance), the body (413 over 1 MB or 1,000 events; 400 not JSON or not the
 * call's shape), the key's rate limit (429 with Retry-After), then each event is checked and the
 * good ones stored through the group commit; 200 with one result per event, in order. 503 with
 * Retry-After while the database is away. No answer carries a stack or a path.
 */
export function usageIngest({ sql, logger, rate = DEFAULT_INGEST_RATE, ingest }: Options): {
  handle: (req: IncomingMessage, res: ServerResponse) => void;
  close: () => void;
} {
  const log = logger.child({ component: "usage-ingest" });
  const store =
    ingest ?? new UsageIngest(sql, { onKickError: (error) => log.warn({ err: error }, "rollup kick failed") });
  const limiter = new RateLimiterMemory({ points: rate.events, duration: rate.seconds, keyPrefix: "usage-ingest" });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const received = new Date();
    const call = callOf(req.url ?? "");
    if (!call) return answer(res, 404, { error: sentences.notFound });
    if (req.method !== "POST") return answer(res, 405, { error: sentences.postOnly }, { Allow: "POST" });
    const key = keyOf(req.headers.authorization);
    if (!key) return answer(res, 401, { error: sentences.noKey }, { "WWW-Authenticate": 'Basic realm="usage"' });
    const [owner, buffer] = await Promise.all([findIngestKey(sql, key), readLimitedBody(req, BODY_LIMITS.usage)]);
    if (buffer === null) return refuseTooLarge(res, BODY_LIMITS.usage, "application/json");
    if (!owner) return answer(res, 401, { error: sentences.badKey }, { "WWW-Authenticate": 'Basic realm="usage"' });
    if (owner.status === "deprovisioned") return answer(res, 403, { error: sentences.removed });

    let body: unknown;
    try {
      body = JSON.parse(buffer.toString("utf8"));
    } catch {
      return answer(res, 400, { error: sentences.notJson });
    }
    const shape = call === "batch" ? batchBodySchema.safeParse(body) : singleBodySchema.safeParse(body);
    if (!shape.success) return answer(res, 400, { error: shapeSentence(call, shape.error.issues[0]?.message) });
    const events = "batch" in shape.data && call === "batch" ? (shape.data.batch as unknown[]) : [shape.data];
    if (events.length > MAX_BATCH_EVENTS) return answer(res, 413, { error: sentences.tooMany(events.length) });

    const wait = await spend(limiter, owner, Math.max(events.length, 1));
    if (wait !== null) {
      return answer(res, 429, { error: sentences.rateLimited(rate, wait) }, { "Retry-After": String(wait) });
    }
    const batchSentAt = call === "batch" ? (shape.data as { sentAt?: string }).sentAt : undefined;
    const prepared = prepareEvents(call, events, owner, received, batchSentAt);
    const statuses = await store.store(prepared.rows.map(({ row }) => row));
    const results = prepared.results as EventResult[];
    prepared.rows.forEach(({ index, row }, i) => {
      const status = statuses[i]!;
      results[index] =
        status === "rejected"
          ? { messageId: row.messageId, status, reason: ingestReasons.notStored }
          : { messageId: row.messageId, status };
    });
    answer(res, 200, { results });
  }

  return {
    handle: (req, res) => {
      serve(req, res).catch((error: unknown) => {
        if (res.headersSent) return;
        if (isDatabaseUnavailable(error)) {
          log.warn({ reason: String(error) }, "could not store usage: the database is unavailable");
          return answer(res, 503, { error: sentences.unavailable }, { "Retry-After": RETRY_AFTER_SECONDS });
        }
        log.error({ err: error }, "could not store usage");
        answer(res, 500, { error: sentences.failed });
      });
    },
    close: () => store.close(),
  };
}

function callOf(url: string): UsageCall | "batch" | null {
  const path = url.split("?")[0]!;
  const match = /^\/api\/v1\/(track|identify|group|batch)\/?$/.exec(path);
  return (match?.[1] as UsageCall | "batch" | undefined) ?? null;
}

/**
 * The key from `Authorization`: Basic with the key as username and an empty password (Segment's
 * writeKey scheme; a password, if any, is ignored), or Bearer. Null when absent or unreadable.
 */
export function keyOf(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme, value] = header.trim().split(/\s+/, 2);
  if (!value) return null;
  if (/^bearer$/i.test(scheme!)) return value;
  if (!/^basic$/i.test(scheme!)) return null;
  const decoded = Buffer.from(value, "base64").toString("utf8");
  const username = decoded.split(":")[0]!;
  return username || null;
}

/** Spends `events` of the key's budget; null when allowed, else whole seconds to wait (at least 1). */
async function spend(limiter: RateLimiterMemory, owner: IngestKeyOwner, events: number): Promise<number | null> {
  try {
    await limiter.consume(owner.keyId, events);
    return null;
  } catch (refusal) {
    if (refusal instanceof RateLimiterRes) return Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
    throw refusal;
  }
}

function shapeSentence(call: UsageCall | "batch", detail: string | undefined): string {
  return call === "batch"
    ? `The body is not a batch: send { "batch": [events...] }${detail ? ` (${detail})` : ""}.`
    : `The body of the ${call} call must be one JSON object with the event's fields.`;
}

function answer(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res
    .writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...headers })
    .end(text);
}
