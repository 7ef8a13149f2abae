import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDemoHistory, type HistoryCounts } from "../../server/demo-history/load";
import { reconcileBilling } from "../../app/modules/billing/reconcile.server";
import { sweepEndedSubscriptions } from "../../app/modules/billing/retention.server";
import { sweepTrials } from "../../app/modules/trials/lifecycle.server";
import { notifyStaffOfOverdueRequests } from "../../app/modules/email/sla-notice.server";
import { sweepOverdueCallbacks } from "../../provisioning";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { startWithClient } from "../support/stripe-emulator";

let database: TestDatabase;
let first: HistoryCounts;
const totals = (counts: HistoryCounts) => Object.fromEntries(Object.entries(counts).map(([t, c]) => [t, c.total]));

beforeAll(async () => {
  database = await createTestDatabase();
  first = await loadDemoHistory(database, { accounts: 12, seed: "test", appUrl: "http://localhost:3000" });
}, 60_000);
afterAll(async () => {
  await dropTestDatabase(database);
});

describe("npm run demo:history", () => {
  it("loads accounts whose rows hang together", async () => {
    expect(first.organisations!.total).toBe(12);
    expect(first.usage_events!.total).toBeGreaterThan(100);
    for (const [table, { total, added }] of Object.entries(first)) expect(added, table).toBe(total);
    const [orphans] = await database.sql<
      { subscriptions: number; instances: number; events: number; months: number; silent: number }[]
    >`
      select
        (select count(*)::int from subscriptions s where s.id like 'sub_hist_%' and (s.instance_id is null
          or not exists (select 1 from service_instances i where i.id = s.instance_id and i.account_id = s.account_id))) as subscriptions,
        (select count(*)::int from service_instances i where not exists
          (select 1 from provisioning_requests r where r.instance_id = i.id)) as instances,
        (select count(*)::int from usage_events e where not exists
          (select 1 from service_instances i where i.id = e.instance_id and i.account_id = e.account_id)
          or not e.backfill) as events,
        (select count(*)::int from usage_events e join usage_message_ids m using (instance_id, message_id)
          where m.month <> date_trunc('month', e.occurred_at at time zone 'UTC')::date) as months,
        (select count(*)::int from service_instances i where i.status <> 'pending'
          and not exists (select 1 from usage_events e where e.instance_id = i.id)) as silent`;
    expect(orphans).toEqual({ subscriptions: 0, instances: 0, events: 0, months: 0, silent: 0 });
    const [ids] = await database.sql<{ events: number; ids: number }[]>`
      select (select count(*)::int from usage_events) as events, (select count(*)::int from usage_message_ids) as ids`;
    expect(ids!.ids).toBe(ids!.events);
  });

  it("writes the ledger the webhooks would have: it replays to each mirror, and this month's MRR is theirs", async () => {
    const drift = await database.sql`
      select s.id from subscriptions s left join subscription_ledger l on l.subscription_id = s.id
      group by s.id having s.mrr_minor <> coalesce(sum(l.mrr_after_minor - l.mrr_before_minor), 0)`;
    expect(drift).toEqual([]);
    const [revenue] = await database.sql<{ rows: number; month: number; paying: number; counting: number }[]>`
      select (select count(*)::int from subscription_ledger) as rows,
        (select end_mrr::int from mrr_months where month = date_trunc('month', now() at time zone 'UTC')::date) as month,
        (select count(*)::int from subscriptions where status in ('active', 'past_due')) as paying,
        (select coalesce(sum(mrr_minor), 0)::int from subscriptions where status in ('active', 'past_due')) as counting`;
    expect(revenue!.rows).toBeGreaterThan(0);
    expect(revenue!.paying).toBeGreaterThan(0);
    // The demo catalog sells in US dollars, the reporting currency: no conversion between them.
    expect(revenue!.month).toBe(revenue!.counting);
  });

  it("rolls the loaded events up before it returns, and queues no activation for history", async () => {
    const [counts] = await database.sql<{ daily: number; recount: number; jobs: number }[]>`
      select (select coalesce(sum(count), 0)::int from usage_daily_events) as daily,
        (select count(*)::int from usage_events where type = 'track') as recount,
        (select count(*)::int from graphile_worker.jobs where task_identifier = 'activation_evaluate') as jobs`;
    expect(counts!.daily).toBe(counts!.recount);
    expect(counts!.jobs).toBe(0);
  });

  it("records a milestone exactly when its events reached it", async () => {
    const rows = await database.sql<{ key: string; reached: Date; counted: number; needed: number }[]>`
      select m.milestone_key as key, m.reached_at as reached,
        (select count(*)::int from usage_events e where e.instance_id = m.instance_id and e.type = 'track'
          and e.event = (ms ->> 'event') and e.occurred_at <= m.reached_at) as counted,
        (ms ->> 'count')::int as needed
      from activation_milestones m
      join service_instances i on i.id = m.instance_id
      join plans p on p.slug = i.plan_slug
      cross join lateral jsonb_array_elements(p.milestones) ms
      where ms ->> 'key' = m.milestone_key and ms ->> 'kind' = 'event'`;
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.counted, row.key).toBeGreaterThanOrEqual(row.needed);
    const [missed] = await database.sql<{ count: number }[]>`
      select count(*)::int from service_instances i join plans p on p.slug = i.plan_slug
      cross join lateral jsonb_array_elements(p.milestones) ms
      where ms ->> 'kind' = 'event' and i.status <> 'pending'
        and not exists (select 1 from activation_milestones m where m.instance_id = i.id and m.milestone_key = ms ->> 'key')
        and (select count(*) from usage_events e where e.instance_id = i.id and e.type = 'track' and e.event = ms ->> 'event'
          and e.occurred_at < i.created_at + make_interval(days => (ms ->> 'windowDays')::int)) >= (ms ->> 'count')::int`;
    expect(missed!.count).toBe(0);
  });

  it("is idempotent: a second run adds nothing, more accounts add only theirs", async () => {
    const again = await loadDemoHistory(database, { accounts: 12, seed: "test", appUrl: "http://localhost:3000" });
    expect(totals(again)).toEqual(totals(first));
    expect(Object.values(again).every((c) => c.added === 0)).toBe(true);
    const more = await loadDemoHistory(database, { accounts: 14, seed: "test", appUrl: "http://localhost:3000" });
    expect(more.organisations).toEqual({ total: 14, added: 2 });
  });

  it("leaves the sweeps nothing to do in bulk: no storm of removals or emails", async () => {
    const { emulator, stripe } = await startWithClient();
    try {
      expect(await reconcileBilling(database.db, stripe)).toEqual({ checked: 0, repaired: [] });
    } finally {
      await emulator.stop();
    }
    const [before] = await database.sql<{ emails: number; requests: number }[]>`
      select (select count(*)::int from outgoing_emails) as emails, (select count(*)::int from provisioning_requests) as requests`;
    await sweepTrials(database.db, "https://portal.test");
    await sweepEndedSubscriptions(database.db);
    await notifyStaffOfOverdueRequests(database.db, "https://portal.test");
    await sweepOverdueCallbacks(database.db);
    const [after] = await database.sql<{ emails: number; requests: number }[]>`
      select (select count(*)::int from outgoing_emails) as emails, (select count(*)::int from provisioning_requests) as requests`;
    expect(after).toEqual(before);
  });
});
