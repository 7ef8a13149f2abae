import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { readForm } from "~/lib/forms.server";
import { getsStaffDigest, setStaffDigest } from "~/modules/email/staff-digest.server";
import { countText, myDayLinks, type CappedCount } from "~/modules/success/my-day";
import { myDay } from "~/modules/success/my-day.server";
import { changeText, healthText } from "~/modules/success/portfolio-format";
import { operationLabels } from "~/modules/provisioning-labels";
import { requireStaff } from "~/modules/accounts/sessions.server";
import { staffOverview } from "~/modules/accounts/staff-overview.server";
import { verdictLabels } from "~/modules/qualification/verdict-labels";
import { subscriptionStatusLabel } from "~/modules/billing/status-labels";
import { planLabel } from "~/modules/catalog/labels";
import { loadCatalogWords } from "~/modules/catalog/labels.server";
import { pageMeta, pageTitle } from "~/lib/seo";
import { longDate } from "~/lib/dates";
import { LocalDate } from "~/components/local-date";
import { lowerFirst } from "~/lib/text";

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;
const day = longDate;

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Staff console"),
    description:
      "Staff console: your tasks due, health drops, trials to call, setups waiting, failing payments, contact requests, and this week's new leads and accounts.",
    path: "/staff",
    noindex: true,
  });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const staff = await requireStaff(request, context);
  const now = new Date();
  const [overview, day, digest, words] = await Promise.all([
    staffOverview(context.db, new Date(now.getTime() - WEEK_MS)),
    myDay(context.db, staff.userId, now),
    getsStaffDigest(context.db, staff.userId),
    loadCatalogWords(context.db),
  ]);
  return { ...overview, day, digest, planNames: words.planNames };
}

const actionSchema = z.object({ intent: z.literal("digest"), digest: z.enum(["on", "off"]) });

/** Turns the staff member's daily digest email on or off (audited, idempotent). */
export async function action({ request, context }: ActionFunctionArgs) {
  const staff = await requireStaff(request, context);
  const parsed = actionSchema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return data({ error: "Choose whether to get the daily email." }, { status: 400 });
  await setStaffDigest(context.db, staff.userId, parsed.data.digest === "on");
  return { error: null };
}

/** One block of the day: its count linking to the filtered list, and what to show under it. */
function DayTile({
  label,
  count,
  href,
  testId,
  children,
}: {
  label: string;
  count: CappedCount;
  href: string;
  testId: string;
  children?: React.ReactNode;
}) {
  return (
    <li className="rounded-xl p-4 ring-1 ring-slate-200" data-testid={testId}>
      <Link to={href} className="block">
        <span className="block text-2xl font-bold" data-testid="count">
          {countText(count)}
        </span>
        <span className="text-sm text-brand-700 underline">{label}</span>
      </Link>
      {children}
    </li>
  );
}

const itemList = "mt-3 space-y-1 text-sm text-slate-700";

function TaskItems({ items }: { items: { id: string; accountName: string; title: string; overdue: boolean }[] }) {
  return (
    <ul className={itemList}>
      {items.map((task) => (
        <li key={task.id}>
          <Link to={`/staff/tasks/${task.id}`} className="underline">
            {task.title}
          </Link>{" "}
          ({task.accountName}){task.overdue ? <span className="font-medium text-red-700"> overdue</span> : null}
        </li>
      ))}
    </ul>
  );
}

export default function StaffHome() {
  const {
    awaitingApproval,
    day: today,
    digest,
    unprocessableEvents,
    undeliveredEmails,
    leadCounts,
    newOrganisations,
    planNames,
  } = useLoaderData<typeof loader>();
  const attention = [
    ...awaitingApproval.map((a) => ({
      key: `approve-${a.accountId}-${a.planSlug}`,
      to: `/staff/accounts/${a.accountId}`,
      name: a.name,
      what: `${planLabel(a.planSlug, planNames)} order paid, waiting for your approval`,
    })),
    ...today.failingPayments.items.map((f) => ({
      key: `payment-${f.accountId}`,
      to: `/staff/accounts/${f.accountId}`,
      name: f.name,
      what: `${f.status === "active" ? "payment failing" : lowerFirst(subscriptionStatusLabel(f.status))}${f.since ? ` since ${day(f.since)}` : ""}`,
    })),
    ...today.setupsWaitingStaff.items.map((r) => ({
      key: `setup-${r.id}`,
      to: `/staff/provisioning/${r.id}`,
      name: r.name,
      what: (
        <>
          {operationLabels[r.operation]} {planLabel(r.planSlug, planNames)} waiting for staff, due{" "}
          <LocalDate value={r.slaDueAt} />
        </>
      ),
    })),
    ...today.contactRequests.items.map((c) => ({
      key: `contact-${c.id}`,
      to: `/staff/leads/${c.leadId}`,
      name: c.organisationName ?? c.email,
      what: `asked to be contacted${c.organisationName ? ` (${c.email})` : ""} on ${day(c.createdAt)}`,
    })),
  ];
  return (
    <div className="space-y-10">
      <section aria-labelledby="day-heading">
        <h1 id="day-heading" className="text-2xl font-bold tracking-tight">
          Your day
        </h1>
        <ul className="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          <DayTile
            label="My tasks due today or overdue"
            count={today.myTasks.count}
            href={myDayLinks.myTasks}
            testId="my-tasks"
          >
            <TaskItems items={today.myTasks.items} />
          </DayTile>
          <DayTile
            label="The team's queue, due"
            count={today.queueTasks.count}
            href={myDayLinks.queueTasks}
            testId="queue-tasks"
          >
            <TaskItems items={today.queueTasks.items} />
          </DayTile>
          <DayTile
            label="Health dropped this week"
            count={today.healthDropped.count}
            href={myDayLinks.healthDropped}
            testId="health-dropped"
          >
            <ul className={itemList}>
              {today.healthDropped.items.map((account) => (
                <li key={account.accountId}>
                  <Link to={`/staff/accounts/${account.accountId}`} className="underline">
                    {account.name}
                  </Link>
                  : {healthText(account.band, account.score, null)}
                  {account.change7d !== null ? `, ${changeText(account.change7d)}` : ""}
                </li>
              ))}
            </ul>
          </DayTile>
          <DayTile
            label="Trials to call"
            count={today.trialsToCall.count}
            href={myDayLinks.trialsToCall}
            testId="trials-to-call"
          >
            <ul className={itemList}>
              {today.trialsToCall.items.map((trial) => (
                <li key={trial.accountId}>
                  <Link to={`/staff/accounts/${trial.accountId}`} className="underline">
                    {trial.name}
                  </Link>
                  : score {trial.score}
                  {trial.trialEndsAt ? `, ends ${day(trial.trialEndsAt)}` : ""}
                </li>
              ))}
            </ul>
          </DayTile>
          <DayTile
            label="Setups waiting for staff"
            count={today.setupsWaitingStaff.count}
            href={myDayLinks.setupsWaitingStaff}
            testId="setups-waiting-staff"
          />
          <DayTile
            label="Setups waiting on the customer"
            count={today.setupsWaitingCustomer.count}
            href={myDayLinks.setupsWaitingCustomer}
            testId="setups-waiting-customer"
          />
          <DayTile
            label="Failing payments"
            count={today.failingPayments.count}
            href={myDayLinks.failingPayments}
            testId="failing-payments"
          />
          <DayTile
            label="Contact requests this week"
            count={today.contactRequests.count}
            href={myDayLinks.contactRequests}
            testId="contact-requests"
          />
        </ul>
      </section>
      <section aria-labelledby="attention-heading">
        <h2 id="attention-heading" className="text-lg font-semibold">
          Needs attention
        </h2>
        {attention.length ? (
          <ul className="mt-4 divide-y divide-slate-100 rounded-xl ring-1 ring-slate-200" data-testid="attention">
            {attention.map((item) => (
              <li key={item.key} className="flex justify-between gap-4 px-4 py-3 text-sm">
                <Link to={item.to} className="font-medium text-brand-700 underline">
                  {item.name}
                </Link>
                <span className="text-slate-700">{item.what}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-4 text-sm text-slate-600">
            Nothing waits for you: no approvals, no failing payments, no setups waiting for staff, no contact requests.
          </p>
        )}
      </section>
      <section aria-labelledby="digest-heading" id="digest">
        <h2 id="digest-heading" className="text-lg font-semibold">
          Daily email
        </h2>
        <Form method="post" className="mt-2 flex flex-col gap-3 text-sm sm:flex-row sm:items-center">
          <p className="text-slate-700" data-testid="digest-state">
            {digest
              ? "You get this summary by email at 06:00 UTC on days you have tasks due."
              : "You do not get the daily email."}
          </p>
          <input type="hidden" name="intent" value="digest" />
          <button
            type="submit"
            name="digest"
            value={digest ? "off" : "on"}
            className="rounded-md px-3 py-2 font-semibold text-brand-700 ring-1 ring-slate-300"
          >
            {digest ? "Stop the daily email" : "Send me the daily email"}
          </button>
        </Form>
      </section>
      {unprocessableEvents.length ? (
        <section aria-labelledby="events-heading">
          <h2 id="events-heading" className="text-lg font-semibold">
            Stripe events the portal could not apply
          </h2>
          <p className="mt-1 text-sm text-slate-600">
            Stripe does not know what these events are about (another account&apos;s objects, or deleted ones). They are
            not retried; check them in Stripe&apos;s dashboard.
          </p>
          <ul className="mt-4 divide-y divide-slate-100 rounded-xl ring-1 ring-slate-200" data-testid="unprocessable">
            {unprocessableEvents.map((event) => (
              <li key={event.id} className="flex flex-col gap-1 px-4 py-3 text-sm sm:flex-row sm:justify-between">
                <span className="font-medium">
                  {event.type} <span className="font-normal text-slate-600">({event.id})</span>
                </span>
                <span className="text-slate-700">
                  {event.reason} · {day(event.receivedAt)}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {undeliveredEmails.length ? (
        <section aria-labelledby="mail-heading">
          <h2 id="mail-heading" className="text-lg font-semibold">
            Emails the mail server has not taken
          </h2>
          <p className="mt-1 text-sm text-slate-600">
            The portal keeps trying each of these, at least once an hour, until the mail server accepts it; nothing is
            dropped. If this list stays, check the mail server and SMTP_URL.
          </p>
          <ul
            className="mt-4 divide-y divide-slate-100 rounded-xl ring-1 ring-slate-200"
            data-testid="undelivered-mail"
          >
            {undeliveredEmails.map((email) => (
              <li key={email.id} className="flex flex-col gap-1 px-4 py-3 text-sm sm:flex-row sm:justify-between">
                <span className="font-medium">
                  {email.subject} <span className="font-normal text-slate-600">to {email.to}</span>
                </span>
                <span className="text-slate-700">
                  waiting since <LocalDate value={email.queuedAt} />, {email.attempts}{" "}
                  {email.attempts === 1 ? "attempt" : "attempts"} failed ({email.lastError}), next at{" "}
                  <LocalDate value={email.nextAttemptAt} />
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <h2 className="text-2xl font-bold tracking-tight">This week</h2>
      <section aria-labelledby="leads-heading">
        <h3 id="leads-heading" className="text-lg font-semibold">
          New leads
        </h3>
        <ul className="mt-4 grid gap-4 sm:grid-cols-4">
          {Object.entries(verdictLabels).map(([verdict, label]) => (
            <li key={verdict} className="rounded-xl p-4 ring-1 ring-slate-200">
              <Link to={`/staff/leads?verdict=${verdict}`} className="block">
                <span className="block text-2xl font-bold">
                  {leadCounts.find((c) => c.verdict === verdict)?.count ?? 0}
                </span>
                <span className="text-sm text-slate-700">{label}</span>
              </Link>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="accounts-heading">
        <h3 id="accounts-heading" className="text-lg font-semibold">
          New accounts to welcome
        </h3>
        {newOrganisations.length ? (
          <ul className="mt-4 divide-y divide-slate-100 rounded-xl ring-1 ring-slate-200">
            {newOrganisations.map((organisation) => (
              <li key={organisation.id} className="flex justify-between px-4 py-3 text-sm">
                <span className="font-medium">{organisation.name}</span>
                <span className="text-slate-600">
                  {organisation.members} {organisation.members === 1 ? "member" : "members"} · since{" "}
                  {day(organisation.createdAt)}
                </span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-4 text-sm text-slate-600">No new accounts this week.</p>
        )}
      </section>
    </div>
  );
}
