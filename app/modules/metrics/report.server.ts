/**
 * What the revenue pages read (issue 17, ADR 24): the month totals and cohort cells the rollups
 * keep (one row a month, a row per cohort and month: never a scan of accounts), turned into the
 * figures of docs/metrics.md, and the accounts behind a figure, a keyset page at a time.
 * Amounts are minor units of the reporting currency.
 */
import { and, asc, eq, gt, gte, isNotNull, lt, lte, or, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import { decodeCursor, encodeCursor } from "#db/keyset-cursor";
import { mrrAccountMonths, mrrCohorts, mrrMonths, organisations, type Movement } from "#db/schema";
import { addMonths, COHORT_SPAN, monthsBetween } from "./months";
import { emptyTotals, monthFigures, type MonthTotals } from "./movements";

export type MonthReport = { month: string; totals: MonthTotals; figures: ReturnType<typeof monthFigures> };

function totalsOf(row: typeof mrrMonths.$inferSelect): MonthTotals {
  return {
    startMrr: row.startMrr,
    endMrr: row.endMrr,
    customersStart: row.customersStart,
    customersEnd: row.customersEnd,
    mrr: {
      new: row.newMrr,
      reactivation: row.reactivationMrr,
      expansion: row.expansionMrr,
      contraction: row.contractionMrr,
      churn: row.churnMrr,
    },
    accounts: {
      new: row.newAccounts,
      reactivation: row.reactivationAccounts,
      expansion: row.expansionAccounts,
      contraction: row.contractionAccounts,
      churn: row.churnAccounts,
    },
    churnedMrrByKind: { voluntary: row.voluntaryChurnMrr, payment_failure: row.paymentFailureChurnMrr },
  };
}

/**
 * Each of `months` (`YYYY-MM-01`, oldest first) with its totals and figures; a month without a row
 * (nobody paid, nothing moved) is all zeros. One indexed read of `months.length` rows.
 */
export async function loadMonthReports(db: DbOrTx, months: readonly string[]): Promise<MonthReport[]> {
  if (!months.length) return [];
  const rows = await db
    .select()
    .from(mrrMonths)
    .where(and(gte(mrrMonths.month, months[0]!), lte(mrrMonths.month, months.at(-1)!)));
  const byMonth = new Map(rows.map((row) => [row.month, totalsOf(row)]));
  return months.map((month) => {
    const totals = byMonth.get(month) ?? emptyTotals();
    return { month, totals, figures: monthFigures(totals) };
  });
}

/** One cohort's row: its accounts paying and their MRR at the end of month 0…12 after its first paid month (null: not yet). */
export type CohortRow = { cohortMonth: string; cells: ({ customers: number; mrr: number } | null)[] };

/**
 * The cohort table for first-paid months `cohorts` (oldest first): months after `now`'s are null;
 * a month reached with nobody paying any more is zeros. One indexed range read (at most 13 cells a cohort).
 */
export async function loadCohorts(db: DbOrTx, cohorts: readonly string[], now: Date): Promise<CohortRow[]> {
  if (!cohorts.length) return [];
  const current = `${now.toISOString().slice(0, 7)}-01`;
  const rows = await db
    .select()
    .from(mrrCohorts)
    .where(
      and(
        gte(mrrCohorts.cohortMonth, cohorts[0]!),
        lte(mrrCohorts.cohortMonth, cohorts.at(-1)!),
        lte(mrrCohorts.month, addMonths(cohorts.at(-1)!, COHORT_SPAN)),
      ),
    );
  const cells = new Map(rows.map((row) => [`${row.cohortMonth}/${row.month}`, row]));
  return cohorts.map((cohortMonth) => ({
    cohortMonth,
    cells: Array.from({ length: COHORT_SPAN + 1 }, (_, offset) => {
      const month = addMonths(cohortMonth, offset);
      if (monthsBetween(month, current) < 0) return null;
      const cell = cells.get(`${cohortMonth}/${month}`);
      return { customers: cell?.customers ?? 0, mrr: cell?.mrr ?? 0 };
    }),
  }));
}

/** Which accounts a figure stands for: a month's movement, its customers (paying at its end), or a cohort's month. */
export type FigureAccounts =
  | { month: string; movement: Movement }
  | { month: string; movement: "customers" }
  | { month: string; cohortMonth: string };

/**
 * What a figure counts in all, the sum of the accounts `listFigureAccounts` pages through: how many
 * and their MRR in reporting minor units (a movement's amount moved; customers' and a cohort's MRR
 * at the month's end). From the rollups, one row each.
 */
export async function figureTotal(db: DbOrTx, figure: FigureAccounts): Promise<{ accounts: number; mrr: number }> {
  if ("cohortMonth" in figure) {
    const [row] = await db
      .select({ accounts: mrrCohorts.customers, mrr: mrrCohorts.mrr })
      .from(mrrCohorts)
      .where(and(eq(mrrCohorts.cohortMonth, figure.cohortMonth), eq(mrrCohorts.month, figure.month)));
    return row ?? { accounts: 0, mrr: 0 };
  }
  const [{ totals }] = (await loadMonthReports(db, [figure.month])) as [MonthReport];
  return figure.movement === "customers"
    ? { accounts: totals.customersEnd, mrr: totals.endMrr }
    : { accounts: totals.accounts[figure.movement], mrr: totals.mrr[figure.movement] };
}

export type FigureAccount = {
  accountId: string;
  name: string;
  startMrr: number;
  endMrr: number;
  movement: Movement | null;
  amount: number;
  churnKind: string | null;
};

const PAGE_SIZE = 50;

/**
 * One page of the accounts behind a figure, biggest first (the movement's amount, or MRR at the
 * month's end), keyset-paginated on an index per kind; `nextCursor` null on the last page.
 */
export async function listFigureAccounts(
  db: DbOrTx,
  figure: FigureAccounts,
  cursorText: string | null,
): Promise<{ accounts: FigureAccount[]; nextCursor: string | null }> {
  const m = mrrAccountMonths;
  const byAmount = "movement" in figure && figure.movement !== "customers";
  const sortColumn = byAmount ? m.amount : m.endMrr;
  const where: (SQL | undefined)[] = [eq(m.month, figure.month)];
  if ("cohortMonth" in figure) where.push(eq(m.cohortMonth, figure.cohortMonth), gt(m.endMrr, 0));
  else if (figure.movement === "customers") where.push(gt(m.endMrr, 0));
  else where.push(eq(m.movement, figure.movement), isNotNull(m.movement));
  // Amounts are minor units, beyond the cursor's small numbers: carried as a key of digits.
  const cursor = decodeCursor(cursorText, ["key", "uuid"] as const);
  if (cursor && /^\d{1,15}$/.test(cursor[0])) {
    const [size, accountId] = [Number(cursor[0]), cursor[1]];
    // The index orders amounts down and ids up, so no row comparison: `≤ size` bounds the index scan
    // where the page starts; the rest drops the few rows of the same size already shown.
    where.push(lte(sortColumn, size), or(lt(sortColumn, size), and(eq(sortColumn, size), gt(m.accountId, accountId))));
  }
  const rows = await db
    .select({
      accountId: m.accountId,
      name: organisations.name,
      startMrr: m.startMrr,
      endMrr: m.endMrr,
      movement: m.movement,
      amount: m.amount,
      churnKind: m.churnKind,
    })
    .from(m)
    .innerJoin(organisations, eq(organisations.id, m.accountId))
    .where(and(...where))
    // NULLS LAST as the indexes are built (the columns are never null, but the planner matches the words).
    .orderBy(sql`${sortColumn} desc nulls last`, asc(m.accountId))
    .limit(PAGE_SIZE + 1);
  const accounts = rows.slice(0, PAGE_SIZE);
  const last = accounts.at(-1);
  const nextCursor =
    rows.length > PAGE_SIZE && last ? encodeCursor([byAmount ? last.amount : last.endMrr, last.accountId]) : null;
  return { accounts, nextCursor };
}

/** The first month (`YYYY-MM-01`) with revenue figures, or null while none was recorded (the primary key's first entry). */
export async function firstRevenueMonth(db: DbOrTx): Promise<string | null> {
  const [row] = await db.select({ month: sql<string | null>`min(${mrrMonths.month})::text` }).from(mrrMonths);
  return row?.month ?? null;
}
