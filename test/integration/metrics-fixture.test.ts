/**
 * Issue 17, "Correctness": 20 subscriptions of 16 accounts over 14 months (January 2025 to February
 * 2026) — upgrades, downgrades, an annual plan and an interval change, a trial, a start and
 * cancellation in one month, payment-failure churn both ways Stripe ends it, reactivation inside
 * and outside the 90-day window, a discount, a second subscription, another currency — whose every
 * monthly figure was computed by hand (the tables below), not by the code under test. The ledger
 * rows go in out of order, each followed by the rollup as the job would run it, through real
 * PostgreSQL; the figures are read as the pages read them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toReporting } from "../../app/modules/metrics/currency";
import { carryForward, rollUpAccount } from "../../app/modules/metrics/rollup.server";
import {
  listFigureAccounts,
  loadCohorts,
  loadMonthReports,
  type MonthReport,
} from "../../app/modules/metrics/report.server";
import type Stripe from "stripe";
import type { AppLoadContext } from "@remix-run/node";
import { subscriptionLedger, users, type LedgerChange } from "../../db/schema";
import * as overviewRoute from "../../app/routes/staff.metrics._index";
import * as cohortsRoute from "../../app/routes/staff.metrics.cohorts";
import * as accountsRoute from "../../app/routes/staff.metrics.accounts";
import * as exportRoute from "../../app/routes/staff.metrics[.csv]";
import type { Table } from "../../app/modules/metrics/tables";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { callRoute, ROUTE_APP_URL, routeContext, signedIn } from "../support/routes";
import { insertOrganisation } from "../support/success";

/** [subscription, account, when (UTC), MRR after in major units, change, status, reason, currency]. */
type Row = [string, string, string, number, LedgerChange, string, string | null, string];
const usd = (
  sub: string,
  at: string,
  after: number,
  change: LedgerChange,
  status = "active",
  reason: string | null = null,
): Row => [sub, sub[0]!, at, after, change, status, reason, "usd"];
const cancelled = (sub: string, at: string, reason = "cancellation_requested") =>
  usd(sub, at, 0, "cancellation", "canceled", reason);

const LEDGER: Row[] = [
  usd("A1", "2025-01-10T09:00:00Z", 100, "created"),
  usd("A1", "2025-04-15T09:00:00Z", 200, "plan"),
  // An annual plan of $1,200 a year: its MRR is a twelfth.
  usd("B1", "2025-01-20T09:00:00Z", 100, "created"),
  usd("C1", "2025-02-05T09:00:00Z", 50, "created"),
  usd("C1", "2025-03-10T09:00:00Z", 80, "users"),
  usd("C1", "2025-06-02T09:00:00Z", 60, "users"),
  cancelled("C1", "2025-09-01T00:00:00Z"),
  // Trialled from 1 February (0 MRR, no row), paying from the 15th; unpaid in July, paying again in August.
  usd("D1", "2025-02-15T09:00:00Z", 100, "created"),
  usd("D1", "2025-07-20T09:00:00Z", 0, "status", "unpaid"),
  usd("D1", "2025-08-10T09:00:00Z", 100, "reactivation"),
  // Started and cancelled in March: counts as neither.
  usd("E1", "2025-03-03T09:00:00Z", 300, "created"),
  cancelled("E1", "2025-03-25T09:00:00Z"),
  usd("F1", "2025-01-05T09:00:00Z", 200, "created"),
  cancelled("F1", "2025-02-28T12:00:00Z"),
  // Back 123 days after churning: outside the window, so new again.
  usd("F2", "2025-07-01T09:00:00Z", 200, "created"),
  usd("G1", "2025-04-01T09:00:00Z", 150, "created"),
  cancelled("G1", "2025-05-15T09:00:00Z", "payment_failed"),
  // Back 36 days later: a reactivation.
  usd("G2", "2025-06-20T09:00:00Z", 150, "created"),
  usd("H1", "2025-05-10T09:00:00Z", 500, "created"),
  // From $6,000 a year to $550 a month.
  usd("H1", "2025-11-05T09:00:00Z", 550, "interval"),
  usd("I1", "2025-06-01T09:00:00Z", 100, "created"),
  usd("I2", "2025-06-15T09:00:00Z", 50, "created"),
  cancelled("I2", "2025-08-31T12:00:00Z"),
  // 20% off from October.
  usd("I1", "2025-10-01T09:00:00Z", 80, "discount"),
  usd("J1", "2025-12-15T09:00:00Z", 400, "created"),
  cancelled("J1", "2026-02-10T09:00:00Z"),
  usd("K1", "2026-01-20T09:00:00Z", 250, "created"),
  // Upgraded in its first month: new $300, not new and expansion.
  usd("L1", "2025-01-15T09:00:00Z", 100, "created"),
  usd("L1", "2025-01-25T09:00:00Z", 300, "plan"),
  usd("M1", "2025-09-10T09:00:00Z", 100, "created"),
  usd("M1", "2025-09-20T09:00:00Z", 60, "plan"),
  usd("M1", "2025-10-05T09:00:00Z", 120, "plan"),
  usd("N1", "2025-02-10T09:00:00Z", 100, "created"),
  cancelled("N1", "2025-03-05T09:00:00Z"),
  // Back 76 days later: a reactivation; cancelled again an hour before the year ends.
  usd("N2", "2025-05-20T09:00:00Z", 100, "created"),
  cancelled("N2", "2025-12-31T23:00:00Z"),
  // €92 a month is $100 at the fixed rate (0.92 euros per dollar).
  ["O1", "O", "2025-08-01T09:00:00Z", 92, "created", "active", null, "eur"],
  // Past due in May (no MRR change, no row): still counting.
  usd("P1", "2025-03-15T09:00:00Z", 70, "created"),
];

/** Hand-computed, in dollars: each month's start, movements, end, customers at both ends, churn by kind. */
const MONTHS: Record<
  string,
  [
    start: number,
    newMrr: number,
    reactivation: number,
    expansion: number,
    contraction: number,
    churn: number,
    end: number,
    customersStart: number,
    customersEnd: number,
    voluntary: number,
    paymentFailure: number,
  ]
> = {
  "2025-01-01": [0, 700, 0, 0, 0, 0, 700, 0, 4, 0, 0],
  "2025-02-01": [700, 250, 0, 0, 0, 200, 750, 4, 6, 200, 0],
  "2025-03-01": [750, 70, 0, 30, 0, 100, 750, 6, 6, 100, 0],
  "2025-04-01": [750, 150, 0, 100, 0, 0, 1000, 6, 7, 0, 0],
  "2025-05-01": [1000, 500, 100, 0, 0, 150, 1450, 7, 8, 0, 150],
  "2025-06-01": [1450, 150, 150, 0, 20, 0, 1730, 8, 10, 0, 0],
  "2025-07-01": [1730, 200, 0, 0, 0, 100, 1830, 10, 10, 0, 100],
  "2025-08-01": [1830, 100, 100, 0, 50, 0, 1980, 10, 12, 0, 0],
  "2025-09-01": [1980, 60, 0, 0, 0, 60, 1980, 12, 12, 60, 0],
  "2025-10-01": [1980, 0, 0, 60, 20, 0, 2020, 12, 12, 0, 0],
  "2025-11-01": [2020, 0, 0, 50, 0, 0, 2070, 12, 12, 0, 0],
  "2025-12-01": [2070, 400, 0, 0, 0, 100, 2370, 12, 12, 100, 0],
  "2026-01-01": [2370, 250, 0, 0, 0, 0, 2620, 12, 13, 0, 0],
  "2026-02-01": [2620, 0, 0, 0, 0, 400, 2220, 13, 12, 400, 0],
};
const NOW = new Date("2026-02-20T12:00:00Z");
const CENTS = 100;

let database: TestDatabase;
const accountIds = new Map<string, string>();

/** A deterministic shuffle (the ledger's rows arrive in any order). */
function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  let seed = 17;
  for (let i = out.length - 1; i > 0; i -= 1) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

beforeAll(async () => {
  database = await createTestDatabase();
  for (const letter of "ABCDEFGHIJKLMNOP")
    accountIds.set(letter, await insertOrganisation(database.db, `Fixture ${letter}`));
  // Each row's before is the subscription's previous after, in time order.
  const before = new Map<string, number>();
  const rows = [...LEDGER]
    .sort((a, b) => a[2].localeCompare(b[2]))
    .map(([sub, account, at, after, change, status, reason, currency]) => {
      const afterMinor = after * CENTS;
      const beforeMinor = before.get(sub) ?? 0;
      before.set(sub, afterMinor);
      return {
        subscriptionId: `sub_fixture_${sub}`,
        accountId: accountIds.get(account)!,
        change,
        occurredAt: new Date(at),
        mrrBeforeMinor: beforeMinor,
        mrrAfterMinor: afterMinor,
        currency,
        reportingBeforeMinor: toReporting(beforeMinor, currency),
        reportingAfterMinor: toReporting(afterMinor, currency),
        reportingCurrency: "usd",
        quantity: 1,
        status,
        reason,
        stripeEventId: `evt_fixture_${sub}_${at}`,
      };
    });
  // Out of order, each followed by its account's rollup (as the job queued with it), at "now".
  for (const row of shuffled(rows))
    await database.db.transaction(async (tx) => {
      await tx.insert(subscriptionLedger).values(row);
      await rollUpAccount(tx, row.accountId, NOW);
    });
  await carryForward(database.db, NOW);
});
afterAll(async () => {
  await dropTestDatabase(database);
});

describe("the hand-computed 14 months (docs/metrics.md)", () => {
  it("gives every month's MRR, movements, customers and churn by kind", async () => {
    const reports = await loadMonthReports(database.db, Object.keys(MONTHS));
    const actual = Object.fromEntries(
      reports.map(({ month, totals: t }) => [
        month,
        [
          t.startMrr / CENTS,
          t.mrr.new / CENTS,
          t.mrr.reactivation / CENTS,
          t.mrr.expansion / CENTS,
          t.mrr.contraction / CENTS,
          t.mrr.churn / CENTS,
          t.endMrr / CENTS,
          t.customersStart,
          t.customersEnd,
          t.churnedMrrByKind.voluntary / CENTS,
          t.churnedMrrByKind.payment_failure / CENTS,
        ],
      ]),
    );
    expect(actual).toEqual(MONTHS);
    // Nothing before the first row or after now.
    const outside = await loadMonthReports(database.db, ["2024-12-01", "2026-03-01"]);
    expect(outside.map((report) => report.totals.endMrr)).toEqual([0, 0]);
  });

  it("counts accounts per movement", async () => {
    const reports = await loadMonthReports(database.db, Object.keys(MONTHS));
    const counts = reports.map(({ totals }) => [
      totals.accounts.new,
      totals.accounts.reactivation,
      totals.accounts.expansion,
      totals.accounts.contraction,
      totals.accounts.churn,
    ]);
    expect(counts).toEqual([
      [4, 0, 0, 0, 0],
      [3, 0, 0, 0, 1],
      [1, 0, 1, 0, 1],
      [1, 0, 1, 0, 0],
      [1, 1, 0, 0, 1],
      [1, 1, 0, 1, 0],
      [1, 0, 0, 0, 1],
      [1, 1, 0, 1, 0],
      [1, 0, 0, 0, 1],
      [0, 0, 1, 1, 0],
      [0, 0, 1, 0, 0],
      [1, 0, 0, 0, 1],
      [1, 0, 0, 0, 0],
      [0, 0, 0, 0, 1],
    ]);
  });

  it("derives ARR, ARPA, churn rates, retention and the quick ratio", async () => {
    const [february, may, october] = (
      await loadMonthReports(database.db, ["2025-02-01", "2025-05-01", "2025-10-01"])
    ).map((report) => report) as [MonthReport, MonthReport, MonthReport];
    expect(may.figures).toEqual({
      mrr: 145_000,
      arr: 1_740_000,
      customers: 8,
      arpa: 18_125,
      logoChurn: 1 / 7,
      revenueChurn: 0.15,
      netRevenueRetention: 0.85,
      grossRevenueRetention: 0.85,
      quickRatio: 4,
      bridgeEnd: 145_000,
    });
    expect(february.figures).toMatchObject({ logoChurn: 0.25, revenueChurn: 200 / 700, quickRatio: 1.25 });
    expect(october.figures).toMatchObject({
      netRevenueRetention: 2020 / 1980,
      grossRevenueRetention: 1960 / 1980,
      quickRatio: 3,
    });
  });

  it("keeps each first-paid month's customers and MRR for month 0 to 12", async () => {
    const [january, february, march] = await loadCohorts(database.db, ["2025-01-01", "2025-02-01", "2025-03-01"], NOW);
    // A, B, F, L: F gone February to June; A upgraded in April.
    const januaryCustomers = [4, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4];
    const januaryMrr = [700, 500, 500, 600, 600, 600, 800, 800, 800, 800, 800, 800, 800];
    expect(january!.cells.map((cell) => cell?.customers)).toEqual(januaryCustomers);
    expect(january!.cells.map((cell) => (cell?.mrr ?? 0) / CENTS)).toEqual(januaryMrr);
    // C, D, N.
    expect(february!.cells.map((cell) => cell?.customers)).toEqual([3, 2, 2, 3, 3, 2, 3, 2, 2, 2, 1, 1, 1]);
    expect(february!.cells.map((cell) => (cell?.mrr ?? 0) / CENTS)).toEqual([
      250, 180, 180, 280, 260, 160, 260, 200, 200, 200, 100, 100, 100,
    ]);
    // P alone (E never paid at a month's end); month 12 (March 2026) not reached yet.
    expect(march!.cells.map((cell) => cell?.customers ?? null)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, null]);
  });

  it("lists the accounts behind a figure, biggest first", async () => {
    const name = (letter: string) => `Fixture ${letter}`;
    const names = async (figure: Parameters<typeof listFigureAccounts>[1]) =>
      (await listFigureAccounts(database.db, figure, null)).accounts.map((account) => account.name);
    const januaryNew = await names({ month: "2025-01-01", movement: "new" });
    expect(januaryNew.slice(0, 2)).toEqual([name("L"), name("F")]);
    expect(new Set(januaryNew.slice(2))).toEqual(new Set([name("A"), name("B")]));
    const mayChurn = await listFigureAccounts(database.db, { month: "2025-05-01", movement: "churn" }, null);
    expect(mayChurn.accounts).toMatchObject([{ name: name("G"), amount: 15_000, churnKind: "payment_failure" }]);
    expect(await names({ month: "2025-08-01", movement: "reactivation" })).toEqual([name("D")]);
    expect(await names({ month: "2025-12-01", cohortMonth: "2025-02-01" })).toEqual([name("D")]);
    expect(await names({ month: "2026-02-01", movement: "customers" })).toHaveLength(12);
    expect(await names({ month: "2025-03-01", movement: "new" })).toEqual([name("P")]);
  });

  it("pages through the accounts behind a figure in order, without repeats or gaps", async () => {
    // 120 more accounts new in January 2027, some of the same size (ties broken by id).
    const later = new Date("2027-01-20T00:00:00Z");
    for (let n = 0; n < 120; n += 1) {
      const accountId = await insertOrganisation(database.db, `Paging ${n}`);
      const amount = (1 + (n % 7)) * 1_000;
      await database.db.transaction(async (tx) => {
        await tx.insert(subscriptionLedger).values({
          subscriptionId: `sub_paging_${n}`,
          accountId,
          change: "created",
          occurredAt: new Date("2027-01-05T00:00:00Z"),
          mrrBeforeMinor: 0,
          mrrAfterMinor: amount,
          currency: "usd",
          reportingBeforeMinor: 0,
          reportingAfterMinor: amount,
          reportingCurrency: "usd",
          quantity: 1,
          status: "active",
        });
        await rollUpAccount(tx, accountId, later);
      });
    }
    const seen: { amount: number; accountId: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await listFigureAccounts(database.db, { month: "2027-01-01", movement: "new" }, cursor);
      seen.push(...page.accounts);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen.map((account) => account.accountId)).size).toBe(120);
    const order = [...seen].sort((a, b) => b.amount - a.amount || (a.accountId < b.accountId ? -1 : 1));
    expect(seen.map((account) => account.accountId)).toEqual(order.map((account) => account.accountId));
  });
});

describe("the revenue pages over the fixture", () => {
  let context: AppLoadContext;
  let admin: string;
  const get = (handler: Parameters<typeof callRoute>[0], path: string) =>
    callRoute(handler, new Request(`${ROUTE_APP_URL}${path}`, { headers: { cookie: admin } }), context);

  beforeAll(async () => {
    context = routeContext(database, {} as Stripe);
    const [user] = await database.db
      .insert(users)
      .values({
        email: "admin@fixture.test",
        name: "Admin",
        passwordHash: "x",
        emailVerifiedAt: new Date(),
        staffRole: "admin",
      })
      .returning({ id: users.id });
    admin = await signedIn(context, user!.id, null);
  });

  it("shows the bridge and retention tables for the months asked, each figure linking to its accounts", async () => {
    const answer = await get(overviewRoute.loader, "/staff/metrics?from=2025-04&to=2025-06");
    expect(answer.status).toBe(200);
    const body = answer.body as { bridge: Table; retention: Table; headline: { label: string; value: string }[] };
    expect(body.bridge.rows.map((row) => row.map((cell) => cell.text))).toEqual([
      ["Apr 2025", "$750", "$150", "$0", "$100", "$0", "$0", "$1,000"],
      ["May 2025", "$1,000", "$500", "$100", "$0", "$0", "$150", "$1,450"],
      ["Jun 2025", "$1,450", "$150", "$150", "$0", "$20", "$0", "$1,730"],
    ]);
    expect(body.bridge.rows[1]![6]!.href).toBe("/staff/metrics/accounts?month=2025-05&movement=churn");
    // A movement nobody made links nowhere.
    expect(body.bridge.rows[1]![4]!.href).toBeUndefined();
    const may = body.retention.rows[1]!.map((cell) => cell.text);
    expect(may).toEqual(["May 2025", "8", "$17,400", "$181.25", "1", "14.3%", "15%", "$0", "$150", "85%", "85%", "4"]);
    expect(body.headline.find((figure) => figure.label === "MRR")?.value).toBe("$1,730");
  });

  it("says when the months hold no revenue: all before the first month with any", async () => {
    const before = await get(overviewRoute.loader, "/staff/metrics?from=2023-01&to=2023-06");
    expect((before.body as { empty: string | null }).empty).toBe(
      "No revenue in these months: the first month with any is January 2025.",
    );
    const during = await get(overviewRoute.loader, "/staff/metrics?from=2024-12&to=2025-02");
    expect((during.body as { empty: string | null }).empty).toBeNull();
  });

  it("says when the months were not understood, and shows the default range", async () => {
    for (const query of ["from=2025-13", "from=2026-01&to=2025-01", "from=2020-01&to=2025-01", "to=garbage"]) {
      const answer = await get(overviewRoute.loader, `/staff/metrics?${query}`);
      expect(answer.status, query).toBe(200);
      expect((answer.body as { notice: string | null }).notice, query).toMatch(/showing the last 12 months/);
    }
  });

  it("exports each table as CSV with plain decimals, the same rows as the page", async () => {
    const answer = await get(exportRoute.loader, "/staff/metrics.csv?table=bridge&from=2025-05&to=2025-05");
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(answer.headers.get("content-disposition")).toBe('attachment; filename="bridge-2025-05-to-2025-05.csv"');
    const response = await exportRoute.loader({
      request: new Request(`${ROUTE_APP_URL}/staff/metrics.csv?table=cohorts&view=mrr&from=2025-02&to=2025-02`, {
        headers: { cookie: admin },
      }),
      context,
      params: {},
    });
    const lines = (await response.text())
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\n");
    expect(lines[0]).toBe(
      "First paid month,Month 0,Month 1,Month 2,Month 3,Month 4,Month 5,Month 6,Month 7,Month 8,Month 9,Month 10,Month 11,Month 12",
    );
    expect(lines[1]).toBe(
      "2025-02,250.00,180.00,180.00,280.00,260.00,160.00,260.00,200.00,200.00,200.00,100.00,100.00,100.00",
    );
    expect((await get(exportRoute.loader, "/staff/metrics.csv?table=secrets")).status).toBe(404);
  });

  it("shows cohorts as customers or MRR kept, with shares of month 0", async () => {
    const answer = await get(cohortsRoute.loader, "/staff/metrics/cohorts?from=2025-02&to=2025-02&view=customers");
    const table = (answer.body as { table: Table }).table;
    expect(table.rows[0]!.slice(0, 4).map((cell) => cell.text)).toEqual(["Feb 2025", "3", "2 (66.7%)", "2 (66.7%)"]);
    expect(table.rows[0]![1]!.href).toBe("/staff/metrics/accounts?cohort=2025-02&month=2025-02");
  });

  it("answers a figure link that does not parse with a 400 and a sentence", async () => {
    for (const query of [
      "",
      "month=2025-05",
      "month=May&movement=new",
      "month=2025-05&movement=everything",
      "month=2025-05&cohort=2025-09",
    ]) {
      const answer = await get(accountsRoute.loader, `/staff/metrics/accounts?${query}`);
      expect(answer.status, query).toBe(400);
    }
    const ok = await get(accountsRoute.loader, "/staff/metrics/accounts?month=2025-05&movement=churn");
    expect((ok.body as { accounts: { name: string; change: string }[] }).accounts).toEqual([
      expect.objectContaining({ name: "Fixture G", change: "Churn $150 (payment failed)" }),
    ]);
    // Each page says what the figure it opened from counts in all (the bridge and retention rows above).
    const total = async (query: string) =>
      ((await get(accountsRoute.loader, `/staff/metrics/accounts?${query}`)).body as { total: string }).total;
    expect((ok.body as { total: string }).total).toBe("1 account, $150 moved");
    expect(await total("month=2025-05&movement=customers")).toBe("8 accounts, $1,450 of MRR at the month's end");
    expect(await total("month=2025-05&movement=reactivation")).toBe("1 account, $100 moved");
    // Past the first page, a link leads back to it with the same figure.
    expect((ok.body as { firstPage: string | null }).firstPage).toBeNull();
    const later = await get(accountsRoute.loader, "/staff/metrics/accounts?month=2025-05&movement=churn&cursor=x");
    expect((later.body as { firstPage: string | null }).firstPage).toBe("?month=2025-05&movement=churn");
  });
});
