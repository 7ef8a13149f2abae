import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireStaff } from "~/modules/accounts/sessions.server";
import { listTasks, type TaskView } from "~/modules/success/tasks.server";
import { outcomeLabels } from "~/modules/success/words";
import { longDate } from "~/lib/dates";
import { firstPageHref, nextPageHref } from "~/lib/paging";
import { PageLinks } from "~/components/ui/page-links";
import { pageMeta, pageTitle } from "~/lib/seo";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Tasks"),
    description:
      "Customer-success tasks from the playbooks and staff: mine, the team's queue, all open and done, overdue first.",
    path: "/staff/tasks",
    noindex: true,
  });

const views: [TaskView, string][] = [
  ["mine", "My tasks"],
  ["queue", "Team's queue"],
  ["open", "All open"],
  ["done", "Done"],
];

const filtersSchema = z.object({
  // An unknown view reads as the default rather than failing: links get edited by hand.
  view: z.enum(["mine", "queue", "open", "done"]).catch("mine").default("mine"),
  cursor: z.string().max(200).optional().catch(undefined),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const staff = await requireStaff(request, context);
  const url = new URL(request.url);
  const filters = filtersSchema.parse(Object.fromEntries(url.searchParams));
  const page = await listTasks(context.db, { ...filters, staffId: staff.userId, now: new Date() });
  return {
    view: filters.view,
    me: staff.userId,
    tasks: page.tasks,
    firstPage: firstPageHref(url),
    nextPage: nextPageHref(url, page.nextCursor),
  };
}

export default function StaffTasks() {
  const { view, tasks, firstPage, nextPage, me } = useLoaderData<typeof loader>();
  const done = view === "done";
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold tracking-tight">Tasks</h1>
      <nav aria-label="Which tasks" className="flex flex-wrap gap-2">
        {views.map(([key, label]) => (
          <Link
            key={key}
            to={`?view=${key}`}
            aria-current={key === view ? "page" : undefined}
            className={`rounded-full px-3 py-1 text-sm font-medium ring-1 ${key === view ? "bg-brand-600 text-white ring-brand-600" : "text-slate-800 ring-slate-300 hover:bg-slate-50"}`}
          >
            {label}
          </Link>
        ))}
      </nav>
      {tasks.length ? (
        <ul className="divide-y divide-slate-100 rounded-xl ring-1 ring-slate-200" data-testid="task-list">
          {tasks.map((task) => (
            <li key={task.id} className="space-y-1 p-4 text-sm" data-testid="task-row">
              <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
                <Link to={`/staff/tasks/${task.id}`} className="font-semibold text-brand-700 underline">
                  {task.title}
                </Link>
                {done ? (
                  <span className="text-slate-700">
                    {task.outcome ? outcomeLabels[task.outcome] : "Done"}
                    {task.completedAt ? ` on ${longDate(task.completedAt)}` : ""}
                  </span>
                ) : (
                  <span className={task.overdue ? "font-semibold text-red-700" : "text-slate-700"}>
                    {task.overdue ? "Overdue: was due " : "Due "}
                    {longDate(task.dueAt)}
                  </span>
                )}
              </div>
              <p className="text-slate-700">{task.reason}</p>
              <p className="flex flex-wrap gap-x-4 text-slate-600">
                <Link to={task.link} className="text-brand-700 underline">
                  {task.accountName}
                </Link>
                <span>{task.assigneeId === me ? "You" : (task.assigneeName ?? "The team's queue")}</span>
              </p>
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-sm text-slate-600">
          {view === "mine" ? "You have no open tasks." : done ? "No task is done yet." : "No open tasks here."}
        </p>
      )}
      <PageLinks firstPage={firstPage} nextPage={nextPage} next="Next page" />
    </div>
  );
}
