import type { LoaderFunctionArgs } from "@remix-run/node";
import { stringify } from "csv-stringify/sync";
import { requireStaff } from "~/modules/accounts/sessions.server";
import { monthRange } from "~/modules/metrics/months";
import { loadCohorts, loadMonthReports } from "~/modules/metrics/report.server";
import { loadConversion, loadFunnelByMonth, loadFunnelBySource } from "~/modules/metrics/funnel.server";
import {
  bridgeTable,
  cohortTable,
  conversionTable,
  funnelMonthTable,
  funnelSourceTable,
  retentionTable,
  type Table,
} from "~/modules/metrics/tables";

const TABLES = ["bridge", "retention", "cohorts", "conversion", "funnel", "sources"] as const;

/**
 * A revenue or funnel table as CSV (`/staff/metrics.csv?table=…&from=YYYY-MM&to=YYYY-MM`: bridge,
 * retention, cohorts, conversion, funnel or sources;
 * cohorts also `view=customers|mrr`): the same rows as the page, amounts as plain decimals in US
 * dollars, shares as fractions. Staff admins only. An unknown table is a 404; months as the page takes them.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireStaff(request, context, "admin");
  const url = new URL(request.url);
  const name = TABLES.find((table) => table === url.searchParams.get("table"));
  if (!name) throw new Response(`No such table: use ${TABLES.join(", ")}.`, { status: 404 });
  const now = new Date();
  const { months } = monthRange(url.searchParams.get("from"), url.searchParams.get("to"), now);
  const view = url.searchParams.get("view") === "mrr" ? "mrr" : "customers";
  const tables: Record<(typeof TABLES)[number], () => Promise<Table>> = {
    bridge: async () => bridgeTable(await loadMonthReports(context.db, months)),
    retention: async () => retentionTable(await loadMonthReports(context.db, months)),
    cohorts: async () => cohortTable(await loadCohorts(context.db, months, now), view),
    conversion: async () => conversionTable(await loadConversion(context.db, months)),
    funnel: async () => funnelMonthTable(await loadFunnelByMonth(context.db, months)),
    sources: async () => funnelSourceTable(await loadFunnelBySource(context.db, months)),
  };
  const table = await tables[name]();
  const body = `\uFEFF${stringify([table.headers, ...table.rows.map((row) => row.map((cell) => cell.csv))])}`;
  // The cohorts' two views are two files: "cohorts-mrr-…", "cohorts-customers-…".
  const kind = name === "cohorts" ? `${name}-${view}` : name;
  const file = `${kind}-${months[0]!.slice(0, 7)}-to-${months.at(-1)!.slice(0, 7)}.csv`;
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${file}"`,
      "Cache-Control": "private, no-store",
    },
  });
}
