import { Form } from "@remix-run/react";

/**
 * The months a revenue page covers, as two `<input type="month">` (a browser without a month picker
 * shows a text box that takes `YYYY-MM`), and the notice when the query's range was not usable.
 */
export function MonthRangeForm({
  from,
  to,
  notice,
  label,
}: {
  /** `YYYY-MM`. */
  from: string;
  /** `YYYY-MM`. */
  to: string;
  notice: string | null;
  label: string;
}) {
  return (
    <div className="space-y-2">
      <Form method="get" className="flex flex-wrap items-end gap-3" aria-label={label}>
        <div>
          <label htmlFor="from" className="block text-sm font-medium">
            From
          </label>
          <input
            id="from"
            name="from"
            type="month"
            defaultValue={from}
            pattern="\d{4}-\d{2}"
            placeholder="YYYY-MM"
            className="mt-1 block rounded-md border border-slate-300 px-3 py-2 text-sm"
          />
        </div>
        <div>
          <label htmlFor="to" className="block text-sm font-medium">
            To
          </label>
          <input
            id="to"
            name="to"
            type="month"
            defaultValue={to}
            pattern="\d{4}-\d{2}"
            placeholder="YYYY-MM"
            className="mt-1 block rounded-md border border-slate-300 px-3 py-2 text-sm"
          />
        </div>
        <button type="submit" className="rounded-md bg-brand-600 px-4 py-2.5 text-sm font-semibold text-white">
          Show
        </button>
      </Form>
      {notice ? (
        <p role="status" className="text-sm text-amber-800">
          {notice}
        </p>
      ) : null}
    </div>
  );
}
