import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BarChart } from "~/components/charts/bar-chart";
import { FigureTable } from "~/components/metrics/figure-table";
import { MonthRangeForm } from "~/components/metrics/month-range-form";
import { pageMeta, pageTitle } from "~/lib/seo";
import { requireStaff } from "~/modules/accounts/sessions.server";
import {
  CONVERSION_GRACE_DAYS,
  loadConversion,
  loadFunnelByMonth,
  loadFunnelBySource,
} from "~/modules/metrics/funnel.server";
import { monthRange } from "~/modules/metrics/months";
import { conversionTable, funnelMonthTable, funnelSourceTable, pageTable } from "~/modules/metrics/tables";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Funnel"),
    description:
      "Staff admins: leads, qualified leads, trials, activated trials and paying customers by month and by first touch; trial conversion assisted and not.",
    path: "/staff/metrics/funnel",
    noindex: true,
  });

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireStaff(request, context, "admin");
  const url = new URL(request.url);
  const range = monthRange(url.searchParams.get("from"), url.searchParams.get("to"), new Date());
  const [conversion, byMonth, bySource] = await Promise.all([
    loadConversion(context.db, range.months),
    loadFunnelByMonth(context.db, range.months),
    loadFunnelBySource(context.db, range.months),
  ]);
  const [from, to] = [range.months[0]!.slice(0, 7), range.months.at(-1)!.slice(0, 7)];
  const csv = (table: string) => `/staff/metrics.csv?${new URLSearchParams({ table, from, to })}`;
  // The range's funnel as bars, each stage out of the leads (or out of the trials when there were more).
  const total = (stage: "leads" | "qualified" | "trials" | "activated" | "paid") =>
    byMonth.reduce((sum, month) => sum + month[stage], 0);
  const widest = Math.max(1, total("leads"), total("trials"));
  const stages = [
    ["Leads", total("leads")],
    ["Qualified leads", total("qualified")],
    ["Trials", total("trials")],
    ["Activated trials", total("activated")],
    ["Paid", total("paid")],
  ] as const;
  return {
    from,
    to,
    funnelBars: stages.map(([label, value]) => ({ label, value, max: widest })),
    notice: range.notice,
    graceDays: CONVERSION_GRACE_DAYS,
    conversion: { table: pageTable(conversionTable(conversion)), csvHref: csv("conversion") },
    byMonth: { table: pageTable(funnelMonthTable(byMonth)), csvHref: csv("funnel") },
    bySource: { table: pageTable(funnelSourceTable(bySource)), csvHref: csv("sources") },
  };
}

export default function Funnel() {
  const { from, to, notice, graceDays, funnelBars, conversion, byMonth, bySource } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-8">
      <div className="space-y-2">
        <h1 className="text-2xl font-bold tracking-tight">Funnel</h1>
        <p className="max-w-3xl text-sm text-slate-700">
          Leads count in the month they came; a trial, and what became of it, in the month it started. A trial is
          activated when its account reached a setup milestone during it, and converted when the account paid within the
          trial or {graceDays} days after. Assisted: staff called or emailed while the trial ran.
        </p>
      </div>
      <MonthRangeForm from={from} to={to} notice={notice} label="Months to show" />
      <section className="space-y-2" aria-labelledby="funnel-chart">
        <h2 id="funnel-chart" className="text-lg font-semibold">
          The funnel over these months
        </h2>
        <BarChart label="Funnel over the months shown" bars={funnelBars} valueText={(bar) => String(bar.value)} />
      </section>
      <FigureTable table={conversion.table} csvHref={conversion.csvHref} />
      <FigureTable table={byMonth.table} csvHref={byMonth.csvHref} />
      <FigureTable table={bySource.table} csvHref={bySource.csvHref} />
    </div>
  );
}
