import { and, asc, between, desc, eq, lt, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "../db/client";
import { organisations, provisioningEvents, provisioningRequests, type RequestStatus } from "../db/schema";
import { decodeCursor, encodeCursor } from "../db/keyset-cursor";

export const QUEUE_PAGE_SIZE = 25;

export const queueFiltersSchema = z.object({
  status: z
    .enum(["queued", "running", "waiting_staff", "waiting_customer", "succeeded", "failed", "cancelled"])
    .optional()
    .catch(undefined),
  operation: z.enum(["provision", "modify", "suspend", "resume", "deprovision"]).optional().catch(undefined),
  plan: z
    .string()
    .regex(/^[a-z0-9-]{1,50}$/)
    .optional()
    .catch(undefined),
  /** Only requests at least this many hours old. */
  olderThanHours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .optional()
    .catch(undefined),
  cursor: z.string().optional().catch(undefined),
});
export type QueueFilters = z.infer<typeof queueFiltersSchema>;

/**
 * Where each status sits in `queue_rank` (the generated column in db/schema/provisioning.ts):
 * filtering on the rank instead of the status lets the page be read in queue order straight from an
 * index whose columns end with (queue_rank, sla_due_at, id). Every status but the two finished ones
 * has ranks of its own; those two share rank 6 and are told apart by their status.
 */
const RANKS: Record<RequestStatus, { from: number; to: number }> = {
  waiting_staff: { from: 0, to: 1 },
  failed: { from: 2, to: 2 },
  queued: { from: 3, to: 3 },
  running: { from: 4, to: 4 },
  waiting_customer: { from: 5, to: 5 },
  succeeded: { from: 6, to: 6 },
  cancelled: { from: 6, to: 6 },
};
/** Open = not finished: every rank below the finished ones' 6. */
const OPEN_RANKS = { from: 0, to: 5 };

/**
 * The staff queue: trial setups waiting for staff first (the trial's days start only when it is
 * ready), then the rest waiting for staff, then failed, then the rest; most overdue first within
 * each. Keyset paging on (queue_rank, sla_due_at, id). Each filter reads a page in that order from an
 * index (migration 0021, issue 16's bench): no filter or a status, `provisioning_requests_queue_idx`
 * (queue_rank, sla_due_at, id); an operation, `provisioning_requests_operation_queue_idx`; a plan,
 * `provisioning_requests_plan_queue_idx` (the snapshot's planSlug first). Further filters (age, a
 * second of these) are checked on the rows read; the cursor is a row comparison, so a later page
 * starts where the last one ended instead of re-reading the pages before it. `trialSetup` marks a
 * trial's setup.
 */
export async function listQueue(db: DbOrTx, filters: QueueFilters, pageSize = QUEUE_PAGE_SIZE) {
  const r = provisioningRequests;
  const ranks = filters.status ? RANKS[filters.status] : OPEN_RANKS;
  const conditions: SQL[] = [between(r.queueRank, ranks.from, ranks.to)];
  if (filters.status === "succeeded" || filters.status === "cancelled") conditions.push(eq(r.status, filters.status));
  if (filters.operation) conditions.push(eq(r.operation, filters.operation));
  if (filters.plan) conditions.push(sql`${r.snapshot}->>'planSlug' = ${filters.plan}`);
  if (filters.olderThanHours)
    conditions.push(lt(r.createdAt, new Date(Date.now() - filters.olderThanHours * 3_600_000)));
  const cursor = decodeCursor(filters.cursor, ["int", "time", "uuid"] as const);
  if (cursor) {
    const [rank, slaDueAt, id] = cursor;
    conditions.push(sql`(${r.queueRank}, ${r.slaDueAt}, ${r.id}) > (${rank}, ${slaDueAt.toISOString()}, ${id})`);
  }
  const rows = await db
    .select({
      id: r.id,
      status: r.status,
      operation: r.operation,
      planName: sql<string>`${r.snapshot}->>'planName'`,
      accountName: organisations.name,
      provisioner: r.provisioner,
      attempts: r.attempts,
      claimedBy: r.claimedBy,
      slaDueAt: r.slaDueAt,
      createdAt: r.createdAt,
      queueRank: r.queueRank,
      trialSetup: sql<boolean>`${r.operation} = 'provision' and ${r.idempotencyKey} like 'trial:%'`,
      overdue: sql<boolean>`${r.slaDueAt} < now() and ${r.status} not in ('succeeded', 'cancelled')`,
    })
    .from(r)
    .innerJoin(organisations, eq(organisations.id, r.accountId))
    .where(and(...conditions))
    .orderBy(asc(r.queueRank), asc(r.slaDueAt), asc(r.id))
    .limit(pageSize + 1);
  const page = rows.slice(0, pageSize);
  const last = page.at(-1);
  return {
    requests: page,
    nextCursor: rows.length > pageSize && last ? encodeCursor([last.queueRank, last.slaDueAt, last.id]) : null,
  };
}

/** A request with its account and every event, oldest first. */
export async function requestDetail(db: DbOrTx, requestId: string) {
  if (!z.uuid().safeParse(requestId).success) return null;
  const [row] = await db
    .select({ request: provisioningRequests, accountName: organisations.name })
    .from(provisioningRequests)
    .innerJoin(organisations, eq(organisations.id, provisioningRequests.accountId))
    .where(eq(provisioningRequests.id, requestId));
  if (!row) return null;
  const events = await db
    .select()
    .from(provisioningEvents)
    .where(eq(provisioningEvents.requestId, requestId))
    .orderBy(asc(provisioningEvents.occurredAt), asc(provisioningEvents.id));
  return { ...row.request, accountName: row.accountName, events };
}

/** What a customer sees of their requests: newest first. */
export async function accountRequests(db: DbOrTx, accountId: string, limit = 20) {
  const r = provisioningRequests;
  return db
    .select({
      id: r.id,
      operation: r.operation,
      status: r.status,
      planName: sql<string>`${r.snapshot}->>'planName'`,
      result: r.result,
      waitingReason: r.waitingReason,
      createdAt: r.createdAt,
      completedAt: r.completedAt,
    })
    .from(r)
    .where(eq(r.accountId, accountId))
    .orderBy(desc(r.createdAt), desc(r.id))
    .limit(limit);
}
