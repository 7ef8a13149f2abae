/**
 * Issue 17: the month totals and cohort table kept by adding each account's change (rollup.server.ts)
 * always equal what the movement rules give when every account is replayed from its ledger, however
 * the ledgers look, after rebuilding again, after a backdated row, and after carrying accounts
 * into later months, and after rebuilding every rollup at once.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountMonthRows, carryForward, rebuildRollups, rollUpAccount } from "../../app/modules/metrics/rollup.server";
import { accountMonths, monthTotals, type AccountMonth, type LedgerEntry } from "../../app/modules/metrics/movements";
import { subscriptionLedger, type LedgerChange } from "../../db/schema";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { insertOrganisation } from "../support/success";

let database: TestDatabase;
let accounts: string[];

beforeAll(async () => {
  database = await createTestDatabase();
  accounts = [];
  for (let i = 0; i < 4; i += 1) accounts.push(await insertOrganisation(database.db, `Rollup ${i}`));
});
afterAll(async () => {
  await dropTestDatabase(database);
});

const START = Date.UTC(2025, 0, 1);
const DAY_MS = 86_400_000;

/** An account's ledger as generated: rows on two subscriptions over 14 months. */
const ledgerArbitrary = fc.array(
  fc.record({
    subscription: fc.constantFrom("a", "b"),
    day: fc.integer({ min: 0, max: 14 * 30 }),
    mrrAfter: fc.constantFrom(0, 1_000, 2_500, 4_900, 9_800),
    unpaid: fc.boolean(),
  }),
  { maxLength: 8 },
);
type Generated = typeof ledgerArbitrary extends fc.Arbitrary<infer T> ? T : never;

function entriesOf(accountId: string, ledger: Generated, extra = 0): (LedgerEntry & { accountId: string })[] {
  return ledger.map((row, i) => ({
    accountId,
    subscriptionId: `sub_${accountId}_${row.subscription}`,
    occurredAt: new Date(START + row.day * DAY_MS + (i + extra) * 1_000),
    mrrAfter: row.mrrAfter,
    change: row.mrrAfter === 0 && row.unpaid ? "status" : "plan",
    status: row.mrrAfter === 0 && row.unpaid ? "unpaid" : row.mrrAfter === 0 ? "canceled" : "active",
  }));
}

async function insertLedger(entries: (LedgerEntry & { accountId: string })[]) {
  if (!entries.length) return;
  await database.db.insert(subscriptionLedger).values(
    entries.map((entry) => ({
      subscriptionId: entry.subscriptionId,
      accountId: entry.accountId,
      change: entry.change as LedgerChange,
      occurredAt: entry.occurredAt,
      // The rollup reads the after amounts only.
      mrrBeforeMinor: 0,
      mrrAfterMinor: entry.mrrAfter,
      currency: "usd",
      reportingBeforeMinor: 0,
      reportingAfterMinor: entry.mrrAfter,
      reportingCurrency: "usd",
      quantity: 1,
      status: entry.status,
    })),
  );
}

/** The month totals as stored, months with anything in them, keyed `YYYY-MM-01`. */
async function storedMonths() {
  const rows = await database.sql<Record<string, number | string>[]>`
    select to_char(month, 'YYYY-MM-DD') as month, start_mrr::int, end_mrr::int, customers_start, customers_end,
      new_mrr::int, reactivation_mrr::int, expansion_mrr::int, contraction_mrr::int, churn_mrr::int,
      new_accounts, churn_accounts, voluntary_churn_mrr::int, payment_failure_churn_mrr::int
    from mrr_months order by month`;
  return Object.fromEntries(
    rows
      .filter((row) => Object.entries(row).some(([key, value]) => key !== "month" && value !== 0))
      .map(({ month, ...rest }) => [month, rest]),
  );
}

/** The same totals from the movement rules over every account replayed from its ledger up to `until`. */
function expectedMonths(ledgers: Map<string, LedgerEntry[]>, until: Date) {
  const byMonth = new Map<string, AccountMonth[]>();
  for (const entries of ledgers.values()) {
    for (const [month, accountMonth] of accountMonths(entries, until)) {
      byMonth.set(month, [...(byMonth.get(month) ?? []), accountMonth]);
    }
  }
  const expected: Record<string, Record<string, number>> = {};
  for (const [month, months] of [...byMonth].sort()) {
    const t = monthTotals(months);
    const row = {
      start_mrr: t.startMrr,
      end_mrr: t.endMrr,
      customers_start: t.customersStart,
      customers_end: t.customersEnd,
      new_mrr: t.mrr.new,
      reactivation_mrr: t.mrr.reactivation,
      expansion_mrr: t.mrr.expansion,
      contraction_mrr: t.mrr.contraction,
      churn_mrr: t.mrr.churn,
      new_accounts: t.accounts.new,
      churn_accounts: t.accounts.churn,
      voluntary_churn_mrr: t.churnedMrrByKind.voluntary,
      payment_failure_churn_mrr: t.churnedMrrByKind.payment_failure,
    };
    if (Object.values(row).some((value) => value !== 0)) expected[month] = row;
  }
  return expected;
}

async function storedCohorts() {
  const rows = await database.sql<{ key: string; customers: number; mrr: number }[]>`
    select to_char(cohort_month, 'YYYY-MM') || '/' || to_char(month, 'YYYY-MM') as key, customers, mrr::int
    from mrr_cohorts where customers <> 0 or mrr <> 0 order by 1`;
  return Object.fromEntries(rows.map(({ key, customers, mrr }) => [key, { customers, mrr }]));
}

function expectedCohorts(ledgers: Map<string, LedgerEntry[]>, until: Date) {
  const cohorts: Record<string, { customers: number; mrr: number }> = {};
  for (const [accountId, entries] of ledgers) {
    for (const row of accountMonthRows(accountId, entries, until)) {
      if (!row.cohortMonth || row.endMrr <= 0) continue;
      const key = `${row.cohortMonth.slice(0, 7)}/${row.month.slice(0, 7)}`;
      cohorts[key] = { customers: (cohorts[key]?.customers ?? 0) + 1, mrr: (cohorts[key]?.mrr ?? 0) + row.endMrr };
    }
  }
  return Object.fromEntries(Object.entries(cohorts).sort(([a], [b]) => a.localeCompare(b)));
}

async function rollUpAll(until: Date) {
  for (const accountId of accounts) await database.db.transaction((tx) => rollUpAccount(tx, accountId, until));
}

describe("the metrics rollups", () => {
  it("equal the movement rules over every account's ledger: rebuilt, backdated, carried forward", async () => {
    const until = new Date(START + 14 * 30 * DAY_MS);
    await fc.assert(
      fc.asyncProperty(
        fc.array(ledgerArbitrary, { minLength: 4, maxLength: 4 }),
        ledgerArbitrary,
        async (generated, backdated) => {
          await database.sql`truncate subscription_ledger, mrr_account_months, mrr_months, mrr_cohorts`;
          const ledgers = new Map<string, LedgerEntry[]>();
          for (const [i, accountId] of accounts.entries()) {
            const entries = entriesOf(accountId, generated[i]!);
            await insertLedger(entries);
            ledgers.set(accountId, entries);
          }
          await rollUpAll(until);
          expect(await storedMonths()).toEqual(expectedMonths(ledgers, until));
          expect(await storedCohorts()).toEqual(expectedCohorts(ledgers, until));

          // Again (idempotent), then with rows backdated into the first account's history.
          await rollUpAll(until);
          const first = accounts[0]!;
          const extra = entriesOf(first, backdated, 100);
          await insertLedger(extra);
          ledgers.set(first, [...ledgers.get(first)!, ...extra]);
          await database.db.transaction((tx) => rollUpAccount(tx, first, until));
          expect(await storedMonths()).toEqual(expectedMonths(ledgers, until));
          expect(await storedCohorts()).toEqual(expectedCohorts(ledgers, until));

          // Three months on with no change: paying accounts are carried into them, once.
          const later = new Date(until.getTime() + 95 * DAY_MS);
          await database.db.transaction((tx) => carryForward(tx, later));
          await database.db.transaction((tx) => carryForward(tx, later));
          expect(await storedMonths()).toEqual(expectedMonths(ledgers, later));
          expect(await storedCohorts()).toEqual(expectedCohorts(ledgers, later));

          // Rebuilt at once from the whole ledger (three accounts a step): the same figures as built row by row.
          const months = await storedMonths();
          const cohorts = await storedCohorts();
          await rebuildRollups(database.db, later, 3);
          expect(await storedMonths()).toEqual(months);
          expect(await storedCohorts()).toEqual(cohorts);
        },
      ),
      { numRuns: 25 },
    );
  });
});
