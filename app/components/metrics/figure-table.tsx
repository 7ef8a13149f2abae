import { Link } from "@remix-run/react";
import type { PageTable } from "~/modules/metrics/tables";

/** Light tints only, so every text and link on them keeps its contrast; literal for Tailwind. */
const SHADES = [
  { from: 0.9, className: "bg-emerald-200" },
  { from: 0.75, className: "bg-emerald-100" },
  { from: 0.5, className: "bg-emerald-50" },
];

/** A share's tint, where retention is read: none below half, stronger at three quarters and at nine tenths. */
function shadeClass(shade: number | undefined): string {
  if (shade === undefined) return "";
  return SHADES.find((step) => shade >= step.from)?.className ?? "";
}

/**
 * A revenue table (`tables.ts`) with its CSV link: the first column names the row, figures are
 * right-aligned; a figure that stands for accounts links to them; a cell with a share is tinted by it
 * (the words carry the share too). Headings wrap, so a wide table fits a desktop's width; on a
 * narrow screen it scrolls sideways inside its own box, never the page, its first column staying put.
 */
export function FigureTable({ table, csvHref }: { table: PageTable; csvHref: string }) {
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
        {/* Cell styles once on the table (descendant variants): a 36-month table has hundreds of cells. */}
        <table className="w-full text-left text-sm [&_a]:text-brand-700 [&_a]:underline [&_td]:whitespace-nowrap [&_td]:px-3 [&_td]:py-2 [&_td]:text-right [&_td]:tabular-nums [&_tbody_th]:whitespace-nowrap [&_th]:px-3 [&_th]:py-2 [&_thead_th]:align-bottom">
          <caption className="sr-only">{table.caption}</caption>
          <thead className="bg-slate-50 text-slate-600">
            <tr>
              {table.headers.map((header, n) => (
                <th
                  key={header}
                  scope="col"
                  className={`font-medium ${n ? "text-right" : "sticky left-0 bg-slate-50"}`}
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
                    <th key={n} scope="row" className="sticky left-0 bg-white font-medium">
                      {cell.text}
                    </th>
                  ) : (
                    <td key={n} className={shadeClass(cell.shade) || undefined}>
                      {cell.href ? <Link to={cell.href}>{cell.text}</Link> : cell.text}
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
