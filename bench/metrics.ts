import type { Sql } from "postgres";
import { addMonths } from "../app/modules/metrics/months";
import { rebuildRollups, rollUpAccount } from "../app/modules/metrics/rollup.server";
import { connectDb } from "../db/client";
import { startPortal } from "../server/portal-process";
import { measurePages, printPages, staffCookie } from "./page-latency";
import type { Report, Scale } from "./scale";

type Sizes = { subscriptions: number; rowsPerSubscription: number };
const FULL: Sizes = { subscriptions: 100_000, rowsPerSubscription: 20 };
const SMOKE: Sizes = { subscriptions: 1_000, rowsPerSubscription: 20 };
/** Accounts rebuilt one by one, as the rollup job does after each webhook, to time it. */
const INCREMENTAL_ACCOUNTS = 500;

/**
 * One account per subscription, each with `rowsPerSubscription` ledger rows spread over the up to
 * two years since it started (the first `created`, then changes of users up and down); one in
 * eight ends cancelled, one in eight unpaid, one in sixteen goes unpaid halfway and is reactivated.
 * Every choice is a function of the row's ordinal, so the same sizes load the same ledger. Ends
 * with VACUUM ANALYZE and a CHECKPOINT, as a long-running database would be.
 */
export async function loadLedger(
  sql: Sql,
  { subscriptions, rowsPerSubscription: rows }: Sizes,
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  await sql`insert into organisations (id, name, created_at)
    select md5('metrics-org-' || i)::uuid, 'Metrics Co ' || i, ${at}::timestamptz - interval '800 days'
    from generate_series(1, ${subscriptions}::int) i`;
  await sql`insert into subscription_ledger (subscription_id, account_id, change, occurred_at, mrr_before_minor,
      mrr_after_minor, currency, reporting_before_minor, reporting_after_minor, reporting_currency, plan_slug,
      quantity, status, reason, stripe_event_id)
    select 'sub_metrics_' || i, md5('metrics-org-' || i)::uuid, change, occurred_at, 0, after, 'usd', 0, after, 'usd',
      'team', 1, status, reason, 'evt_metrics_' || i || '_' || k
    from (
      select i, k,
        ${at}::timestamptz - interval '730 days' + (i % 365) * interval '1 day'
          + k * ((730 - i % 365) / ${rows}::float) * interval '1 day' + (i % 86400) * interval '1 second' as occurred_at,
        case
          when k = ${rows - 1} and i % 8 in (0, 1) then 0
          when i % 16 = 2 and k = ${rows / 2} then 0
          else greatest(500, (1 + i % 10) * 2900 + (((k * 7 + i) % 5) - 2) * 500 * sign(k))
        end::bigint as after,
        case
          when k = 0 then 'created'
          when k = ${rows - 1} and i % 8 = 0 then 'cancellation'
          when (k = ${rows - 1} and i % 8 = 1) or (i % 16 = 2 and k = ${rows / 2}) then 'status'
          when i % 16 = 2 and k = ${rows / 2 + 1} then 'reactivation'
          else 'users'
        end as change,
        case
          when k = ${rows - 1} and i % 8 = 0 then 'canceled'
          when (k = ${rows - 1} and i % 8 = 1) or (i % 16 = 2 and k = ${rows / 2}) then 'unpaid'
          else 'active'
        end as status,
        case when k = ${rows - 1} and i % 8 = 0 then 'cancellation_requested' end as reason
      from generate_series(1, ${subscriptions}::int) i cross join generate_series(0, ${rows - 1}::int) k
    ) rows`;
  await sql`vacuum analyze organisations, subscription_ledger`;
  await sql`checkpoint`;
}

/**
 * Issue 17's performance bench: 100,000 subscriptions and 2,000,000 ledger rows (1% with `--smoke`)
 * in the portal's own database as `npm start` runs it. First every rollup is built at once
 * (`rebuildRollups`, `metrics.rebuild_ledger_rows_per_s`), then a sample of accounts one at a time
 * as the job does after each webhook (`metrics.rollup_account_ms`, the mean). Then, signed in as
 * the demo staff admin, each page's p99 over sequential and concurrent requests (as the staff
 * bench takes them): the revenue overview for 12 and 36 months (`metrics.overview_p99_ms`), the
 * cohort table (`metrics.cohorts_p99_ms`) and the accounts behind a figure
 * (`metrics.accounts_p99_ms`). Target (issue 17): overview and a 12-month cohort table under 200 ms.
 */
export async function metricsScenario(report: Report, { pick }: Scale): Promise<void> {
  const portal = await startPortal({ LOG_LEVEL: "info" });
  const database = connectDb(await portal.databaseUrl(), { max: 4 });
  try {
    const sizes = pick(FULL, SMOKE);
    const now = new Date();
    const loadStarted = performance.now();
    await loadLedger(database.sql, sizes, now);
    const ledgerRows = sizes.subscriptions * sizes.rowsPerSubscription;
    console.error(
      `metrics: ${ledgerRows} ledger rows loaded in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`,
    );

    const rebuildStarted = performance.now();
    const rebuilt = await rebuildRollups(database.db, now);
    const rebuildSeconds = (performance.now() - rebuildStarted) / 1000;
    console.error(
      `metrics: rebuilt ${rebuilt.accounts} accounts (${rebuilt.accountMonths} account-months) in ${rebuildSeconds.toFixed(1)} s`,
    );
    report("metrics.rebuild_ledger_rows_per_s", Math.round(ledgerRows / rebuildSeconds));
    await database.sql`vacuum analyze mrr_account_months, mrr_months, mrr_cohorts`;
    await database.sql`checkpoint`;

    const sample = Math.min(INCREMENTAL_ACCOUNTS, sizes.subscriptions);
    const sampled = await database.sql<{ id: string }[]>`
      select id from organisations where name like 'Metrics Co %' order by id limit ${sample}`;
    const incrementalStarted = performance.now();
    for (const { id } of sampled) await database.db.transaction((tx) => rollUpAccount(tx, id, now));
    report("metrics.rollup_account_ms", Number(((performance.now() - incrementalStarted) / sample).toFixed(1)));

    const cookie = await staffCookie(portal.url, portal.dataDir);
    const samples = pick({ sequential: 100, concurrent: 100, width: 4 }, { sequential: 2, concurrent: 1, width: 2 });
    const month = now.toISOString().slice(0, 7);
    const lastMonth = addMonths(`${month}-01`, -1).slice(0, 7);
    const threeYearsFrom = addMonths(`${month}-01`, -35).slice(0, 7);
    const group = async (name: string, paths: string[]): Promise<number> => {
      const pages = await measurePages(
        paths.map((path) => `${portal.url}${path}`),
        cookie,
        samples,
      );
      printPages(`metrics.${name}`, pages, portal.url);
      return Math.max(...pages.map((page) => page.p99Ms));
    };
    report(
      "metrics.overview_p99_ms",
      await group("overview", ["/staff/metrics", `/staff/metrics?from=${threeYearsFrom}&to=${month}`]),
    );
    report(
      "metrics.cohorts_p99_ms",
      await group("cohorts", [
        "/staff/metrics/cohorts",
        "/staff/metrics/cohorts?view=mrr",
        `/staff/metrics/cohorts?from=${threeYearsFrom}&to=${month}`,
      ]),
    );
    report(
      "metrics.accounts_p99_ms",
      await group("accounts", [
        `/staff/metrics/accounts?month=${lastMonth}&movement=customers`,
        `/staff/metrics/accounts?month=${lastMonth}&movement=expansion`,
        `/staff/metrics/accounts?month=${lastMonth}&movement=churn`,
        `/staff/metrics/accounts?month=${lastMonth}&cohort=${addMonths(`${month}-01`, -12).slice(0, 7)}`,
      ]),
    );
  } finally {
    await database.close();
    await portal.stop();
  }
}
