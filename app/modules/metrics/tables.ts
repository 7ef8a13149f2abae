/**
 * The revenue pages' tables, built once for the page and its CSV export so both say the same
 * (issue 17 item 5): each cell has its words for the page, its value for a spreadsheet (plain
 * decimals and shares, no currency signs) and, where a figure stands for accounts, the link to them.
 */
import type { Movement } from "#db/schema";
import { csvText } from "~/lib/csv";
import type { ConversionMonth, FunnelCounts, FunnelSource, TrialOutcome } from "./funnel.server";
import type { CohortRow, MonthReport } from "./report.server";
import { money, moneyDecimal, movementLabels, percent, ratio, whole } from "./format";
import { addMonths, COHORT_SPAN, monthLabel } from "./months";

/** `shade`: a share from 0 to 1 the page tints the cell by (a cohort's retention, as a heat map). */
export type Cell = { text: string; csv: string; href?: string; shade?: number };
export type Table = { caption: string; headers: string[]; rows: Cell[][] };

const MOVEMENTS: Movement[] = ["new", "reactivation", "expansion", "contraction", "churn"];

/** `/staff/metrics/accounts?…`: the accounts behind a figure. */
export function accountsHref(params: Record<string, string>): string {
  return `/staff/metrics/accounts?${new URLSearchParams(params)}`;
}

const ym = (month: string) => month.slice(0, 7);
const label = (month: string): Cell => ({ text: monthLabel(month), csv: ym(month) });
const amount = (minor: number, href?: string): Cell => ({ text: money(minor), csv: moneyDecimal(minor), href });
const count = (value: number, href?: string): Cell => ({
  text: whole(value),
  csv: String(value),
  href,
});
const share = (value: number | null): Cell => ({ text: percent(value), csv: value === null ? "" : value.toFixed(4) });

/** The MRR bridge by month: start + new + reactivation + expansion − contraction − churn = end. */
export function bridgeTable(reports: MonthReport[]): Table {
  return {
    caption: "MRR bridge by month (US dollars)",
    headers: ["Month", "MRR at start", ...MOVEMENTS.map((m) => movementLabels[m]), "MRR at end"],
    rows: reports.map(({ month, totals }) => [
      label(month),
      amount(totals.startMrr),
      ...MOVEMENTS.map((movement) =>
        amount(
          totals.mrr[movement],
          totals.accounts[movement] ? accountsHref({ month: ym(month), movement }) : undefined,
        ),
      ),
      amount(
        totals.endMrr,
        totals.customersEnd ? accountsHref({ month: ym(month), movement: "customers" }) : undefined,
      ),
    ]),
  };
}

/** Customers, ARR, ARPA, churn and retention by month (docs/metrics.md, "Derived figures"). */
export function retentionTable(reports: MonthReport[]): Table {
  return {
    caption: "Customers, churn and retention by month",
    headers: [
      "Month",
      "Customers",
      "ARR",
      "ARPA",
      "Churned customers",
      "Logo churn",
      "Revenue churn",
      "Cancelled (MRR)",
      "Payment failed (MRR)",
      "Net revenue retention",
      "Gross revenue retention",
      "Quick ratio",
    ],
    rows: reports.map(({ month, totals, figures }) => [
      label(month),
      count(
        figures.customers,
        figures.customers ? accountsHref({ month: ym(month), movement: "customers" }) : undefined,
      ),
      amount(figures.arr),
      amount(Math.round(figures.arpa ?? 0)),
      count(
        totals.accounts.churn,
        totals.accounts.churn ? accountsHref({ month: ym(month), movement: "churn" }) : undefined,
      ),
      share(figures.logoChurn),
      share(figures.revenueChurn),
      amount(totals.churnedMrrByKind.voluntary),
      amount(totals.churnedMrrByKind.payment_failure),
      share(figures.netRevenueRetention),
      share(figures.grossRevenueRetention),
      { text: ratio(figures.quickRatio), csv: figures.quickRatio === null ? "" : figures.quickRatio.toFixed(2) },
    ]),
  };
}

/**
 * Cohorts by first paid month: month 0…12 after it, as customers still paying (`customers`) or their
 * MRR (`mrr`), each with its share of month 0; a month not reached yet is empty.
 */
export function cohortTable(rows: CohortRow[], view: "customers" | "mrr"): Table {
  return {
    caption:
      view === "customers"
        ? "Customers still paying, by first paid month (cohort) and months since"
        : "MRR of each cohort, by first paid month and months since (US dollars)",
    headers: ["First paid month", ...Array.from({ length: COHORT_SPAN + 1 }, (_, n) => `Month ${n}`)],
    rows: rows.map(({ cohortMonth, cells }) => {
      const base = cells[0] ? cells[0][view] : 0;
      return [
        label(cohortMonth),
        ...cells.map((cell, offset): Cell => {
          if (!cell) return { text: "", csv: "" };
          const value = cell[view];
          const of = base > 0 ? value / base : null;
          const href = cell.customers
            ? accountsHref({ cohort: ym(cohortMonth), month: ym(addMonths(cohortMonth, offset)) })
            : undefined;
          const figure = view === "customers" ? whole(value) : money(value);
          const csv = view === "customers" ? String(value) : moneyDecimal(value);
          // A month nobody first paid in has nothing to keep: its later months stay empty on the page.
          if (offset > 0 && base === 0) return { text: "", csv: "" };
          return {
            text: offset === 0 ? figure : `${figure} (${percent(of)})`,
            csv,
            href,
            // Month 0 is the base every share is of: only the months after it are tinted.
            shade: offset > 0 ? (of ?? undefined) : undefined,
          };
        }),
      ];
    }),
  };
}

const shareOf = (part: number, whole: number) => share(whole > 0 ? part / whole : null);

/** Trial→paid conversion by trial-start month, assisted and unassisted apart, and the median days to pay. */
export function conversionTable(months: ConversionMonth[]): Table {
  return {
    caption: "Trial to paid conversion by the month trials started",
    headers: [
      "Trials started in",
      "Trials",
      "Converted",
      "Conversion",
      "Assisted trials",
      "Assisted conversion",
      "Unassisted trials",
      "Unassisted conversion",
      "Median days to pay",
    ],
    rows: months.map((m) => [
      label(m.month),
      count(m.trials, trialsHref(m.month, "all", m.trials)),
      count(m.converted, trialsHref(m.month, "converted", m.converted)),
      shareOf(m.converted, m.trials),
      count(m.assisted, trialsHref(m.month, "assisted", m.assisted)),
      shareOf(m.assistedConverted, m.assisted),
      count(m.unassisted, trialsHref(m.month, "unassisted", m.unassisted)),
      shareOf(m.unassistedConverted, m.unassisted),
      m.medianDaysToConvert === null
        ? { text: "—", csv: "" }
        : { text: m.medianDaysToConvert.toFixed(1), csv: m.medianDaysToConvert.toFixed(1) },
    ]),
  };
}

const STAGES = ["leads", "qualified", "trials", "activated", "paid"] as const;
/** The funnel's trial stages and the trials page's outcome that lists them. */
const TRIAL_STAGES: Partial<Record<(typeof STAGES)[number], TrialOutcome>> = {
  trials: "all",
  activated: "activated",
  paid: "converted",
};

/** The leads list for the month (its `from` and `to` are days, both included), when there are any. */
function leadsHref(month: string, count: number): string | undefined {
  const lastDay = new Date(Date.parse(`${addMonths(month, 1)}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  return count ? `/staff/leads?${new URLSearchParams({ from: month, to: lastDay })}` : undefined;
}

/** `/staff/metrics/trials?…`: the trials behind a figure, when there are any. */
function trialsHref(month: string, outcome: TrialOutcome, count: number): string | undefined {
  return count ? `/staff/metrics/trials?${new URLSearchParams({ month: ym(month), outcome })}` : undefined;
}
const STAGE_LABELS = ["Leads", "Qualified leads", "Trials", "Activated trials", "Paid"];

/** The funnel's stages by month, each with its share of the stage before (trials against leads). */
export function funnelMonthTable(months: (FunnelCounts & { month: string })[]): Table {
  return {
    caption: "Funnel by month",
    headers: ["Month", ...STAGE_LABELS, "Trials per lead", "Paid per trial"],
    rows: months.map((m) => [
      label(m.month),
      ...STAGES.map((stage) =>
        count(
          m[stage],
          stage === "leads"
            ? leadsHref(m.month, m.leads)
            : stage in TRIAL_STAGES
              ? trialsHref(m.month, TRIAL_STAGES[stage]!, m[stage])
              : undefined,
        ),
      ),
      shareOf(m.trials, m.leads),
      shareOf(m.paid, m.trials),
    ]),
  };
}

/** The funnel by first touch over the range, with the MRR its accounts pay at the range's end (revenue by source). */
export function funnelSourceTable(sources: FunnelSource[]): Table {
  return {
    caption: "Funnel and revenue by first touch",
    headers: ["Source", "Campaign", ...STAGE_LABELS, "Paid per trial", "Customers now", "MRR now"],
    rows: sources.map((s) => [
      { text: s.source, csv: csvText(s.source) },
      { text: s.campaign ?? "—", csv: csvText(s.campaign ?? "") },
      ...STAGES.map((stage) => count(s[stage])),
      shareOf(s.paid, s.trials),
      count(s.customers),
      amount(s.mrr),
    ]),
  };
}

/** A table as its page shows it: each cell's words, link and tint, without the spreadsheet values. */
export type PageTable = { caption: string; headers: string[]; rows: Omit<Cell, "csv">[][] };

export function pageTable({ caption, headers, rows }: Table): PageTable {
  return { caption, headers, rows: rows.map((row) => row.map(({ csv: _csv, ...cell }) => cell)) };
}
