import type { Sql } from "postgres";
import type { Snapshot } from "../../db/schema";
import { rollUpUsage, type RollupResult } from "../../app/modules/usage/rollup.server";
import type { TestDatabase } from "./database";

/** A raw event as the ingest API stores it (the fields the rollups read). */
export type RawEvent = {
  instanceId: string;
  accountId: string;
  messageId: string;
  type: "track" | "identify" | "group";
  event?: string | null;
  userId?: string | null;
  occurredAt: Date;
  properties?: Record<string, unknown>;
  backfill?: boolean;
};

/**
 * Inserts events into `usage_events` and their ids into `usage_message_ids`, as the ingest does, on
 * the given connection or transaction (its transaction id becomes the events' `tx_id`).
 */
export async function insertRawEvents(sql: Sql, events: RawEvent[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((e) => ({
    instance_id: e.instanceId,
    account_id: e.accountId,
    message_id: e.messageId,
    type: e.type,
    event: e.event ?? null,
    user_id: e.userId ?? null,
    occurred_at: e.occurredAt.toISOString(),
    properties: e.properties ?? {},
    backfill: e.backfill ?? false,
  }));
  await sql`
    with r as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(instance_id uuid, account_id uuid, message_id text,
        type text, event text, user_id text, occurred_at timestamptz, properties jsonb, backfill boolean)
    ),
    ids as (
      insert into usage_message_ids (instance_id, message_id, month)
      select instance_id, message_id, date_trunc('month', occurred_at at time zone 'UTC')::date from r
    )
    insert into usage_events (instance_id, account_id, message_id, type, event, user_id, occurred_at, properties, backfill)
    select instance_id, account_id, message_id, type, event, user_id, occurred_at, properties, backfill from r`;
}

/**
 * Runs the rollup until every committed event is below the watermark (another test's open
 * transaction in the cluster can hold the horizon back for a moment), and sums what the runs did.
 */
export async function settleRollups(
  database: TestDatabase,
  options: { chunkEvents?: number } = {},
): Promise<RollupResult> {
  const instanceIds = new Set<string>();
  let events = 0;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const run = await rollUpUsage(database.db, options);
    events += run.events;
    for (const id of run.instanceIds) instanceIds.add(id);
    const [state] = await database.sql<{ behind: boolean }[]>`
      select exists (select 1 from usage_events where tx_id >= (select through_tx_id from usage_rollup_state)) as behind`;
    if (!state?.behind) return { events, instanceIds: [...instanceIds].sort() };
    if (Date.now() > deadline) throw new Error("the rollup watermark did not pass the committed events within 10 s");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What a service instance of the demo product's Team plan was bought with (5 users, no limits), for fixtures. */
export function teamSnapshot(productSlug = "northwind-projects"): Snapshot {
  return { productSlug, planSlug: "team", planName: "Team", seats: 5, limits: {}, features: [], trialEndsAt: null };
}
