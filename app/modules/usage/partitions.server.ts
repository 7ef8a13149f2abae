/**
 * Monthly partitions of the raw usage events (issue 15, ADR 21): created ahead, dropped past the
 * retention setting (`usage_settings.retention_months`, default 13) together with their message
 * ids. Dropping a partition is a metadata change, not a `delete` of millions of rows, which is why
 * the raw events are partitioned. The rollup tables are kept: one row per instance and day (and per
 * event name or user), small next to the raw events, and the history every screen reads.
 */
import { sql } from "drizzle-orm";
import type { Database } from "#db/client";
import { recordAudit, systemActor } from "~/lib/audit.server";

/** Months of partitions created beyond the current one, so inserts never find their month missing. */
export const MONTHS_AHEAD = 2;
/** Message ids deleted per statement when a month is dropped: short transactions, no long row locks. */
const MESSAGE_ID_BATCH = 5_000;
/** A drop waits this long for its lock on `usage_events`, then gives up until the next run. */
const DROP_LOCK_TIMEOUT = "5s";
/** The names `usage_ensure_partitions` gives (migration 0018): `usage_events_y2026m03`. */
const PARTITION_NAME = /^usage_events_y(\d{4})m(\d{2})$/;

/** The first instant (UTC) of the month `months` months after the month of `at` (negative: before). */
export function monthStart(at: Date, months = 0): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + months, 1));
}

/**
 * The first instant (UTC) of raw events kept at `now`: the start of the month `retentionMonths`
 * before the current one. Events before it are outside retention (the ingest refuses them); the
 * partitions before it are dropped.
 */
export function retentionStart(now: Date, retentionMonths: number): Date {
  return monthStart(now, -retentionMonths);
}

/**
 * Ensures partitions from the retention start to `MONTHS_AHEAD` months after `now`'s month (SQL
 * function `usage_ensure_partitions`), then drops every partition of a month before the retention
 * start: first its `usage_message_ids` rows (by `month`, in batches), then the partition, audited
 * (`usage.partition_dropped`). In that order so a crash in between leaves a partition the next run
 * drops again, never message ids nobody deletes. Idempotent; two runs at once drop each month once
 * (an advisory lock). Returns the number of partitions created and the names of those dropped.
 */
export async function maintainUsagePartitions(
  db: Database,
  now: Date = new Date(),
): Promise<{ created: number; dropped: string[] }> {
  const [settings] = await db.execute<{ retention_months: number }>(
    sql`select retention_months from usage_settings where id = 1`,
  );
  const first = retentionStart(now, settings?.retention_months ?? 13);
  const [ensured] = await db.execute<{ created: number }>(
    sql`select usage_ensure_partitions(${isoDate(first)}::date, ${isoDate(monthStart(now, MONTHS_AHEAD))}::date) as created`,
  );
  const partitions = await db.execute<{ name: string }>(sql`
    select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'usage_events'::regclass order by c.relname`);
  const dropped: string[] = [];
  for (const { name } of partitions) {
    const month = partitionMonth(name);
    if (month && month < first && (await dropPartition(db, name, month))) dropped.push(name);
  }
  return { created: ensured?.created ?? 0, dropped };
}

/** The month a partition holds, from its name; null for a table not named by `usage_ensure_partitions`. */
function partitionMonth(name: string): Date | null {
  const match = PARTITION_NAME.exec(name);
  return match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1)) : null;
}

function isoDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Deletes the month's message ids in batches, then drops the partition; false when another run dropped it. */
async function dropPartition(db: Database, name: string, month: Date): Promise<boolean> {
  let messageIds = 0;
  for (;;) {
    const deleted = await db.execute(sql`
      delete from usage_message_ids where ctid = any(array(
        select ctid from usage_message_ids where month = ${isoDate(month)}::date limit ${MESSAGE_ID_BATCH}))`);
    messageIds += deleted.count;
    if (deleted.count < MESSAGE_ID_BATCH) break;
  }
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('usage_partitions:drop'))`);
    const [exists] = await tx.execute<{ found: boolean }>(sql`select to_regclass(${name}) is not null as found`);
    if (!exists?.found) return false;
    await tx.execute(sql.raw(`set local lock_timeout = '${DROP_LOCK_TIMEOUT}'`));
    await tx.execute(sql.raw(`drop table ${quoteIdent(name)}`));
    await recordAudit(
      tx,
      systemActor,
      "usage.partition_dropped",
      { type: "usage_events_partition", id: name },
      { month: isoDate(month), messageIdsDeleted: messageIds },
    );
    return true;
  });
}

/** The name is one `PARTITION_NAME` matched (letters, digits, underscores), quoted anyway. */
function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
