/**
 * The sections Account 360 adds to the staff account page (issue 16 item 1): the standing with
 * the assign form, why the health reads as it does (measures as bars with their sentences, the
 * 30-day trend, the override), tasks, notes, services and the lead. Plain forms: everything works
 * without JavaScript. Data comes from `account360` (app/modules/success/account-360.server.ts).
 */
import { Form, Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { BarChart } from "~/components/charts/bar-chart";
import { LineChart } from "~/components/charts/line-chart";
import { SubmitButton } from "~/components/ui/field";
import { longDate } from "~/lib/dates";
import { formatMoney, type Money } from "~/lib/money";
import type { HealthBand } from "#db/schema";
import { bandOf } from "~/modules/success/health";
import { bandLabels } from "~/modules/success/words";
import { unscoredText } from "~/modules/success/portfolio-format";

const bandStyles: Record<HealthBand, string> = {
  red: "bg-red-100 text-red-800",
  yellow: "bg-amber-100 text-amber-900",
  green: "bg-emerald-100 text-emerald-800",
};
const arrows = { up: "▲", down: "▼", flat: "■" } as const;
const inputClass = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm";

type Change = { text: string; direction: "up" | "down" | "flat" } | null;
type DateLike = Date | string;

/** A titled section of the page; `id` names its heading for `aria-labelledby`. */
export function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={`${id}-heading`} className="space-y-3">
      <h2 id={`${id}-heading`} className="text-lg font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}

/** The health band as a coloured word with the score: "Poor · 42 of 100". */
export function BandBadge({ band, label, score }: { band: HealthBand; label: string; score: number | null }) {
  return (
    <span className={`inline-block rounded-full px-2.5 py-0.5 text-sm font-semibold ${bandStyles[band]}`}>
      {label}
      {score !== null ? ` · ${score} of 100` : ""}
    </span>
  );
}

/** The band the measures alone give, in words ("poor"). */
const computedBand = (score: number | null) =>
  score === null ? "nothing yet" : bandLabels[bandOf(score)].toLowerCase();

function Trend({ change, period }: { change: Change; period: string }) {
  if (!change) return null;
  const tone =
    change.direction === "down" ? "text-red-700" : change.direction === "up" ? "text-emerald-700" : "text-slate-600";
  return (
    <span className={tone}>
      <span aria-hidden="true">{arrows[change.direction]} </span>
      {change.text} in {period}
    </span>
  );
}

export type Standing = {
  stage: string;
  /** Why there is no score, when there is none: "Not scored yet", "Not scored: no longer a customer". */
  unscored: string;
  score: number | null;
  band: HealthBand | null;
  bandLabel: string | null;
  change7d: Change;
  change30d: Change;
  droppedAt: DateLike | null;
  mrr: Money | null;
  planNames: string[];
  assignedStaffId: string | null;
  assignedName: string | null;
};

/** The account at a glance: plans, MRR, stage, health and trend, and who looks after it (with the assign form). */
export function StandingPanel({
  standing,
  override,
  staff,
  me,
}: {
  standing: Standing | null;
  override: { band: HealthBand; bandLabel: string } | null;
  staff: { id: string; name: string; email: string }[];
  me: string;
}) {
  const rows: { term: string; detail: ReactNode }[] = [
    { term: "Plans", detail: standing?.planNames.length ? standing.planNames.join(", ") : "None" },
    { term: "Monthly revenue", detail: standing?.mrr ? formatMoney(standing.mrr) : "None" },
    { term: "Stage", detail: standing?.stage ?? "Not assessed yet" },
    {
      term: "Health",
      detail:
        standing?.band && standing.bandLabel ? (
          <span className="flex flex-wrap items-center gap-x-3 gap-y-1">
            {override ? (
              <>
                <BandBadge band={override.band} label={override.bandLabel} score={null} />
                <span>
                  judged by staff; the measures say {computedBand(standing.score)}
                  {standing.score !== null ? `, ${standing.score} of 100` : ""}
                </span>
              </>
            ) : (
              <BandBadge band={standing.band} label={standing.bandLabel} score={standing.score} />
            )}
            <Trend change={standing.change7d} period="7 days" />
            <Trend change={standing.change30d} period="30 days" />
          </span>
        ) : (
          (standing?.unscored ?? unscoredText(null))
        ),
    },
  ];
  return (
    <div className="rounded-lg border border-slate-200 p-4" data-testid="standing">
      <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
        {rows.map((row) => (
          <div key={row.term}>
            <dt className="font-medium text-slate-600">{row.term}</dt>
            <dd className="mt-0.5">{row.detail}</dd>
          </div>
        ))}
        <div className="sm:col-span-2">
          <dt className="font-medium text-slate-600">Looked after by</dt>
          <dd className="mt-0.5" data-testid="assigned">
            {standing?.assignedName ?? "The team's queue"}
          </dd>
        </div>
      </dl>
      <Form method="post" className="mt-3 flex flex-wrap items-end gap-3 text-sm">
        <input type="hidden" name="intent" value="assign" />
        <div className="min-w-0 flex-1 sm:max-w-xs">
          <label htmlFor="assignee" className="block font-medium">
            Assign to
          </label>
          <select id="assignee" name="assignee" defaultValue="me" className={inputClass}>
            <option value="me">Me</option>
            <option value="queue">The team's queue</option>
            {staff
              .filter((member) => member.id !== me)
              .map((member) => (
                <option key={member.id} value={member.id}>
                  {member.name} ({member.email})
                </option>
              ))}
          </select>
        </div>
        <SubmitButton variant="secondary">Assign</SubmitButton>
      </Form>
    </div>
  );
}

export type MeasureRow = {
  key: string;
  label: string;
  score: number | null;
  weight: number;
  effectiveWeight: number;
  explanation: string;
};

/** "Counts 30%" (its share after measures without data gave theirs away), or why it does not count. */
function weightText(measure: MeasureRow, total: number): string {
  if (measure.score === null) return "its weight goes to the others";
  return `Counts ${Math.round((measure.effectiveWeight / (total || 1)) * 100)}%`;
}

/**
 * Why the health reads as it does, worst measure first: each measure as a bar (score of 100) and a
 * line with its score, weight and sentence; the 30-day trend; the override in force with a clear
 * button, or the form to set one.
 */
export function HealthSection({
  measures,
  trend,
  computedScore,
  override,
  overrideLimits,
  unscored,
}: {
  /** Why the account has no score, shown when it has no measures (`unscoredText`). */
  unscored: string;
  measures: MeasureRow[];
  trend: { x: string; y: number }[];
  computedScore: number | null;
  override: {
    id: string;
    bandLabel: string;
    band: HealthBand;
    reason: string;
    expiresAt: DateLike;
    createdByName: string | null;
  } | null;
  overrideLimits: { min: string; max: string; suggested: string };
}) {
  const scored = measures.filter((measure) => measure.score !== null);
  const total = scored.reduce((sum, measure) => sum + measure.effectiveWeight, 0);
  return (
    <Section id="health" title="Why the health reads this way">
      {measures.length ? (
        <>
          <BarChart
            label="Health measures, each scored out of 100"
            tone="health"
            bars={scored.map((measure) => ({ label: measure.label, value: measure.score ?? 0, max: 100 }))}
          />
          <ul className="divide-y divide-slate-200 border-y border-slate-200 text-sm" data-testid="measures">
            {measures.map((measure) => (
              <li key={measure.key} className="py-2">
                <div className="flex flex-wrap justify-between gap-x-4">
                  <span className="font-medium">{measure.label}</span>
                  <span className="text-slate-600">
                    {measure.score === null ? "No data" : `${measure.score} of 100`} · {weightText(measure, total)}
                  </span>
                </div>
                <p className="mt-0.5">{measure.explanation}</p>
              </li>
            ))}
          </ul>
          {computedScore !== null ? (
            <p className="text-sm text-slate-600">The measures add up to {computedScore} of 100.</p>
          ) : null}
        </>
      ) : (
        <p className="text-sm text-slate-600">{unscored}. The health job scores every account in service each day.</p>
      )}
      <h3 className="font-semibold">Health over the last 30 days</h3>
      {trend.length ? (
        <LineChart label="Health score by day" points={trend} yDomain={[0, 100]} />
      ) : (
        <p className="text-sm text-slate-600">No daily scores yet.</p>
      )}
      <h3 className="font-semibold">Staff judgement</h3>
      {override ? (
        <div className="rounded-md border border-slate-200 p-3 text-sm" data-testid="override">
          <p>
            Judged <strong>{override.bandLabel.toLowerCase()}</strong> by{" "}
            {override.createdByName ?? "a former staff member"} until{" "}
            {longDate(new Date(new Date(override.expiresAt).getTime() - 1))}: “{override.reason}”
          </p>
          <Form method="post" className="mt-2">
            <input type="hidden" name="intent" value="clear-override" />
            <input type="hidden" name="overrideId" value={override.id} />
            <SubmitButton variant="secondary">Clear the judgement</SubmitButton>
          </Form>
        </div>
      ) : (
        <p className="text-sm text-slate-600">
          None: the health is the computed score. If you know better (a call went well, a champion left), say so here;
          it shows instead of the computed health until the day you choose.
        </p>
      )}
      <Form method="post" className="max-w-xl space-y-3 text-sm">
        <input type="hidden" name="intent" value="override" />
        <fieldset>
          <legend className="font-medium">{override ? "Replace with" : "Health you judge"}</legend>
          <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
            {(
              [
                ["green", "Good"],
                ["yellow", "Fair"],
                ["red", "Poor"],
              ] as const
            ).map(([band, label]) => (
              <label key={band} className="inline-flex items-center gap-1.5">
                <input type="radio" name="band" value={band} className="h-4 w-4" />
                {label}
              </label>
            ))}
          </div>
        </fieldset>
        <div>
          <label htmlFor="override-reason" className="block font-medium">
            Why
          </label>
          <input id="override-reason" name="reason" maxLength={500} className={inputClass} />
        </div>
        <div>
          <label htmlFor="override-until" className="block font-medium">
            Until (at most 180 days)
          </label>
          <input
            id="override-until"
            name="expiresOn"
            type="date"
            min={overrideLimits.min}
            max={overrideLimits.max}
            defaultValue={overrideLimits.suggested}
            className={`${inputClass} sm:w-48`}
          />
        </div>
        <SubmitButton variant="secondary">Set the judgement</SubmitButton>
      </Form>
    </Section>
  );
}

type Task = {
  id: string;
  title: string;
  reason: string;
  dueAt: DateLike;
  assigneeName: string | null;
  outcomeLabel?: string | null;
  note?: string | null;
  completedAt?: DateLike | null;
};

function TaskList({ tasks, testId, empty, done }: { tasks: Task[]; testId: string; empty: string; done?: boolean }) {
  if (!tasks.length) return <p className="text-sm text-slate-600">{empty}</p>;
  return (
    <ul className="divide-y divide-slate-200 border-y border-slate-200 text-sm" data-testid={testId}>
      {tasks.map((task) => (
        <li key={task.id} className="py-2">
          <Link to={`/staff/tasks/${task.id}`} className="font-medium text-brand-700 underline">
            {task.title}
          </Link>
          <p>{task.reason}</p>
          <p className="text-slate-600">
            {done
              ? `Done ${task.completedAt ? longDate(task.completedAt) : ""}${task.outcomeLabel ? ` · ${task.outcomeLabel}` : ""}${task.note ? ` · ${task.note}` : ""}`
              : `Due ${longDate(task.dueAt)} · ${task.assigneeName ?? "The team's queue"}`}
          </p>
        </li>
      ))}
    </ul>
  );
}

/** The account's open tasks (soonest due first) and done ones, read-only, each linking to its page. */
export function TasksSection({ open, done }: { open: Task[]; done: Task[] }) {
  return (
    <Section id="tasks" title="Tasks">
      <TaskList tasks={open} testId="open-tasks" empty="No open tasks." />
      <details className="text-sm">
        <summary className="cursor-pointer text-brand-700 underline">Done ({done.length})</summary>
        <div className="mt-2">
          <TaskList tasks={done} testId="done-tasks" empty="None done yet." done />
        </div>
      </details>
    </Section>
  );
}

/** Staff notes, newest first, shown as typed (plain text, line breaks kept), with the form to add one. */
export function NotesSection({
  notes,
  olderHref,
  newestHref,
  maxLength,
  draft,
}: {
  notes: { id: string; body: string; createdAt: DateLike; authorName: string | null }[];
  olderHref: string | null;
  newestHref: string | null;
  maxLength: number;
  draft: string;
}) {
  return (
    <Section id="notes" title="Staff notes">
      <Form method="post" className="max-w-xl space-y-2 text-sm">
        <input type="hidden" name="intent" value="note" />
        <label htmlFor="note-body" className="block font-medium">
          New note
        </label>
        <p id="note-hint" className="text-slate-600">
          Plain text, up to {maxLength.toLocaleString("en-GB")} characters; only staff see it.
        </p>
        <textarea
          id="note-body"
          name="body"
          rows={3}
          maxLength={maxLength}
          defaultValue={draft}
          aria-describedby="note-hint"
          className={inputClass}
        />
        <SubmitButton variant="secondary">Add the note</SubmitButton>
      </Form>
      {notes.length ? (
        <ol className="divide-y divide-slate-200 border-y border-slate-200 text-sm" data-testid="notes">
          {notes.map((note) => (
            <li key={note.id} className="py-2">
              <p className="text-slate-600">
                {note.authorName ?? "A former staff member"} · {longDate(note.createdAt)}
              </p>
              <p className="whitespace-pre-wrap break-words">{note.body}</p>
            </li>
          ))}
        </ol>
      ) : (
        <p className="text-sm text-slate-600">No notes yet.</p>
      )}
      <nav aria-label="Note pages" className="flex gap-4 text-sm">
        {newestHref ? (
          <Link to={newestHref} className="text-brand-700 underline">
            Newest notes
          </Link>
        ) : null}
        {olderHref ? (
          <Link to={olderHref} className="text-brand-700 underline">
            Older notes
          </Link>
        ) : null}
      </nav>
    </Section>
  );
}

type Service = {
  instanceId: string;
  planName: string;
  state: string;
  users: { used: number; bought: number | null };
  activeUsers: number | null;
  seatsText: string | null;
  meters: { label: string; text: string; nearLimit: boolean }[];
  checklist: {
    items: { key: string; title: string; progressText: string; done: boolean }[];
    reached: number;
    total: number;
    percent: number;
  } | null;
  requests: { id: string; operation: string; status: string; failed: boolean; createdAt: DateLike }[];
};

/**
 * Each service: its state, people in the organisation against the users bought, active users in
 * the product, plan limits in use, the activation checklist and its provisioning requests.
 */
export function ServicesSection({ services }: { services: Service[] }) {
  return (
    <Section id="services" title="Services">
      {services.length ? (
        <ul className="space-y-4" data-testid="services">
          {services.map((service) => (
            <li key={service.instanceId} className="rounded-lg border border-slate-200 p-4 text-sm">
              <p className="font-semibold">{service.planName}</p>
              <p>{service.state}</p>
              <p className="mt-1">
                {service.users.used} {service.users.used === 1 ? "person" : "people"} in the organisation
                {service.users.bought !== null ? ` of ${service.users.bought} bought` : ""}
                {service.activeUsers !== null ? ` · ${service.activeUsers} active in the last 28 days` : ""}
                {service.seatsText ? ` · the product reports ${service.seatsText}` : ""}
              </p>
              {service.meters.length ? (
                <ul className="mt-1 text-slate-700">
                  {service.meters.map((meter) => (
                    <li key={meter.label}>
                      {meter.label}: {meter.text}
                      {meter.nearLimit ? <strong className="text-amber-800"> · near the limit</strong> : null}
                    </li>
                  ))}
                </ul>
              ) : null}
              {service.checklist ? (
                <div className="mt-2">
                  <p className="font-medium">
                    Activation: {service.checklist.reached} of {service.checklist.total} milestones (
                    {service.checklist.percent}%)
                  </p>
                  <ul className="mt-1 space-y-0.5">
                    {service.checklist.items.map((item) => (
                      <li key={item.key}>
                        <span aria-hidden="true">{item.done ? "✓ " : "○ "}</span>
                        {item.title} · {item.done ? "done" : item.progressText}
                      </li>
                    ))}
                  </ul>
                </div>
              ) : null}
              {service.requests.length ? (
                <div className="mt-2">
                  <p className="font-medium">Setup requests</p>
                  <ul className="mt-1 space-y-0.5">
                    {service.requests.map((request) => (
                      <li key={request.id}>
                        <Link to={`/staff/provisioning/${request.id}`} className="text-brand-700 underline">
                          {request.operation}
                        </Link>{" "}
                        · {longDate(request.createdAt)} ·{" "}
                        {request.failed ? <strong className="text-red-700">{request.status}</strong> : request.status}
                      </li>
                    ))}
                  </ul>
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-sm text-slate-600">No services.</p>
      )}
    </Section>
  );
}

/** The lead the account came from: its fit verdict, the answers in words and where it came from. */
export function LeadSection({
  lead,
  attribution,
}: {
  lead: {
    id: string;
    verdict: string;
    score: number;
    createdAt: DateLike;
    answers: { question: string; answer: string }[];
  } | null;
  attribution: { label: string; value: string }[];
}) {
  return (
    <Section id="lead" title="Where the account came from">
      {lead ? (
        <div className="text-sm" data-testid="lead">
          <p>
            Qualified {longDate(lead.createdAt)}: <strong>{lead.verdict}</strong> (fit score {lead.score}) ·{" "}
            <Link to={`/staff/leads/${lead.id}`} className="text-brand-700 underline">
              The lead
            </Link>
          </p>
          <dl className="mt-2 grid gap-x-4 gap-y-1 sm:grid-cols-[12rem_1fr]">
            {lead.answers.map((row) => (
              <div key={row.question} className="contents">
                <dt className="text-slate-600">{row.question}</dt>
                <dd>{row.answer}</dd>
              </div>
            ))}
          </dl>
        </div>
      ) : (
        <p className="text-sm text-slate-600">No qualification answers: the account signed up directly.</p>
      )}
      {attribution.length ? (
        <dl className="grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[12rem_1fr]" data-testid="attribution">
          {attribution.map((row) => (
            <div key={row.label} className="contents">
              <dt className="text-slate-600">{row.label}</dt>
              <dd className="break-words">{row.value}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <p className="text-sm text-slate-600">No campaign or referrer recorded.</p>
      )}
    </Section>
  );
}
