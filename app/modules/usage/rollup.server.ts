/**
 * The usage rollup (issue 15, ADR 21): turns raw `usage_events` into the daily tables every screen
 * reads, by transaction id watermark, and hands the instances with new activity to the activation
 * job.
 *
 * The watermark rule. `usage_rollup_state.through_tx_id` is the first transaction id not yet rolled
 * up. A run reads every event whose `tx_id` (the inserting transaction, `pg_current_xact_id()`) is
 * ≥ the mark and < `pg_snapshot_xmin(pg_current_snapshot())`: the oldest transaction id still
 * running anywhere in the cluster. Every transaction below that horizon has ended (committed or
 * rolled back), so no event can still commit below it: moving the mark to the horizon never skips
 * an event, however long its transaction took. An event inserted by a transaction that began before
 * a run and commits after it is above that run's horizon, and is counted by a later run.
 *
 * The price: any long-open transaction that has written something (it has an xid) — in any
 * database of the cluster, not just this one, and prepared transactions too — holds the horizon,
 * and so the rollups, back until it ends. Read-only transactions do not (they have no xid).
 *
 * Not audited: the daily tables are derived data, recomputable from the raw events.
 */
import { sql } from "drizzle-orm";
import type { Database, Transaction } from "#db/client";
import { addJob } from "#db/jobs";
import { ACTIVATION_TASK } from "./tasks";

/**
 * Events rolled up per transaction, at most (plus the rest of the last transaction read, which is
 * never split): bounds the memory and the length of one transaction when a backlog of millions waits.
 */
export const ROLLUP_CHUNK_EVENTS = 50_000;

export type RollupResult = {
  /** Raw events rolled up by this call (every call type, backfill included). */
  events: number;
  /** Instances with new non-backfill track events: the ones handed to `ACTIVATION_TASK`, sorted. */
  instanceIds: string[];
};

type Chunk = { lo: string; hi: string; last: boolean };
type ChunkResult = { events: number; activated: string[] };

/**
 * Rolls every event below the horizon up, in chunks of about `ROLLUP_CHUNK_EVENTS` events, each in
 * one transaction that locks the state row, updates `usage_daily_events`, `usage_daily_users`,
 * `usage_users`, `usage_instance_traits` and `usage_daily`, moves the watermark and queues
 * `ACTIVATION_TASK` with `{ instanceIds }` (instances with new non-backfill track events; backfill
 * counts but triggers nothing). Safe to run twice at once (the second waits for the state row and
 * reads from where the first stopped) and after a crash (a chunk commits whole or not at all).
 * `chunkEvents` (default `ROLLUP_CHUNK_EVENTS`) sets the chunk size.
 */
export async function rollUpUsage(
  db: Database,
  { chunkEvents = ROLLUP_CHUNK_EVENTS }: { chunkEvents?: number } = {},
): Promise<RollupResult> {
  let events = 0;
  const instanceIds = new Set<string>();
  for (;;) {
    // Counted once the chunk's transaction has committed, not before.
    const chunk = await db.transaction(async (tx) => {
      const next = await nextChunk(tx, chunkEvents);
      if (!next) return null;
      const result = await rollUpChunk(tx, next);
      await tx.execute(
        sql`update usage_rollup_state set through_tx_id = ${next.hi}::xid8, updated_at = now() where id = 1`,
      );
      if (result.activated.length > 0) await addJob(tx, ACTIVATION_TASK, { instanceIds: result.activated });
      return { ...result, last: next.last };
    });
    if (!chunk) break;
    events += chunk.events;
    for (const id of chunk.activated) instanceIds.add(id);
    if (chunk.last) break;
  }
  return { events, instanceIds: [...instanceIds].sort() };
}

/**
 * Locks the state row, then takes the horizon (after the lock: a run that waited must see the mark
 * the other one left). The chunk ends at a transaction boundary about `chunkEvents` events on, or
 * at the horizon; null when nothing lies between the mark and the horizon.
 */
async function nextChunk(tx: Transaction, chunkEvents: number): Promise<Chunk | null> {
  const [state] = await tx.execute<{ lo: string }>(
    sql`select through_tx_id::text as lo from usage_rollup_state where id = 1 for update`,
  );
  if (!state) throw new Error("usage_rollup_state has no row: migration 0018 inserts it");
  const [{ horizon } = { horizon: state.lo }] = await tx.execute<{ horizon: string }>(
    sql`select pg_snapshot_xmin(pg_current_snapshot())::text as horizon`,
  );
  const lo = state.lo;
  if (BigInt(horizon) <= BigInt(lo)) return null;
  const [far] = await tx.execute<{ tx: string }>(sql`
    select tx_id::text as tx from usage_events
    where tx_id >= ${lo}::xid8 and tx_id < ${horizon}::xid8
    order by tx_id offset ${chunkEvents} limit 1`);
  if (!far) return { lo, hi: horizon, last: true };
  if (far.tx !== lo) return { lo, hi: far.tx, last: false };
  // One transaction holds more than a chunk: take it whole, up to the next transaction.
  const [next] = await tx.execute<{ tx: string }>(sql`
    select tx_id::text as tx from usage_events
    where tx_id > ${lo}::xid8 and tx_id < ${horizon}::xid8
    order by tx_id limit 1`);
  return next ? { lo, hi: next.tx, last: false } : { lo, hi: horizon, last: true };
}

/** The chunk's events, as every statement below reads them; the day is the UTC day of `occurred_at`. */
const eventsOf = (chunk: Chunk) => sql`
  select instance_id, account_id, message_id, type, event, user_id, occurred_at, properties, backfill,
    (occurred_at at time zone 'UTC')::date as day
  from usage_events where tx_id >= ${chunk.lo}::xid8 and tx_id < ${chunk.hi}::xid8`;

/**
 * Set-based, three statements. The first updates the per-event, per-user and trait tables in one
 * pass (data-modifying CTEs see the tables as they were before it, which is what `seat_changes`
 * needs: users new to the instance, or seen earlier than known). The second upserts `usage_daily`
 * for the chunk's days, counting from the tables the first wrote; the third recounts seats on the
 * instance's later days whose seat count a new or earlier first-seen user changed.
 *
 * Merge rules. Identify traits: within a chunk, later `occurred_at` wins per trait; across runs,
 * the later run's traits win (Segment's merge). Group traits (`usage_instance_traits`, without
 * `groupId`): per trait, a call at or after the row's `as_of` overwrites, an older one only fills
 * traits not known yet — an older call never overwrites a newer one.
 */
async function rollUpChunk(tx: Transaction, chunk: Chunk): Promise<ChunkResult> {
  const [summary] = await tx.execute<{
    events: number;
    activated: string[];
    seat_changes: { instance_id: string; since: string }[];
  }>(sql`
    with ev as materialized (${eventsOf(chunk)}),
    daily_events as (
      insert into usage_daily_events (instance_id, account_id, day, event, count, first_at, last_at)
      select instance_id, (array_agg(account_id))[1], day, event, count(*), min(occurred_at), max(occurred_at)
      from ev where type = 'track' group by instance_id, day, event
      on conflict (instance_id, day, event) do update set
        count = usage_daily_events.count + excluded.count,
        first_at = least(usage_daily_events.first_at, excluded.first_at),
        last_at = greatest(usage_daily_events.last_at, excluded.last_at)
    ),
    daily_users as (
      insert into usage_daily_users (instance_id, day, user_id)
      select distinct instance_id, day, user_id from ev where user_id is not null
      on conflict do nothing
    ),
    chunk_users as (
      select instance_id, user_id, min(occurred_at) as first_at, max(occurred_at) as last_at
      from ev where user_id is not null group by instance_id, user_id
    ),
    chunk_traits as (
      select e.instance_id, e.user_id, jsonb_object_agg(t.key, t.value order by e.occurred_at, e.message_id) as traits
      from ev e cross join lateral jsonb_each(e.properties) t
      where e.type = 'identify' and e.user_id is not null group by e.instance_id, e.user_id
    ),
    seat_changes as (
      select c.instance_id, min(c.first_at) as since
      from chunk_users c left join usage_users u on u.instance_id = c.instance_id and u.user_id = c.user_id
      where u.user_id is null or c.first_at < u.first_seen_at group by c.instance_id
    ),
    users as (
      insert into usage_users (instance_id, user_id, traits, first_seen_at, last_seen_at)
      select c.instance_id, c.user_id, coalesce(t.traits, '{}'::jsonb), c.first_at, c.last_at
      from chunk_users c left join chunk_traits t on t.instance_id = c.instance_id and t.user_id = c.user_id
      on conflict (instance_id, user_id) do update set
        traits = usage_users.traits || excluded.traits,
        first_seen_at = least(usage_users.first_seen_at, excluded.first_seen_at),
        last_seen_at = greatest(usage_users.last_seen_at, excluded.last_seen_at)
    ),
    group_calls as (
      select instance_id, max(occurred_at) as as_of from ev where type = 'group' group by instance_id
    ),
    group_traits as (
      select distinct on (e.instance_id, t.key) e.instance_id, t.key, t.value, e.occurred_at
      from ev e cross join lateral jsonb_each(e.properties - 'groupId') t
      where e.type = 'group'
      order by e.instance_id, t.key, e.occurred_at desc, e.message_id desc
    ),
    instance_traits as (
      insert into usage_instance_traits (instance_id, traits, as_of)
      select g.instance_id,
        coalesce((select jsonb_object_agg(k.key, k.value) from group_traits k
                  where k.instance_id = g.instance_id and k.occurred_at < s.as_of), '{}'::jsonb)
        || coalesce(s.traits, '{}'::jsonb)
        || coalesce((select jsonb_object_agg(k.key, k.value) from group_traits k
                     where k.instance_id = g.instance_id and (s.as_of is null or k.occurred_at >= s.as_of)), '{}'::jsonb),
        greatest(g.as_of, s.as_of)
      from group_calls g left join usage_instance_traits s on s.instance_id = g.instance_id
      on conflict (instance_id) do update set traits = excluded.traits, as_of = excluded.as_of
    )
    select
      (select count(*) from ev)::int as events,
      array(select distinct instance_id::text from ev where type = 'track' and not backfill order by 1) as activated,
      coalesce((select jsonb_agg(jsonb_build_object('instance_id', instance_id, 'since', since)) from seat_changes), '[]'::jsonb)
        as seat_changes`);
  if (!summary || summary.events === 0) return { events: 0, activated: [] };

  await tx.execute(sql`
    with ev as (${eventsOf(chunk)}),
    days as (
      select instance_id, (array_agg(account_id))[1] as account_id, day, count(*)::int as events
      from ev group by instance_id, day
    )
    insert into usage_daily (instance_id, account_id, day, active_users, events, seats_in_use)
    select d.instance_id, d.account_id, d.day,
      (select count(*) from usage_daily_users u where u.instance_id = d.instance_id and u.day = d.day),
      d.events,
      (select count(*) from usage_users u
       where u.instance_id = d.instance_id and u.first_seen_at < (d.day + 1)::timestamp at time zone 'UTC')
    from days d
    on conflict (instance_id, day) do update set
      active_users = excluded.active_users,
      events = usage_daily.events + excluded.events,
      seats_in_use = excluded.seats_in_use`);

  if (summary.seat_changes.length > 0) {
    await tx.execute(sql`
      update usage_daily d set seats_in_use = (
        select count(*) from usage_users u
        where u.instance_id = d.instance_id and u.first_seen_at < (d.day + 1)::timestamp at time zone 'UTC')
      from jsonb_to_recordset(${JSON.stringify(summary.seat_changes)}::jsonb) as c(instance_id uuid, since timestamptz)
      where d.instance_id = c.instance_id and d.day >= (c.since at time zone 'UTC')::date`);
  }
  return { events: summary.events, activated: summary.activated };
}
