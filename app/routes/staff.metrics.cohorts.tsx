import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { FigureTable } from "~/components/metrics/figure-table";
import { MonthRangeForm } from "~/components/metrics/month-range-form";
import { pageMeta, pageTitle } from "~/lib/seo";
import { requireStaff } from "~/modules/accounts/sessions.server";
import { monthRange } from "~/modules/metrics/months";
import { loadCohorts } from "~/modules/metrics/report.server";
import { cohortTable, pageTable } from "~/modules/metrics/tables";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Cohorts"),
    description: "Staff admins: customers and MRR kept by each first-paid month, month 0 to 12.",
    path: "/staff/metrics/cohorts",
    noindex: true,
  });

/** `view=mrr` shows MRR kept; anything else, customers kept. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireStaff(request, context, "admin");
  const url = new URL(request.url);
  const view = url.searchParams.get("view") === "mrr" ? "mrr" : "customers";
  const range = monthRange(url.searchParams.get("from"), url.searchParams.get("to"), new Date());
  const rows = await loadCohorts(context.db, range.months, new Date());
  const [from, to] = [range.months[0]!.slice(0, 7), range.months.at(-1)!.slice(0, 7)];
  const query = new URLSearchParams({ from, to });
  return {
    view,
    from,
    to,
    notice: range.notice,
    table: pageTable(cohortTable(rows, view)),
    otherView: `?${new URLSearchParams({ ...Object.fromEntries(query), view: view === "mrr" ? "customers" : "mrr" })}`,
    csvHref: `/staff/metrics.csv?${new URLSearchParams({ table: "cohorts", view, from, to })}`,
  };
}

export default function Cohorts() {
  const { view, from, to, notice, table, otherView, csvHref } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-6">
      <div className="space-y-2">
        <h1 className="text-2xl font-bold tracking-tight">Cohorts</h1>
        <p className="max-w-3xl text-sm text-slate-700">
          Customers grouped by the month they first paid. Each column is a month later: how many still pay at its end
          {view === "mrr" ? ", and their MRR" : ""}, with the share of month 0 in brackets. Above 100% in MRR means the
          cohort grew (net revenue retention).
        </p>
        <p className="text-sm">
          Showing {view === "mrr" ? "MRR kept" : "customers kept"}.{" "}
          <Link to={otherView} className="font-medium text-brand-700 underline">
            Show {view === "mrr" ? "customers kept" : "MRR kept"} instead
          </Link>
        </p>
      </div>
      <MonthRangeForm from={from} to={to} notice={notice} label="First paid months to show" />
      <FigureTable table={table} csvHref={csvHref} />
    </div>
  );
}
