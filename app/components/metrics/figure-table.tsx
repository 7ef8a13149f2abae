import { Link } from "@remix-run/react";
import type { Table } from "~/modules/metrics/tables";

/**
 * A revenue table (`tables.ts`) with its CSV link: the first column names the row, figures are
 * right-aligned; a figure that stands for accounts links to them. Scrolls sideways inside its own
 * box on a narrow screen, never the page.
 */
export function FigureTable({ table, csvHref }: { table: Table; csvHref: string }) {
  return (
    <section className="space-y-2">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 className="text-lg font-semibold">{table.caption}</h2>
        <a href={csvHref} className="text-sm font-medium text-brand-700 underline" download>
          Download CSV
        </a>
      </div>
      <div
        className="overflow-x-auto rounded-lg ring-1 ring-slate-200"
        tabIndex={0}
        role="region"
        aria-label={table.caption}
      >
        <table className="w-full text-left text-sm">
          <caption className="sr-only">{table.caption}</caption>
          <thead className="bg-slate-50 text-slate-600">
            <tr>
              {table.headers.map((header, n) => (
                <th
                  key={header}
                  scope="col"
                  className={`whitespace-nowrap px-3 py-2 font-medium ${n ? "text-right" : ""}`}
                >
                  {header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row, index) => (
              <tr key={index} className="border-t border-slate-100">
                {row.map((cell, n) =>
                  n === 0 ? (
                    <th key={n} scope="row" className="whitespace-nowrap px-3 py-2 font-medium">
                      {cell.text}
                    </th>
                  ) : (
                    <td key={n} className="whitespace-nowrap px-3 py-2 text-right tabular-nums">
                      {cell.href ? (
                        <Link to={cell.href} className="text-brand-700 underline">
                          {cell.text}
                        </Link>
                      ) : (
                        cell.text
                      )}
                    </td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
