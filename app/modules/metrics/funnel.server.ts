/**
 * The funnel (issue 17 items 2 and 3, docs/metrics.md "Funnel"): leads → qualified → trials →
 * activated → paid, by month and by first touch, and trial→paid conversion by trial-start month,
 * assisted (staff reached out while the trial ran, issue 16's outreach record) and unassisted.
 * Leads count in the month they came; a trial and what became of it in the month it started.
 * Every read is a range on an indexed start time; per trial, its outcome is an indexed look-up.
 */
import { sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import { decodeCursor, encodeCursor } from "#db/keyset-cursor";
import { addMonths } from "./months";

/** A trial converted when its account first paid within the trial or this many days after it. */
export const CONVERSION_GRACE_DAYS = 30;

/**
 * Where a first touch came from: its UTM source ("google"), else the referring site, marked as one
 * ("google.com (referring site)") so it never reads as a campaign's source, else "Direct".
 */
const sourceOf = (attribution: SQL) => sql`coalesce(
  nullif(${attribution}->>'utm_source', ''),
  substring(${attribution}->>'referrer' from '^https?://(?:www\\.)?([^/:?#]+)') || ' (referring site)',
  'Direct')`;
const campaignOf = (attribution: SQL) => sql`nullif(${attribution}->>'utm_campaign', '')`;

/**
 * One row per trial started in [from, to): its month, whether staff reached out while it ran,
 * whether its account reached an activation milestone during it, when the account first paid in
 * the window, and the account's first touch.
 */
function trialOutcomes(from: string, toExclusive: string): SQL {
  return sql`
    select date_trunc('month', t.started_at at time zone 'UTC')::date as month, t.id as trial_id, t.account_id,
      org.name,
      coalesce(o.before_outcome, false) as assisted,
      exists (select 1 from activation_milestones m where m.account_id = t.account_id
        and m.reached_at >= t.started_at and m.reached_at <= t.trial_end) as activated,
      (select min(l.occurred_at) from subscription_ledger l where l.account_id = t.account_id
        and l.mrr_after_minor > 0 and l.occurred_at >= t.started_at
        and l.occurred_at <= t.trial_end + ${CONVERSION_GRACE_DAYS} * interval '1 day') as paid_at,
      t.started_at,
      ${sourceOf(sql`org.attribution`)} as source, ${campaignOf(sql`org.attribution`)} as campaign
    from (select *, coalesce(ends_at, started_at + length_days * interval '1 day') as trial_end from trials
          where started_at >= ${from}::date and started_at < ${toExclusive}::date) t
    join organisations org on org.id = t.account_id
    left join trial_outreach o on o.trial_id = t.id`;
}

/** Trial→paid conversion of the trials that started in one month. */
export type ConversionMonth = {
  month: string;
  trials: number;
  converted: number;
  assisted: number;
  assistedConverted: number;
  unassisted: number;
  unassistedConverted: number;
  /** Median days from trial start to first payment, of those converted; null with none. */
  medianDaysToConvert: number | null;
};

/** Conversion by trial-start month for `months` (`YYYY-MM-01`, oldest first); a month without trials is zeros. */
export async function loadConversion(db: DbOrTx, months: readonly string[]): Promise<ConversionMonth[]> {
  const rows = await db.execute<{
    month: string;
    trials: number;
    converted: number;
    assisted: number;
    assisted_converted: number;
    median_days: number | null;
  }>(sql`
    select to_char(month, 'YYYY-MM-DD') as month, count(*)::int as trials,
      count(paid_at)::int as converted,
      count(*) filter (where assisted)::int as assisted,
      count(paid_at) filter (where assisted)::int as assisted_converted,
      percentile_cont(0.5) within group (order by extract(epoch from paid_at - started_at) / 86400)
        filter (where paid_at is not null) as median_days
    from (${trialOutcomes(months[0]!, addMonths(months.at(-1)!, 1))}) outcomes
    group by month`);
  const byMonth = new Map([...rows].map((row) => [row.month, row]));
  return months.map((month) => {
    const row = byMonth.get(month);
    const trials = row?.trials ?? 0;
    const assisted = row?.assisted ?? 0;
    const converted = row?.converted ?? 0;
    const assistedConverted = row?.assisted_converted ?? 0;
    return {
      month,
      trials,
      converted,
      assisted,
      assistedConverted,
      unassisted: trials - assisted,
      unassistedConverted: converted - assistedConverted,
      medianDaysToConvert: row?.median_days === null || row?.median_days === undefined ? null : Number(row.median_days),
    };
  });
}

/** The funnel's stages, counted in one month or for one first touch. */
export type FunnelCounts = { leads: number; qualified: number; trials: number; activated: number; paid: number };

const noCounts = (): FunnelCounts => ({ leads: 0, qualified: 0, trials: 0, activated: 0, paid: 0 });

/**
 * The funnel by month for `months`: leads that came in the month and those qualified (any verdict
 * but "not a fit"), trials started in it and, of those, activated during the trial and paid.
 */
export async function loadFunnelByMonth(
  db: DbOrTx,
  months: readonly string[],
): Promise<(FunnelCounts & { month: string })[]> {
  const [from, to] = [months[0]!, addMonths(months.at(-1)!, 1)];
  const rows = await db.execute<{ month: string } & FunnelCounts>(sql`
    with lead_months as (
      select to_char(date_trunc('month', created_at at time zone 'UTC'), 'YYYY-MM-DD') as month,
        count(*)::int as leads, count(*) filter (where verdict <> 'not_a_fit')::int as qualified
      from leads where created_at >= ${from}::date and created_at < ${to}::date group by 1
    ), trial_months as (
      select to_char(month, 'YYYY-MM-DD') as month, count(*)::int as trials,
        count(*) filter (where activated)::int as activated, count(paid_at)::int as paid
      from (${trialOutcomes(from, to)}) outcomes group by 1
    )
    select coalesce(l.month, t.month) as month, coalesce(l.leads, 0) as leads, coalesce(l.qualified, 0) as qualified,
      coalesce(t.trials, 0) as trials, coalesce(t.activated, 0) as activated, coalesce(t.paid, 0) as paid
    from lead_months l full join trial_months t on t.month = l.month`);
  const byMonth = new Map([...rows].map((row) => [row.month, row]));
  return months.map((month) => ({ month, ...noCounts(), ...pick(byMonth.get(month)) }));
}

const pick = (row: FunnelCounts | undefined): Partial<FunnelCounts> =>
  row
    ? { leads: row.leads, qualified: row.qualified, trials: row.trials, activated: row.activated, paid: row.paid }
    : {};

/** One first touch's funnel over a range, and the MRR its accounts pay at the range's end (reporting minor units). */
export type FunnelSource = FunnelCounts & { source: string; campaign: string | null; mrr: number; customers: number };

/** At most this many first touches, the busiest first. */
const MAX_SOURCES = 50;

/**
 * The funnel over `months` by first touch (UTM source and campaign, or referring site, or
 * Direct): leads by their own first touch, trials by their account's, and the MRR of the accounts
 * paying at the end of the last month by their account's first touch (revenue by source).
 */
export async function loadFunnelBySource(db: DbOrTx, months: readonly string[]): Promise<FunnelSource[]> {
  const [from, to, last] = [months[0]!, addMonths(months.at(-1)!, 1), months.at(-1)!];
  const rows = await db.execute<FunnelSource>(sql`
    with lead_sources as (
      select ${sourceOf(sql`attribution`)} as source, ${campaignOf(sql`attribution`)} as campaign,
        count(*)::int as leads, count(*) filter (where verdict <> 'not_a_fit')::int as qualified
      from leads where created_at >= ${from}::date and created_at < ${to}::date group by 1, 2
    ), trial_sources as (
      select source, campaign, count(*)::int as trials, count(*) filter (where activated)::int as activated,
        count(paid_at)::int as paid
      from (${trialOutcomes(from, to)}) outcomes group by 1, 2
    ), revenue_sources as (
      select ${sourceOf(sql`o.attribution`)} as source, ${campaignOf(sql`o.attribution`)} as campaign,
        sum(m.end_mrr)::bigint as mrr, count(*)::int as customers
      from mrr_account_months m join organisations o on o.id = m.account_id
      where m.month = ${last}::date and m.end_mrr > 0 group by 1, 2
    )
    select coalesce(l.source, t.source, r.source) as source, coalesce(l.campaign, t.campaign, r.campaign) as campaign,
      coalesce(l.leads, 0) as leads, coalesce(l.qualified, 0) as qualified, coalesce(t.trials, 0) as trials,
      coalesce(t.activated, 0) as activated, coalesce(t.paid, 0) as paid,
      coalesce(r.mrr, 0)::float8 as mrr, coalesce(r.customers, 0) as customers
    from lead_sources l
    full join trial_sources t on t.source = l.source and t.campaign is not distinct from l.campaign
    full join revenue_sources r on r.source = coalesce(l.source, t.source)
      and r.campaign is not distinct from coalesce(l.campaign, t.campaign)
    order by coalesce(r.mrr, 0) desc, coalesce(l.leads, 0) + coalesce(t.trials, 0) desc, 1, 2
    limit ${MAX_SOURCES}`);
  return [...rows].map((row) => ({ ...row, mrr: Number(row.mrr) }));
}

/** Which of a month's trials a figure stands for. */
export const TRIAL_OUTCOMES = ["all", "activated", "converted", "assisted", "unassisted"] as const;
export type TrialOutcome = (typeof TRIAL_OUTCOMES)[number];

export type TrialAccount = {
  trialId: string;
  accountId: string;
  name: string;
  startedAt: Date;
  activated: boolean;
  assisted: boolean;
  paidAt: Date | null;
};

const TRIALS_PAGE = 50;

/**
 * One page of the trials that started in `month` (`YYYY-MM-01`) behind a funnel or conversion
 * figure, in the order they started, keyset-paginated on (start, id): all of them, the activated,
 * the converted, or the assisted or unassisted ones. `nextCursor` is null on the last page.
 */
export async function listTrialAccounts(
  db: DbOrTx,
  { month, outcome }: { month: string; outcome: TrialOutcome },
  cursorText: string | null,
  pageSize = TRIALS_PAGE,
): Promise<{ trials: TrialAccount[]; nextCursor: string | null }> {
  const filter = {
    all: sql`true`,
    activated: sql`activated`,
    converted: sql`paid_at is not null`,
    assisted: sql`assisted`,
    unassisted: sql`not assisted`,
  }[outcome];
  const cursor = decodeCursor(cursorText, ["time", "uuid"] as const);
  // trials.started_at is kept to the millisecond, as a cursor's Date holds it (db/schema/columns.ts).
  const after = cursor
    ? sql`and (started_at, trial_id) > (${cursor[0].toISOString()}::timestamptz, ${cursor[1]})`
    : sql``;
  const rows = await db.execute<{
    trial_id: string;
    account_id: string;
    name: string;
    started_at: string;
    activated: boolean;
    assisted: boolean;
    paid_at: string | null;
  }>(sql`
    select trial_id, account_id, name, started_at, activated, assisted, paid_at
    from (${trialOutcomes(month, addMonths(month, 1))}) trials
    where ${filter} ${after}
    order by started_at, trial_id limit ${pageSize + 1}`);
  const trials = [...rows].slice(0, pageSize).map((row) => ({
    trialId: row.trial_id,
    accountId: row.account_id,
    name: row.name,
    startedAt: new Date(row.started_at),
    activated: row.activated,
    assisted: row.assisted,
    paidAt: row.paid_at ? new Date(row.paid_at) : null,
  }));
  const last = trials.at(-1);
  return {
    trials,
    nextCursor: rows.length > pageSize && last ? encodeCursor([last.startedAt, last.trialId]) : null,
  };
}
