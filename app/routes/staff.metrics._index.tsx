import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { LineChart } from "~/components/charts/line-chart";
import { MovementsChart } from "~/components/charts/movements-chart";
import { FigureTable } from "~/components/metrics/figure-table";
import { MonthRangeForm } from "~/components/metrics/month-range-form";
import { pageMeta, pageTitle } from "~/lib/seo";
import { requireStaff } from "~/modules/accounts/sessions.server";
import { RATES_PER_USD } from "~/modules/metrics/currency";
import { money, movementLabels, percent, ratio, whole } from "~/modules/metrics/format";
import { monthLabel, monthRange } from "~/modules/metrics/months";
import { firstRevenueMonth, loadMonthReports } from "~/modules/metrics/report.server";
import { accountsHref, bridgeTable, pageTable, retentionTable } from "~/modules/metrics/tables";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Revenue"),
    description: "Staff admins: MRR and its movements, customers, churn and retention, month by month.",
    path: "/staff/metrics",
    noindex: true,
  });

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireStaff(request, context, "admin");
  const url = new URL(request.url);
  const now = new Date();
  const range = monthRange(url.searchParams.get("from"), url.searchParams.get("to"), now);
  const [reports, first] = await Promise.all([
    loadMonthReports(context.db, range.months),
    firstRevenueMonth(context.db),
  ]);
  const last = reports.at(-1)!;
  const query = new URLSearchParams({ from: range.months[0]!.slice(0, 7), to: last.month.slice(0, 7) });
  const current = last.month === `${now.toISOString().slice(0, 7)}-01`;
  return {
    // No revenue at all yet, or none in these months (they end before the first month with any).
    empty: !first
      ? "No revenue recorded yet: figures appear here once a customer’s first subscription is paid."
      : last.month < first
        ? `No revenue in these months: the first month with any is ${monthLabel(first, "long")}.`
        : null,
    from: range.months[0]!.slice(0, 7),
    to: last.month.slice(0, 7),
    notice: range.notice,
    lastMonth: `${monthLabel(last.month, "long")}${current ? " so far" : ""}`,
    headline: [
      {
        label: "MRR",
        value: money(last.figures.mrr),
        href: accountsHref({ month: query.get("to")!, movement: "customers" }),
      },
      { label: "ARR", value: money(last.figures.arr) },
      { label: "Customers", value: whole(last.figures.customers) },
      { label: "ARPA", value: money(Math.round(last.figures.arpa ?? 0)) },
      { label: "Net revenue retention", value: percent(last.figures.netRevenueRetention) },
      { label: "Gross revenue retention", value: percent(last.figures.grossRevenueRetention) },
      { label: "Logo churn", value: percent(last.figures.logoChurn) },
      { label: "Quick ratio", value: ratio(last.figures.quickRatio) },
    ],
    // Whole dollars for the charts: their axes read as money, not cents.
    mrrPoints: reports.map((report) => ({ x: monthLabel(report.month), y: Math.round(report.figures.mrr / 100) })),
    movementColumns: reports.map(({ month, totals }) => ({
      label: monthLabel(month),
      gains: (["new", "reactivation", "expansion"] as const).map((m) => ({
        name: movementLabels[m],
        value: Math.round(totals.mrr[m] / 100),
      })),
      losses: (["contraction", "churn"] as const).map((m) => ({
        name: movementLabels[m],
        value: Math.round(totals.mrr[m] / 100),
      })),
    })),
    bridge: pageTable(bridgeTable(reports)),
    retention: pageTable(retentionTable(reports)),
    csv: {
      bridge: `/staff/metrics.csv?table=bridge&${query}`,
      retention: `/staff/metrics.csv?table=retention&${query}`,
    },
    rates: Object.entries(RATES_PER_USD).filter(([code]) => code !== "usd"),
  };
}

const dollars = (value: number) => money(value * 100);

export default function RevenueOverview() {
  const data = useLoaderData<typeof loader>();
  return (
    <div className="space-y-8">
      <div className="space-y-2">
        <h1 className="text-2xl font-bold tracking-tight">Revenue</h1>
        <p className="max-w-3xl text-sm text-slate-700">
          Monthly recurring revenue and how it moved, from the subscription ledger. Amounts are US dollars; other
          currencies are converted at fixed rates. The rules behind every figure are in the portal&apos;s metrics
          handbook (docs/metrics.md).
        </p>
      </div>
      <MonthRangeForm from={data.from} to={data.to} notice={data.notice} label="Months to show" />
      {data.empty ? (
        <p className="rounded-lg bg-slate-50 p-4 text-sm text-slate-700 ring-1 ring-slate-200" data-testid="empty">
          {data.empty}
        </p>
      ) : null}
      <section aria-labelledby="headline" className="space-y-3">
        <h2 id="headline" className="text-lg font-semibold">
          {data.lastMonth}
        </h2>
        <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
          {data.headline.map((figure) => (
            <div key={figure.label} className="rounded-lg p-3 ring-1 ring-slate-200">
              <dt className="text-sm text-slate-600">{figure.label}</dt>
              <dd className="text-xl font-semibold tabular-nums">
                {figure.href ? (
                  <Link to={figure.href} className="text-brand-700 underline">
                    {figure.value}
                  </Link>
                ) : (
                  figure.value
                )}
              </dd>
            </div>
          ))}
        </dl>
      </section>
      <div className="grid gap-8 lg:grid-cols-2">
        <section className="space-y-2" aria-labelledby="mrr-trend">
          <h2 id="mrr-trend" className="text-lg font-semibold">
            MRR at each month&apos;s end
          </h2>
          <LineChart label="MRR in US dollars" points={data.mrrPoints} format={dollars} />
        </section>
        <section className="space-y-2" aria-labelledby="movements">
          <h2 id="movements" className="text-lg font-semibold">
            Movements
          </h2>
          <MovementsChart label="MRR movements in US dollars" columns={data.movementColumns} format={dollars} />
        </section>
      </div>
      <FigureTable table={data.bridge} csvHref={data.csv.bridge} />
      <FigureTable table={data.retention} csvHref={data.csv.retention} />
      <details className="text-sm text-slate-700">
        <summary className="cursor-pointer text-brand-700 underline">Exchange rates used</summary>
        <p className="mt-2">Units of each currency per US dollar, fixed for reporting:</p>
        <ul className="mt-1 grid grid-cols-2 gap-x-6 sm:grid-cols-4">
          {data.rates.map(([code, rate]) => (
            <li key={code} className="tabular-nums">
              {code.toUpperCase()} {rate}
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}
