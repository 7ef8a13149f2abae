/**
 * What the plan-backwards page starts from (issue 17 item 4): the business as measured, as
 * editable assumptions (`planBackwards`), and the run rate the plan's needs are compared with.
 * Read from the same rollups and funnel queries as the other revenue pages.
 */
import { z } from "zod";
import type { DbOrTx } from "#db/client";
import { loadConversion, loadFunnelByMonth } from "./funnel.server";
import { money, percent } from "./format";
import { addMonths, monthsBetween, parseMonth } from "./months";
import type { PlanAssumptions } from "./plan";
import { loadMonthReports } from "./report.server";

/** Months the measured rates average over: the last six complete ones. */
const MEASURED_MONTHS = 6;
/** Months the run rate averages over: the last three complete ones. */
const RUN_RATE_MONTHS = 3;
/** At most this many months ahead. */
export const MAX_PLAN_MONTHS = 60;

export type Measured = {
  assumptions: PlanAssumptions;
  /** Paying customers and MRR now (this month so far), reporting minor units. */
  customers: number;
  mrr: number;
  /** Averages per month over the last complete months: customers won (new and reactivated), trials, leads. */
  runRate: { newCustomers: number; trials: number; leads: number };
  /** Which rates had nothing to measure and fell back to a stated default. */
  defaulted: (keyof PlanAssumptions)[];
};

/** Stated defaults where the portal has measured nothing yet (a new business): a typical self-service SaaS. */
const FALLBACK: PlanAssumptions = { arpa: 10_000, trialConversion: 0.15, leadToTrial: 0.3, monthlyChurn: 0.03 };

const months = (last: string, count: number) => Array.from({ length: count }, (_, n) => addMonths(last, n - count + 1));
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/**
 * The measured assumptions at `now`: ARPA and customers of this month so far (else last month's
 * ARPA); monthly logo churn averaged over the last six complete months; trial conversion of the
 * trials that started two to seven months ago (their outcome known); trials per lead over the
 * last six complete months; the run rate over the last three.
 */
export async function measuredAssumptions(db: DbOrTx, now: Date): Promise<Measured> {
  const current = `${now.toISOString().slice(0, 7)}-01`;
  const lastComplete = addMonths(current, -1);
  const [reports, conversion, funnel] = await Promise.all([
    loadMonthReports(db, months(current, MEASURED_MONTHS + 1)),
    loadConversion(db, months(addMonths(current, -2), MEASURED_MONTHS)),
    loadFunnelByMonth(db, months(lastComplete, MEASURED_MONTHS)),
  ]);
  const thisMonth = reports.at(-1)!;
  const complete = reports.slice(0, -1);
  const churns = complete.map((r) => r.figures.logoChurn).filter((c): c is number => c !== null);
  const [trials, converted] = [sum(conversion.map((m) => m.trials)), sum(conversion.map((m) => m.converted))];
  const [leads, funnelTrials] = [sum(funnel.map((m) => m.leads)), sum(funnel.map((m) => m.trials))];
  const measured: Partial<PlanAssumptions> = {
    arpa: thisMonth.figures.arpa ?? complete.at(-1)?.figures.arpa ?? undefined,
    monthlyChurn: churns.length ? sum(churns) / churns.length : undefined,
    trialConversion: trials > 0 && converted > 0 ? converted / trials : undefined,
    leadToTrial: leads > 0 && funnelTrials > 0 ? Math.min(1, funnelTrials / leads) : undefined,
  };
  const defaulted = (Object.keys(FALLBACK) as (keyof PlanAssumptions)[]).filter((key) => measured[key] === undefined);
  const recent = complete.slice(-RUN_RATE_MONTHS);
  const recentFunnel = funnel.slice(-RUN_RATE_MONTHS);
  return {
    assumptions: { ...FALLBACK, ...Object.fromEntries(Object.entries(measured).filter(([, v]) => v !== undefined)) },
    customers: thisMonth.figures.customers,
    mrr: thisMonth.figures.mrr,
    runRate: {
      newCustomers: sum(recent.map((r) => r.totals.accounts.new + r.totals.accounts.reactivation)) / RUN_RATE_MONTHS,
      trials: sum(recentFunnel.map((m) => m.trials)) / RUN_RATE_MONTHS,
      leads: sum(recentFunnel.map((m) => m.leads)) / RUN_RATE_MONTHS,
    },
    defaulted,
  };
}

/** "1,250.5", "1250.5", "-3": digits with an optional sign, decimals and thousands commas. */
const NUMBER = /^-?(\d{1,15}|\d{1,3}(,\d{3}){1,4})(\.\d{1,6})?$/;

/**
 * A field of the plan form: a number as people type it ("$12,500", "24%", "12.5"), within
 * [min, max]; a field that is not a number says so, one out of range gives the range in words.
 */
const number = (label: string, min: number, max: number, unit: "dollars" | "percent") => {
  const shown = (value: number) => (unit === "dollars" ? money(Math.round(value * 100)) : percent(value / 100));
  return z
    .string({ error: `Enter the ${label}.` })
    .trim()
    .min(1, `Enter the ${label}.`)
    .transform((text, context) => {
      const plain = text.replace(unit === "dollars" ? /^\$\s*/ : /\s*%$/, "");
      if (!NUMBER.test(plain)) {
        context.addIssue({
          code: "custom",
          message: `Enter the ${label} as a number, like ${shown(unit === "dollars" ? 12_500 : 12.5)}.`,
        });
        return z.NEVER;
      }
      const value = Number(plain.replaceAll(",", ""));
      if (value < min || value > max) {
        context.addIssue({ code: "custom", message: `The ${label} must be from ${shown(min)} to ${shown(max)}.` });
        return z.NEVER;
      }
      return value;
    });
};

/**
 * The plan form's fields (query parameters: the page is a GET, so a plan can be bookmarked and
 * shared): the goal in dollars of MRR, its month (`YYYY-MM`, 1 to 60 months ahead), and the
 * assumptions, ARPA in dollars and the rates in percent. Refines to messages per field.
 */
export function planFormSchema(now: Date) {
  const current = `${now.toISOString().slice(0, 7)}-01`;
  return z.object({
    goal: number("MRR goal", 1, 1_000_000_000, "dollars"),
    by: z.string({ error: "Enter the month to reach it by." }).transform((value, context) => {
      const month = parseMonth(value.trim());
      const ahead = month ? monthsBetween(current, month) : 0;
      if (!month || ahead < 1 || ahead > MAX_PLAN_MONTHS) {
        context.addIssue({
          code: "custom",
          message: `Pick a month from next month to ${MAX_PLAN_MONTHS} months ahead.`,
        });
        return z.NEVER;
      }
      return { month, ahead };
    }),
    arpa: number("average MRR per customer", 0.01, 10_000_000, "dollars"),
    conversion: number("trial conversion", 0.1, 100, "percent"),
    leadToTrial: number("trials per lead", 0.1, 100, "percent"),
    churn: number("monthly churn", 0, 99, "percent"),
  });
}
