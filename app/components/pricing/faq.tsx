import type { FaqEntry } from "#db/schema";

/** Native disclosure widgets: open and close without JavaScript. */
export function Faq({ entries }: { entries: FaqEntry[] }) {
  return (
    <div className="divide-y divide-slate-200 rounded-xl ring-1 ring-slate-200">
      {entries.map((entry) => (
        <details key={entry.question} className="group px-4 py-4">
          <summary className="flex cursor-pointer list-none items-center justify-between gap-4 font-medium text-slate-900">
            {entry.question}
            <span aria-hidden="true" className="text-slate-500 transition-transform group-open:rotate-45">
              +
            </span>
          </summary>
          <p className="mt-3 text-sm text-slate-700">{entry.answer}</p>
        </details>
      ))}
    </div>
  );
}
