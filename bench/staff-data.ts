import type { ReservedSql } from "postgres";
import type { Sql } from "../db/client";

/** How many rows the `staff` scenario loads; the smoke run loads 1% of the full sizes. */
export type StaffDataSizes = {
  accounts: number;
  tasks: number;
  requests: number;
  leads: number;
  /** Days of health snapshots per account. */
  snapshotDays: number;
  staff: number;
};

export const FULL_SIZES: StaffDataSizes = {
  accounts: 100_000,
  tasks: 1_000_000,
  requests: 1_000_000,
  leads: 300_000,
  snapshotDays: 30,
  staff: 20,
};

export const SMOKE_SIZES: StaffDataSizes = {
  accounts: 1_000,
  tasks: 10_000,
  requests: 10_000,
  leads: 3_000,
  snapshotDays: 30,
  staff: 20,
};

/**
 * Loads a customer-success portfolio into the portal's database with set-based SQL (generate_series,
 * a few seconds per million rows): organisations (their `account_success` rows come from the
 * foundation's trigger and are then filled: stage, health, PQL, plans, search text, assignment),
 * their people, subscriptions, service instances, playbook tasks (~5% open, spread over the staff),
 * provisioning requests (mostly succeeded; some modify, failed, waiting), leads with contact requests,
 * and `snapshotDays` of health snapshots per account. Every choice is a hash of the row's ordinal,
 * so the same sizes load the same mix. Returns the staff members' ids. Ends with VACUUM ANALYZE and
 * a CHECKPOINT, as a long-running database would be.
 */
export async function loadStaffData(pool: Sql, sizes: StaffDataSizes): Promise<string[]> {
  // One session throughout: the temp tables, the pg_temp function and the settings are per session.
  const sql = await pool.reserve();
  try {
    return await load(sql, sizes);
  } finally {
    sql.release();
  }
}

async function load(sql: ReservedSql, sizes: StaffDataSizes): Promise<string[]> {
  const { accounts, tasks, requests, leads, snapshotDays, staff } = sizes;
  // Bulk load: nothing is lost to a crash here that the run would not redo.
  await sql`set synchronous_commit = off`;
  await sql`set maintenance_work_mem = '256MB'`;
  await sql`set work_mem = '64MB'`;

  // h(salt, n): a stable pseudo-random 0..999 per row, uncorrelated across salts.
  await sql`create or replace function pg_temp.h(salt text, n bigint) returns int
    language sql immutable as $$ select abs(hashtext(salt || n::text)) % 1000 $$`;

  const staffRows = await sql<{ id: string }[]>`
    insert into users (id, email, name, password_hash, email_verified_at, staff_role)
    select md5('staff' || k)::uuid, 'cs' || k || '@northwind.example', 'Success Manager ' || k,
      'not-a-password-hash', now(), 'staff'
    from generate_series(1, ${staff}) k
    returning id`;

  // The ordinal of each account and what the rest derives from it: plan, stage, health.
  // CREATE TABLE AS takes no bound parameters: the size is a whole number of ours, written in.
  await sql.unsafe(`create temp table bench_org as
    select i, md5('org' || i)::uuid as id,
      (array['Acme','Globex','Initech','Umbrella','Stark','Wayne','Hooli','Vandelay','Wonka','Tyrell'])[1 + i % 10]
        || ' ' || (array['Labs','Systems','Logistics','Studio','Partners','Health','Foods','Energy'])[1 + (i / 10) % 8]
        || ' ' || i as name,
      case when pg_temp.h('plan', i) < 400 then 'starter' when pg_temp.h('plan', i) < 750 then 'team'
        when pg_temp.h('plan', i) < 950 then 'business' else 'enterprise' end as plan,
      case when pg_temp.h('stage', i) < 100 then 'prospect' when pg_temp.h('stage', i) < 180 then 'trial'
        when pg_temp.h('stage', i) < 280 then 'onboarding' when pg_temp.h('stage', i) < 830 then 'adopted'
        when pg_temp.h('stage', i) < 930 then 'at_risk' else 'churned' end as stage,
      pg_temp.h('score', i) % 101 as score,
      1 + pg_temp.h('members', i) % 5 as members,
      now() - make_interval(days => pg_temp.h('age', i) % 730, secs => pg_temp.h('sec', i) * 86) as created_at
    from generate_series(1, ${Math.trunc(accounts)}) i`);
  await sql`alter table bench_org add primary key (i)`;
  await sql`create unique index on bench_org (id)`;
  await sql`update bench_org set score = least(100, score + 40) where stage in ('adopted', 'onboarding')`;
  await sql`update bench_org set score = score / 2 where stage = 'at_risk'`;
  // Without statistics the planner would join every row of a temp table with every other.
  await sql`analyze bench_org`;

  await sql`insert into organisations (id, name, created_at)
    select id, name, created_at from bench_org order by i`;

  await sql`insert into users (id, email, name, password_hash, email_verified_at, created_at)
    select md5('user' || o.i || '-' || m)::uuid,
      (array['ana','ben','chen','dana','eli','fatima','gus','hana'])[1 + (o.i + m) % 8] || m || '@'
        || lower(split_part(o.name, ' ', 1)) || '-' || o.i || '.com',
      (array['Ana','Ben','Chen','Dana','Eli','Fatima','Gus','Hana'])[1 + (o.i + m) % 8] || ' Person ' || m,
      'not-a-password-hash', o.created_at, o.created_at
    from bench_org o cross join lateral generate_series(1, o.members) m`;
  await sql`insert into memberships (organisation_id, user_id, role, created_at)
    select o.id, md5('user' || o.i || '-' || m)::uuid, case when m = 1 then 'owner' else 'member' end, o.created_at
    from bench_org o cross join lateral generate_series(1, o.members) m`;

  await sql`insert into service_instances (id, account_id, product_slug, plan_slug, status, snapshot, created_at)
    select md5('inst' || i)::uuid, id, 'northwind-projects', plan,
      case stage when 'churned' then 'deprovisioned' when 'prospect' then 'pending' else 'active' end,
      jsonb_build_object('productSlug', 'northwind-projects', 'planSlug', plan, 'planName', initcap(plan),
        'seats', 2 + members * 2, 'limits', jsonb_build_object('projects', 100), 'features', '[]'::jsonb,
        'trialEndsAt', null),
      created_at
    from bench_org`;

  // As a portal that has run for years has them: a service removed 30 days after its subscription
  // ended (the hourly retention sweep's work already done, not a backlog of it for the bench to meet).
  await sql`insert into subscriptions (id, account_id, status, plan_slug, quantity, current_period_end,
      payment_failed_at, ended_at, instance_id, deprovision_requested_at)
    select 'sub_bench_' || i, id,
      case when stage = 'churned' then 'canceled' when pg_temp.h('pay', i) < 15 then 'past_due'
        when pg_temp.h('pay', i) < 20 then 'unpaid' else 'active' end,
      plan, 2 + members * 2, now() + make_interval(days => pg_temp.h('period', i) % 30),
      case when stage <> 'churned' and pg_temp.h('pay', i) < 25
        then now() - make_interval(days => pg_temp.h('failed', i) % 20) end,
      case when stage = 'churned' then now() - make_interval(days => pg_temp.h('ended', i) % 300) end,
      md5('inst' || i)::uuid,
      case when stage = 'churned' and pg_temp.h('ended', i) % 300 >= 30
        then now() - make_interval(days => pg_temp.h('ended', i) % 300 - 30) end
    from bench_org where stage in ('onboarding', 'adopted', 'at_risk', 'churned')`;

  // Fresh statistics first: without them the planner reads every membership for each account's
  // search text (a nested loop of 100,000 × 300,000 rows that ran for over 20 minutes).
  await sql`analyze memberships, users, account_success`;
  // The row the health job keeps current: the portfolio, the staff home and "Trials to call" read it.
  await sql`update account_success s set
      assigned_staff_id = case when pg_temp.h('assign', o.i) < 100 then null
        else md5('staff' || (1 + pg_temp.h('who', o.i) % ${staff}))::uuid end,
      stage = o.stage,
      stage_day = case o.stage when 'trial' then 1 + pg_temp.h('day', o.i) % 14
        when 'onboarding' then 1 + pg_temp.h('day', o.i) % 90 end,
      health_score = case when o.stage <> 'prospect' then o.score end,
      health_band = case when o.stage = 'prospect' then null when o.score < 50 then 'red'
        when o.score < 75 then 'yellow' else 'green' end,
      health_profile = case when o.stage = 'prospect' then null
        when o.stage in ('trial', 'onboarding') then 'onboarding' else 'standard' end,
      health_change_7d = case when o.stage <> 'prospect' then pg_temp.h('d7', o.i) % 31 - 15 end,
      health_change_30d = case when o.stage <> 'prospect' then pg_temp.h('d30', o.i) % 61 - 30 end,
      health_dropped_at = case when pg_temp.h('drop', o.i) < 15
        then now() - make_interval(days => pg_temp.h('dropday', o.i) % 30) end,
      pql_score = case when o.stage = 'trial' then pg_temp.h('pql', o.i) % 101 end,
      pql_reasons = case when o.stage = 'trial'
        then '["Fits the Team plan", "3 of 5 milestones reached", "Viewed pricing twice"]'::jsonb end,
      mrr_minor = case when o.stage in ('onboarding', 'adopted', 'at_risk') then
        (case o.plan when 'starter' then 1900 when 'team' then 4900 when 'business' then 9900 else 49900 end)
          * (2 + o.members * 2) else 0 end,
      currency = case when o.stage <> 'prospect' then 'usd' end,
      plan_slugs = case when o.stage = 'prospect' then '{}'::text[]
        when pg_temp.h('second', o.i) < 50 then array[o.plan, 'starter'] else array[o.plan] end,
      trial_ends_at = case when o.stage = 'trial' then now() + make_interval(days => pg_temp.h('ends', o.i) % 15) end,
      attention = case when o.stage = 'churned' then 900 when o.stage = 'prospect' then 800
        else o.score * 5 + case o.stage when 'at_risk' then 0 when 'trial' then 50 else 200 end end,
      search = lower(o.name) || ' ' || (select string_agg(u.email || ' ' || split_part(u.email, '@', 2), ' ')
        from memberships m join users u on u.id = m.user_id where m.organisation_id = o.id),
      computed_at = now()
    from bench_org o where s.account_id = o.id`;

  await sql`insert into cs_tasks (account_id, subject, title, reason, link, assignee_id, status, due_at,
      outcome, note, completed_by, completed_at, created_at, updated_at)
    select o.id, '',
      (array['Welcome call','Check in: day 30','Check in: day 60','Check in: day 90','Call: ready to buy',
        'Help with setup','Payment failing','Renewal in 60 days'])[1 + pg_temp.h('title', t) % 8],
      'Opened by the 30-60-90 playbook', '/staff/accounts/' || o.id,
      case when pg_temp.h('queue', t) < 100 then null else md5('staff' || (1 + pg_temp.h('who', t) % ${staff}))::uuid end,
      case when pg_temp.h('open', t) < 50 then 'open' else 'done' end,
      case when pg_temp.h('open', t) < 50 then now() + make_interval(days => pg_temp.h('due', t) % 30 - 10)
        else now() - make_interval(days => 1 + pg_temp.h('due', t) % 700) end,
      case when pg_temp.h('open', t) >= 50
        then (array['called','emailed','no_answer','not_needed'])[1 + pg_temp.h('outcome', t) % 4] end,
      case when pg_temp.h('open', t) >= 50 then 'Spoke to the owner.' end,
      case when pg_temp.h('open', t) >= 50 then md5('staff' || (1 + pg_temp.h('who', t) % ${staff}))::uuid end,
      case when pg_temp.h('open', t) >= 50 then now() - make_interval(days => 1 + pg_temp.h('due', t) % 700) end,
      now() - make_interval(days => 3 + pg_temp.h('due', t) % 700), now()
    from generate_series(1, ${tasks}) t join bench_org o on o.i = 1 + t % ${accounts}`;

  // Requests: most succeeded; open ones recent, a few stuck for weeks. queue_rank is generated. Staff
  // were told of each open request past its SLA within 5 minutes (the sweep's work already done).
  await sql`insert into provisioning_requests (account_id, instance_id, operation, status, provisioner, snapshot,
      attempts, max_attempts, last_error, waiting_reason, claimed_by, claimed_at, sla_due_at, sla_notified_at,
      idempotency_key, created_at, updated_at, completed_at)
    select o.id, md5('inst' || o.i)::uuid, r.operation, r.status,
      case when o.plan = 'enterprise' then 'manual' else 'demo' end,
      jsonb_build_object('productSlug', 'northwind-projects', 'planSlug', r.plan, 'planName', initcap(r.plan),
        'seats', 2 + o.members * 2, 'limits', jsonb_build_object('projects', 100), 'features', '[]'::jsonb,
        'trialEndsAt', null),
      case when r.status = 'succeeded' then 1 else 1 + pg_temp.h('attempts', r.n) % 5 end, 5,
      case when r.status = 'failed' then 'The control plane answered 500' end,
      case when r.status = 'waiting_staff' then 'Needs a person to set up the workspace'
        when r.status = 'waiting_customer' then 'Waiting for the customer to confirm their domain' end,
      case when r.status = 'waiting_staff' and pg_temp.h('claim', r.n) < 300
        then md5('staff' || (1 + pg_temp.h('who', r.n) % ${staff}))::uuid end,
      case when r.status = 'waiting_staff' and pg_temp.h('claim', r.n) < 300 then r.created_at + interval '1 hour' end,
      r.created_at + interval '1 day',
      case when r.status not in ('succeeded', 'cancelled') and r.created_at + interval '1 day 5 minutes' < now()
        then r.created_at + interval '1 day 5 minutes' end,
      case when r.operation = 'provision' and pg_temp.h('trial', r.n) < 400 then 'trial:' else 'bench:' end || r.n,
      r.created_at, r.created_at + interval '5 minutes',
      case when r.status in ('succeeded', 'failed', 'cancelled') then r.created_at + interval '5 minutes' end
    from (
      select n,
        case when pg_temp.h('op', n) < 300 then 'provision' when pg_temp.h('op', n) < 750 then 'modify'
          when pg_temp.h('op', n) < 850 then 'suspend' when pg_temp.h('op', n) < 930 then 'resume'
          else 'deprovision' end as operation,
        s.status,
        case when pg_temp.h('rplan', n) < 400 then 'starter' when pg_temp.h('rplan', n) < 750 then 'team'
          when pg_temp.h('rplan', n) < 950 then 'business' else 'enterprise' end as plan,
        case when s.status in ('succeeded', 'cancelled') or pg_temp.h('stuck', n) < 100
          then now() - make_interval(days => pg_temp.h('age', n) % 730, secs => pg_temp.h('sec', n) * 86)
          else now() - make_interval(hours => pg_temp.h('age', n) % 240, secs => pg_temp.h('sec', n) * 3) end
          as created_at
      from generate_series(1, ${requests}) n
      cross join lateral (select case when pg_temp.h('status', n) < 930 then 'succeeded'
        when pg_temp.h('status', n) < 950 then 'cancelled' when pg_temp.h('status', n) < 965 then 'failed'
        when pg_temp.h('status', n) < 975 then 'waiting_staff' when pg_temp.h('status', n) < 985 then 'waiting_customer'
        when pg_temp.h('status', n) < 993 then 'queued' else 'running' end as status) s
    ) r join bench_org o on o.i = 1 + (r.n * 7) % ${accounts}`;

  await sql`insert into leads (id, created_at, answers, verdict, plan_slug, score, result, attribution,
      organisation_id, contact_requested_at)
    select md5('lead' || l.n)::uuid, l.created_at,
      jsonb_build_object('seats', 1 + pg_temp.h('seats', l.n) % 200, 'company', 'Prospect ' || l.n,
        'industry', (array['software','retail','health','finance'])[1 + pg_temp.h('ind', l.n) % 4]),
      l.verdict, l.plan, pg_temp.h('lscore', l.n) % 101,
      jsonb_build_object('verdict', l.verdict, 'planSlug', l.plan, 'requirements', '[]'::jsonb,
        'reasons', jsonb_build_array('Needs single sign-on', 'About 40 users'), 'estimatedMonthly', null,
        'score', pg_temp.h('lscore', l.n) % 101),
      jsonb_build_object('utm_source', (array['google','newsletter','linkedin','partner'])[1 + pg_temp.h('utm', l.n) % 4]),
      case when pg_temp.h('lorg', l.n) < 300 then md5('org' || (1 + l.n % ${accounts}))::uuid end,
      case when pg_temp.h('contact', l.n) < 80 then l.created_at + interval '10 minutes' end
    from (
      select n,
        now() - make_interval(days => pg_temp.h('lage', n) % 730, secs => pg_temp.h('lsec', n) * 86) as created_at,
        case when pg_temp.h('verdict', n) < 450 then 'fits' when pg_temp.h('verdict', n) < 650 then 'fits_higher_plan'
          when pg_temp.h('verdict', n) < 750 then 'talk_to_us' else 'not_a_fit' end as verdict,
        case when pg_temp.h('verdict', n) >= 750 then null when pg_temp.h('lplan', n) < 400 then 'starter'
          when pg_temp.h('lplan', n) < 750 then 'team' when pg_temp.h('lplan', n) < 950 then 'business'
          else 'enterprise' end as plan
      from generate_series(1, ${leads}) n
    ) l`;
  await sql`insert into contact_requests (lead_id, created_at, email, message)
    select id, contact_requested_at + make_interval(days => k - 1), 'buyer' || k || '@prospect.example',
      'Please call me about pricing.'
    from leads cross join lateral generate_series(1, case when contact_requested_at is null then 0
      when abs(hashtext(id::text)) % 4 = 0 then 2 else 1 end) k`;

  // A hundred shapes of the measures (what a day's snapshot explains), picked per row.
  await sql`create temp table bench_measures as
    select v, jsonb_agg(jsonb_build_object('key', m.key, 'score', (v * 7 + m.w * 13) % 101, 'weight', m.w,
      'effectiveWeight', m.w, 'explanation', m.words)) as measures
    from generate_series(0, 99) v cross join (values
      ('active_users', 25, '4 of 10 users bought were active in the last 28 days'),
      ('breadth', 15, '3 of 6 features used in the last 28 days'),
      ('frequency', 15, 'Active on 3.2 days a week on average'),
      ('unused_seats', 15, '2 of 10 users bought have never signed in, after 5 months'),
      ('setup', 10, 'Every setup request succeeded'),
      ('payment', 15, 'Payments are up to date'),
      ('contact', 5, 'No contact requests in the last 30 days')) m(key, w, words)
    group by v`;
  await sql`insert into health_snapshots (account_id, day, score, band, profile, computed_score, measures,
      weights_version, computed_at)
    select o.id, (current_date - d)::date, sc.score,
      case when sc.score < 50 then 'red' when sc.score < 75 then 'yellow' else 'green' end,
      case when o.stage in ('trial', 'onboarding') then 'onboarding' else 'standard' end, sc.score,
      bm.measures, 1, (current_date - d)::timestamptz + interval '2 hours'
    from (select * from bench_org order by id) o
    cross join generate_series(0, ${snapshotDays - 1}) d
    cross join lateral (select greatest(0, least(100, o.score + (pg_temp.h('hs' || d, o.i) % 21) - 10)) as score) sc
    join bench_measures bm on bm.v = (o.i + d) % 100`;

  await sql`drop table bench_org, bench_measures`;
  for (const table of [
    "organisations",
    "users",
    "memberships",
    "service_instances",
    "subscriptions",
    "account_success",
    "cs_tasks",
    "provisioning_requests",
    "leads",
    "contact_requests",
    "health_snapshots",
  ]) {
    await sql.unsafe(`vacuum analyze ${table}`);
  }
  // The load's gigabytes written out now, as a database that has run a while has them, not by the
  // checkpointer in the middle of a measurement.
  await sql`checkpoint`;
  return staffRows.map((row) => row.id);
}
