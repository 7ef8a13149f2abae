import { Bar } from "~/components/bar";
import { LocalDate } from "~/components/local-date";
import type { Checklist } from "~/modules/usage/checklist";

/**
 * The getting-started checklist (issue 15, item 5): the plan's milestones in order, each ticked with
 * when once reached, else its progress in words and a link to take the step in the workspace; the
 * share done, days left in the trial beside it, and a celebration instead of the next step once all
 * are done. Ticks carry text ("Done", "To do") for screen readers, and a mark, not colour alone.
 */
export function GettingStarted({
  checklist,
  daysLeft,
  id,
  headingLevel: Heading = "h4",
}: {
  checklist: Checklist;
  /** Days left in the trial, shown beside the share; null when not in a trial. */
  daysLeft: number | null;
  /** Unique per page, for the heading's id. */
  id: string;
  /** The heading's level where the checklist sits (h4 in a service card, h3 in the trial card). */
  headingLevel?: "h3" | "h4";
}) {
  const headingId = `getting-started-${id}`;
  const complete = checklist.reached === checklist.total;
  const next = checklist.items.find((item) => !item.done);
  return (
    <section aria-labelledby={headingId} className="text-sm" data-testid="checklist">
      <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
        <Heading id={headingId} className="font-semibold text-slate-900">
          Getting started
        </Heading>
        <p className="text-slate-700" data-testid="checklist-share">
          {checklist.reached} of {checklist.total} steps done ({checklist.percent}%)
          {daysLeft !== null ? (
            <>
              {" · "}
              <span data-testid="checklist-days-left">
                {daysLeft} {daysLeft === 1 ? "day" : "days"} left in your trial
              </span>
            </>
          ) : null}
        </p>
      </div>
      <div className="mt-2">
        <Bar percent={checklist.percent} />
      </div>
      <ol className="mt-3 space-y-2">
        {checklist.items.map((item) => (
          <li key={item.key} className="flex items-start gap-2.5" data-testid="checklist-item" data-done={item.done}>
            <span
              aria-hidden="true"
              className={`mt-0.5 flex h-4 w-4 flex-none items-center justify-center rounded border text-[11px] font-bold leading-none ${
                item.done ? "border-green-700 bg-green-700 text-white" : "border-slate-400 bg-white"
              }`}
            >
              {item.done ? "✓" : ""}
            </span>
            <span className="min-w-0">
              <span className="sr-only">{item.done ? "Done: " : "To do: "}</span>
              {item.href && !item.done ? (
                <a href={item.href} className="font-medium text-brand-700 underline">
                  {item.title}
                </a>
              ) : (
                <span className={item.done ? "text-slate-700" : "font-medium text-slate-900"}>{item.title}</span>
              )}
              <span className="block text-slate-600" data-testid="checklist-progress">
                {item.done && item.reachedAt ? (
                  <>
                    Done <LocalDate value={item.reachedAt} />
                  </>
                ) : (
                  item.progressText
                )}
              </span>
            </span>
          </li>
        ))}
      </ol>
      {complete ? (
        <p className="mt-3 rounded-md bg-green-50 px-3 py-2 font-medium text-green-900" data-testid="checklist-done">
          You are all set up: every getting-started step is done. Well done!
        </p>
      ) : next?.href ? (
        <p className="mt-3">
          <a href={next.href} className="font-medium text-brand-700 underline" data-testid="checklist-next">
            Next step: {next.title}
          </a>
        </p>
      ) : null}
    </section>
  );
}
