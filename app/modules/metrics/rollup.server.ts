/**
 * The metrics rollups (ADR 24): each account's months rebuilt from its ledger
 * (`mrr_account_months`), and the month totals (`mrr_months`) and cohort table (`mrr_cohorts`)
 * moved by exactly the difference, in the caller's transaction, so the metrics pages read a row a
 * month and never sum accounts. Jobs in the `metrics` queue run one at a time, so two rebuilds never
 * move the same totals at once.
 */
import { asc, eq, gt, inArray, sql } from "drizzle-orm";
import type { Database, DbOrTx } from "#db/client";
import { mrrAccountMonths, mrrCohorts, mrrMonths, subscriptionLedger } from "#db/schema";
import { accountMonths, monthOf, movementOf } from "./movements";

/** The graphile-worker queue of the metrics jobs: one at a time. */
export const METRICS_QUEUE = "metrics";
/** Rebuilds one account's months: payload `{ accountId }`, job key per account, queued with each ledger row. */
export const METRICS_ROLLUP_TASK = "metrics_rollup_account";
/** Carries paying accounts into the months that began since their last row (daily). */
export const METRICS_CARRY_TASK = "metrics_carry_forward";

type AccountMonthRow = typeof mrrAccountMonths.$inferInsert;
type MonthShare = Omit<typeof mrrMonths.$inferInsert, "month">;
const MONTH_COLUMNS = [
  "startMrr",
  "endMrr",
  "customersStart",
  "customersEnd",
  "newMrr",
  "reactivationMrr",
  "expansionMrr",
  "contractionMrr",
  "churnMrr",
  "newAccounts",
  "reactivationAccounts",
  "expansionAccounts",
  "contractionAccounts",
  "churnAccounts",
  "voluntaryChurnMrr",
  "paymentFailureChurnMrr",
] as const satisfies (keyof MonthShare)[];

/** Every month total at 0. */
const noShare = () => Object.fromEntries(MONTH_COLUMNS.map((column) => [column, 0])) as Required<MonthShare>;

/** What one account-month adds to its month's totals. */
function monthShare(row: AccountMonthRow): Required<MonthShare> {
  const share = noShare();
  share.startMrr = row.startMrr;
  share.endMrr = row.endMrr;
  share.customersStart = row.startMrr > 0 ? 1 : 0;
  share.customersEnd = row.endMrr > 0 ? 1 : 0;
  if (row.movement) {
    share[`${row.movement}Mrr`] = row.amount ?? 0;
    share[`${row.movement}Accounts`] = 1;
  }
  if (row.movement === "churn") {
    share[row.churnKind === "payment_failure" ? "paymentFailureChurnMrr" : "voluntaryChurnMrr"] = row.amount ?? 0;
  }
  return share;
}

/** What the rollups read of a ledger row (`LedgerEntry`): amounts in the reporting currency. */
const ENTRY_COLUMNS = {
  subscriptionId: subscriptionLedger.subscriptionId,
  occurredAt: subscriptionLedger.occurredAt,
  mrrAfter: subscriptionLedger.reportingAfterMinor,
  change: subscriptionLedger.change,
  status: subscriptionLedger.status,
  reason: subscriptionLedger.reason,
};

/**
 * An account's months as stored: months where it paid at the start or the end (a month at 0 both
 * ends adds nothing), each with its movement and the account's cohort (first month it paid).
 */
export function accountMonthRows(
  accountId: string,
  entries: Parameters<typeof accountMonths>[0],
  until: Date,
): AccountMonthRow[] {
  const months = [...accountMonths(entries, until)];
  const cohortMonth = months.find(([, month]) => month.endMrr > 0)?.[0] ?? null;
  return months
    .filter(([, month]) => month.startMrr > 0 || month.endMrr > 0)
    .map(([key, month]) => {
      const moved = movementOf(month);
      return {
        accountId,
        month: key,
        startMrr: month.startMrr,
        endMrr: month.endMrr,
        movement: moved?.movement ?? null,
        amount: moved?.amount ?? 0,
        churnKind: moved?.movement === "churn" ? month.churnKind : null,
        cohortMonth,
      };
    });
}

/**
 * Rebuilds the account's months from its ledger up to `until`'s month and moves the month and
 * cohort totals by the difference from what was stored. Must run in a transaction (it holds the
 * account's advisory lock to its end). Idempotent; a rebuild after a backdated
 * row (the backfill) corrects every month it touches.
 */
export async function rollUpAccount(tx: DbOrTx, accountId: string, until: Date): Promise<void> {
  // One rebuild of an account at a time (the job, the demo history's loader, a backfill): each moves the totals.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`metrics_rollup:${accountId}`}))`);
  const entries = await tx
    .select(ENTRY_COLUMNS)
    .from(subscriptionLedger)
    .where(eq(subscriptionLedger.accountId, accountId))
    .orderBy(asc(subscriptionLedger.occurredAt), asc(subscriptionLedger.id));
  const fresh = accountMonthRows(accountId, entries, until);
  const stored = await tx.delete(mrrAccountMonths).where(eq(mrrAccountMonths.accountId, accountId)).returning();
  if (fresh.length) await tx.insert(mrrAccountMonths).values(fresh);
  const changes = [
    ...stored.map((row) => ({ row, sign: -1 as const })),
    ...fresh.map((row) => ({ row, sign: 1 as const })),
  ];
  await addToMonths(tx, changes);
  await addToCohorts(tx, changes);
}

/** Account-months to take out of the totals (`sign` −1, as stored before) or add to them (1). */
type Change = { row: AccountMonthRow; sign: 1 | -1 };

/** Moves each month's totals by the net of the changes' shares; a month they leave as it was is not written. */
async function addToMonths(tx: DbOrTx, changes: Change[]): Promise<void> {
  const byMonth = new Map<string, Required<MonthShare>>();
  for (const { row, sign } of changes) {
    const share = monthShare(row);
    let total = byMonth.get(row.month);
    if (!total) byMonth.set(row.month, (total = noShare()));
    for (const column of MONTH_COLUMNS) total[column] += sign * share[column];
  }
  const values = [...byMonth]
    .filter(([, total]) => MONTH_COLUMNS.some((column) => total[column] !== 0))
    .map(([month, total]) => ({ month, ...total }))
    // In month order, as every writer locks them, so two transactions never wait on each other in a circle.
    .sort((a, b) => a.month.localeCompare(b.month));
  if (!values.length) return;
  await tx
    .insert(mrrMonths)
    .values(values)
    .onConflictDoUpdate({
      target: mrrMonths.month,
      set: Object.fromEntries(
        MONTH_COLUMNS.map((column) => [
          column,
          sql`${mrrMonths[column]} + excluded.${sql.identifier(mrrMonths[column].name)}`,
        ]),
      ),
    });
}

/** Moves each (cohort, month) by the net of the paying changes' shares; unchanged ones are not written. */
async function addToCohorts(tx: DbOrTx, changes: Change[]): Promise<void> {
  const byKey = new Map<string, { cohortMonth: string; month: string; customers: number; mrr: number }>();
  for (const { row, sign } of changes) {
    if (!row.cohortMonth || row.endMrr <= 0) continue;
    const key = `${row.cohortMonth}/${row.month}`;
    const cell = byKey.get(key) ?? { cohortMonth: row.cohortMonth, month: row.month, customers: 0, mrr: 0 };
    cell.customers += sign;
    cell.mrr += sign * row.endMrr;
    byKey.set(key, cell);
  }
  const values = [...byKey]
    .filter(([, cell]) => cell.customers !== 0 || cell.mrr !== 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, cell]) => cell);
  if (!values.length) return;
  await tx
    .insert(mrrCohorts)
    .values(values)
    .onConflictDoUpdate({
      target: [mrrCohorts.cohortMonth, mrrCohorts.month],
      set: {
        customers: sql`${mrrCohorts.customers} + excluded.customers`,
        mrr: sql`${mrrCohorts.mrr} + excluded.mrr`,
      },
    });
}

/**
 * Carries every account that paid at the end of its last stored month into each month since,
 * up to `now`'s, at the same MRR (no movement), and adds them to the month and cohort totals.
 * Idempotent: a month already stored for an account is left as it is. Returns the rows added.
 */
export async function carryForward(tx: DbOrTx, now: Date): Promise<number> {
  const rows = await tx.execute<{ added: number }>(sql`
    with last as (
      select distinct on (account_id) account_id, month, end_mrr, cohort_month
      from mrr_account_months order by account_id, month desc
    ), added as (
      insert into mrr_account_months (account_id, month, start_mrr, end_mrr, amount, cohort_month)
      select l.account_id, m::date, l.end_mrr, l.end_mrr, 0, l.cohort_month
      from last l
      cross join generate_series(l.month + interval '1 month', ${monthOf(now)}::date, interval '1 month') m
      where l.end_mrr > 0
      on conflict do nothing
      returning month, end_mrr, cohort_month
    ), months as (
      insert into mrr_months (month, start_mrr, end_mrr, customers_start, customers_end)
      select month, sum(end_mrr), sum(end_mrr), count(*), count(*) from added group by month
      on conflict (month) do update set
        start_mrr = mrr_months.start_mrr + excluded.start_mrr, end_mrr = mrr_months.end_mrr + excluded.end_mrr,
        customers_start = mrr_months.customers_start + excluded.customers_start,
        customers_end = mrr_months.customers_end + excluded.customers_end
    ), cohorts as (
      insert into mrr_cohorts (cohort_month, month, customers, mrr)
      select cohort_month, month, count(*), sum(end_mrr) from added where cohort_month is not null
      group by cohort_month, month
      on conflict (cohort_month, month) do update set
        customers = mrr_cohorts.customers + excluded.customers, mrr = mrr_cohorts.mrr + excluded.mrr
    )
    select count(*)::int as added from added`);
  return [...rows][0]?.added ?? 0;
}

/** Accounts read and rebuilt per step of `rebuildRollups`. */
const REBUILD_ACCOUNTS = 2_000;
/** Account-month rows per insert (8 columns: well under PostgreSQL's 65,535 parameters). */
const INSERT_ROWS = 5_000;

/**
 * Rebuilds every rollup from the whole ledger up to `until`'s month, in one transaction: after a
 * rule changes (docs/metrics.md: figures are recomputed, not patched), after the backfill, or to
 * load a large ledger at once. Pages keep reading the old figures until it commits; rollup jobs
 * wait for it (it holds the rollup tables in EXCLUSIVE mode) and then rebuild their account again.
 * Reads the ledger `batchAccounts` accounts at a time (keyset on the account), so memory stays
 * flat. Returns the accounts and account-months written.
 */
export async function rebuildRollups(
  db: Database,
  until: Date,
  batchAccounts = REBUILD_ACCOUNTS,
): Promise<{ accounts: number; accountMonths: number }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`lock table mrr_account_months, mrr_months, mrr_cohorts in exclusive mode`);
    await tx.delete(mrrAccountMonths);
    await tx.delete(mrrMonths);
    await tx.delete(mrrCohorts);
    let after: string | null = null;
    let accounts = 0;
    let accountMonths = 0;
    for (;;) {
      const batch = await tx
        .selectDistinct({ accountId: subscriptionLedger.accountId })
        .from(subscriptionLedger)
        .where(after ? gt(subscriptionLedger.accountId, after) : undefined)
        .orderBy(asc(subscriptionLedger.accountId))
        .limit(batchAccounts);
      if (!batch.length) break;
      const ids = batch.map((row) => row.accountId);
      const entries = await tx
        .select({ accountId: subscriptionLedger.accountId, ...ENTRY_COLUMNS })
        .from(subscriptionLedger)
        .where(inArray(subscriptionLedger.accountId, ids))
        .orderBy(asc(subscriptionLedger.accountId), asc(subscriptionLedger.occurredAt), asc(subscriptionLedger.id));
      const byAccount = new Map<string, typeof entries>();
      for (const entry of entries) {
        const list = byAccount.get(entry.accountId);
        if (list) list.push(entry);
        else byAccount.set(entry.accountId, [entry]);
      }
      const rows = ids.flatMap((accountId) => accountMonthRows(accountId, byAccount.get(accountId) ?? [], until));
      for (let offset = 0; offset < rows.length; offset += INSERT_ROWS)
        await tx.insert(mrrAccountMonths).values(rows.slice(offset, offset + INSERT_ROWS));
      const changes = rows.map((row) => ({ row, sign: 1 as const }));
      await addToMonths(tx, changes);
      await addToCohorts(tx, changes);
      accounts += ids.length;
      accountMonths += rows.length;
      after = ids.at(-1)!;
    }
    return { accounts, accountMonths };
  });
}
