import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { FormErrors, SubmitButton } from "~/components/ui/field";
import { requireStaff } from "~/modules/accounts/sessions.server";
import { claimTask, completeTask, reassignTask, snoozeTask, taskDetail } from "~/modules/success/tasks.server";
import { outcomeLabels } from "~/modules/success/words";
import { longDate } from "~/lib/dates";
import { readForm } from "~/lib/forms.server";
import { idParam } from "~/lib/ids";
import { pageMeta, pageTitle } from "~/lib/seo";
import { textField } from "~/lib/text";
import { LocalDate } from "~/components/local-date";

export const meta: MetaFunction<typeof loader> = ({ data, matches, params }) =>
  data
    ? pageMeta(matches, {
        title: pageTitle(`${data.task.accountName}: task`),
        description:
          "One customer-success task: why it exists, when it is due and its history; claim, reassign, snooze or complete it.",
        path: `/staff/tasks/${params.taskId}`,
        noindex: true,
      })
    : [];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const staff = await requireStaff(request, context);
  const now = new Date();
  const task = await taskDetail(context.db, idParam(params, "taskId"), now);
  if (!task) throw new Response("Not found", { status: 404 });
  return { task, me: staff.userId, today: now.toISOString().slice(0, 10) };
}

const outcomes = ["called", "emailed", "no_answer", "not_needed"] as const;

const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("claim") }),
  z.object({
    intent: z.literal("reassign"),
    to: z.union([z.literal("queue"), z.uuid()], { error: "Choose a staff member or the team's queue." }),
  }),
  z.object({
    intent: z.literal("snooze"),
    days: z.enum(["1", "3", "7"], { error: "Snooze for 1, 3 or 7 days, or choose a day." }).optional(),
    until: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, "Choose a day after today and within a year.")
      .optional()
      .or(z.literal("").transform(() => undefined)),
  }),
  z.object({
    intent: z.literal("complete"),
    outcome: z.enum(outcomes, { error: "Choose how it went." }),
    note: textField({ max: 2000, multiline: true }).optional(),
  }),
]);

export async function action({ request, context, params }: ActionFunctionArgs) {
  const staff = await requireStaff(request, context);
  const taskId = idParam(params, "taskId");
  const parsed = actionSchema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return data({ error: parsed.error.issues[0]?.message ?? "Choose an action." }, { status: 400 });
  const who = { id: staff.userId, name: staff.name };
  const value = parsed.data;
  let result;
  switch (value.intent) {
    case "claim":
      result = await claimTask(context.db, taskId, who);
      break;
    case "reassign":
      result = await reassignTask(context.db, taskId, who, value.to === "queue" ? null : value.to);
      break;
    case "snooze":
      if (value.days) result = await snoozeTask(context.db, taskId, who, { days: Number(value.days) });
      else if (value.until) result = await snoozeTask(context.db, taskId, who, { until: value.until });
      else return data({ error: "Snooze for 1, 3 or 7 days, or choose a day." }, { status: 400 });
      break;
    case "complete":
      result = await completeTask(context.db, taskId, who, { outcome: value.outcome, note: value.note || null });
      break;
  }
  if (!result.ok) return data({ error: result.message }, { status: result.status });
  throw redirect(`/staff/tasks/${taskId}`);
}

const input = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm";

export default function StaffTask() {
  const { task, me, today } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const open = task.status === "open";
  return (
    <div className="space-y-8">
      <Link to="/staff/tasks" className="text-sm text-brand-700 underline">
        ← Tasks
      </Link>
      <header className="space-y-2">
        <h1 className="text-2xl font-bold tracking-tight">{task.title}</h1>
        <p className="text-sm text-slate-700">{task.reason}</p>
        <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-4" data-testid="task-facts">
          <div>
            <dt className="text-slate-600">Account</dt>
            <dd>
              <Link to={task.link} className="text-brand-700 underline">
                {task.accountName}
              </Link>
            </dd>
          </div>
          <div>
            <dt className="text-slate-600">{open ? "Due" : "Completed"}</dt>
            <dd className={task.overdue ? "font-semibold text-red-700" : undefined} data-testid="task-due">
              {open
                ? `${task.overdue ? "Overdue: was due " : ""}${longDate(task.dueAt)}`
                : `${task.outcome ? outcomeLabels[task.outcome] : "Done"}${task.completedAt ? ` on ${longDate(task.completedAt)}` : ""}${task.completedByName ? ` by ${task.completedByName}` : ""}`}
            </dd>
          </div>
          <div>
            <dt className="text-slate-600">Assigned to</dt>
            <dd data-testid="task-assignee">
              {task.assigneeId === me ? "You" : (task.assigneeName ?? "The team's queue")}
            </dd>
          </div>
          <div>
            <dt className="text-slate-600">From</dt>
            <dd>
              {task.ruleName ? `The rule “${task.ruleName}”` : "Added by staff"}
              {task.fireCount > 1 ? ` (fired ${task.fireCount} times)` : ""}
            </dd>
          </div>
        </dl>
        {task.note ? <p className="rounded-md bg-slate-50 p-3 text-sm whitespace-pre-line">{task.note}</p> : null}
      </header>
      <FormErrors id="action-errors" errors={actionData ? [actionData.error] : undefined} />

      {open ? (
        <section aria-labelledby="actions-heading" className="space-y-6">
          <h2 id="actions-heading" className="text-lg font-semibold">
            Act on it
          </h2>
          <div className="grid gap-6 md:grid-cols-2">
            <div className="space-y-4">
              {!task.assigneeId ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="claim" />
                  <SubmitButton>Claim</SubmitButton>
                </Form>
              ) : null}
              <Form method="post" className="space-y-2 rounded-xl p-4 ring-1 ring-slate-200">
                <input type="hidden" name="intent" value="reassign" />
                <label htmlFor="reassign-to" className="text-sm font-medium">
                  Give it to
                </label>
                <select id="reassign-to" name="to" defaultValue={task.assigneeId ?? "queue"} className={input}>
                  <option value="queue">The team's queue</option>
                  {task.staff.map((member) => (
                    <option key={member.id} value={member.id}>
                      {member.id === me ? `${member.name} (you)` : member.name}
                    </option>
                  ))}
                </select>
                <SubmitButton variant="secondary">Reassign</SubmitButton>
              </Form>
              <Form method="post" className="space-y-3 rounded-xl p-4 ring-1 ring-slate-200">
                <input type="hidden" name="intent" value="snooze" />
                <p className="text-sm font-medium" id="snooze-label">
                  Snooze
                </p>
                <div className="flex flex-wrap gap-2" role="group" aria-labelledby="snooze-label">
                  {["1", "3", "7"].map((days) => (
                    <button
                      key={days}
                      type="submit"
                      name="days"
                      value={days}
                      className="rounded-md bg-white px-3 py-2 text-sm font-semibold ring-1 ring-slate-300 ring-inset hover:bg-slate-50"
                    >
                      {days === "1" ? "1 day" : `${days} days`}
                    </button>
                  ))}
                </div>
                <div className="flex flex-wrap items-end gap-2">
                  <div>
                    <label htmlFor="snooze-until" className="text-sm font-medium">
                      Or until
                    </label>
                    <input id="snooze-until" name="until" type="date" min={today} className={input} />
                  </div>
                  <SubmitButton variant="secondary">Snooze until then</SubmitButton>
                </div>
              </Form>
            </div>
            <Form method="post" className="space-y-3 rounded-xl p-4 ring-1 ring-slate-200">
              <input type="hidden" name="intent" value="complete" />
              <fieldset>
                <legend className="text-sm font-medium">How did it go?</legend>
                <div className="mt-2 grid grid-cols-2 gap-2">
                  {outcomes.map((outcome) => (
                    <label key={outcome} className="flex items-center gap-2 text-sm">
                      <input type="radio" name="outcome" value={outcome} required />
                      {outcomeLabels[outcome]}
                    </label>
                  ))}
                </div>
              </fieldset>
              <div>
                <label htmlFor="complete-note" className="text-sm font-medium">
                  Note (optional)
                </label>
                <textarea id="complete-note" name="note" rows={3} maxLength={2000} className={input} />
              </div>
              <SubmitButton>Complete</SubmitButton>
            </Form>
          </div>
        </section>
      ) : null}

      <section aria-labelledby="history-heading">
        <h2 id="history-heading" className="text-lg font-semibold">
          History
        </h2>
        {task.history.length ? null : <p className="mt-2 text-sm text-slate-600">Nothing has been done with it yet.</p>}
        <ol className="mt-2 space-y-2 text-sm" data-testid="task-history">
          {task.history.map((event) => (
            <li key={event.id} className="flex flex-col gap-1 sm:flex-row sm:gap-4">
              <span className="shrink-0 text-slate-600">
                <LocalDate value={event.at} />
              </span>
              <span>{event.text}</span>
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
