import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maintainUsagePartitions, monthStart } from "../../app/modules/usage/partitions.server";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { insertRawEvents, type RawEvent } from "../support/usage";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await dropTestDatabase(database);
});

/** The partition name `usage_ensure_partitions` gives the month `months` after the current one. */
function partitionName(months: number): string {
  const month = monthStart(new Date(), months);
  return `usage_events_y${month.getUTCFullYear()}m${String(month.getUTCMonth() + 1).padStart(2, "0")}`;
}

async function partitions(): Promise<string[]> {
  const rows = await database.sql<{ name: string }[]>`
    select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'usage_events'::regclass order by 1`;
  return rows.map((row) => row.name);
}

const ids = { instanceId: randomUUID(), accountId: randomUUID() };
let seq = 0;
function eventIn(months: number): RawEvent {
  return {
    ...ids,
    messageId: `p-${++seq}`,
    type: "track",
    event: "Project Created",
    occurredAt: new Date(monthStart(new Date(), months).getTime() + 86_400_000),
  };
}

describe("usage partitions", () => {
  it("has the retention window and two months ahead from the migration, and a run at once changes nothing", async () => {
    expect(await partitions()).toEqual(Array.from({ length: 16 }, (_, i) => partitionName(i - 13)));
    expect(await maintainUsagePartitions(database.db)).toEqual({ created: 0, dropped: [] });
  });

  it("creates months ahead as time passes and drops months past retention with their message ids, once", async () => {
    await insertRawEvents(database.sql, [eventIn(-13), eventIn(-13), eventIn(-12), eventIn(-10), eventIn(0)]);
    await database.sql`insert into usage_daily (instance_id, account_id, day, active_users, events, seats_in_use)
      values (${ids.instanceId}, ${ids.accountId}, ${monthStart(new Date(), -13).toISOString().slice(0, 10)}, 0, 2, 0)`;

    // Three months on (mid-month, so the month is certain): months +3..+5 appear, -13..-11 go.
    const later = new Date(monthStart(new Date(), 3).getTime() + 14 * 86_400_000);
    const result = await maintainUsagePartitions(database.db, later);
    expect(result).toEqual({ created: 3, dropped: [partitionName(-13), partitionName(-12), partitionName(-11)] });
    expect(await partitions()).toEqual(Array.from({ length: 16 }, (_, i) => partitionName(i - 10)));

    const months = await database.sql<{ month: string; count: number }[]>`
      select month::text, count(*)::int from usage_message_ids where instance_id = ${ids.instanceId} group by 1 order by 1`;
    expect(months.map((m) => [m.month, m.count])).toEqual([
      [monthStart(new Date(), -10).toISOString().slice(0, 10), 1],
      [monthStart(new Date(), 0).toISOString().slice(0, 10), 1],
    ]);
    const [events] =
      await database.sql`select count(*)::int as count from usage_events where instance_id = ${ids.instanceId}`;
    expect(events).toEqual({ count: 2 });
    // Rollups are kept past retention: they are the history.
    const kept = await database.sql`select 1 from usage_daily where instance_id = ${ids.instanceId}`;
    expect(kept).toHaveLength(1);

    const audits = await database.sql<{ subject_id: string; details: { messageIdsDeleted: number } }[]>`
      select subject_id, details from audit_events where action = 'usage.partition_dropped' order by subject_id`;
    expect(audits.map((a) => [a.subject_id, a.details.messageIdsDeleted])).toEqual([
      [partitionName(-13), 2],
      [partitionName(-12), 1],
      [partitionName(-11), 0],
    ]);

    expect(await maintainUsagePartitions(database.db, later)).toEqual({ created: 0, dropped: [] });
  });

  it("follows the retention setting", async () => {
    await database.sql`update usage_settings set retention_months = 2`;
    const later = new Date(monthStart(new Date(), 3).getTime() + 14 * 86_400_000);
    const result = await maintainUsagePartitions(database.db, later);
    expect(result.created).toBe(0);
    expect(result.dropped).toEqual(Array.from({ length: 11 }, (_, i) => partitionName(i - 10)));
    expect(await partitions()).toEqual(Array.from({ length: 5 }, (_, i) => partitionName(i + 1)));
    const left = await database.sql`select 1 from usage_message_ids where instance_id = ${ids.instanceId}`;
    expect(left).toHaveLength(0);
  });
});
