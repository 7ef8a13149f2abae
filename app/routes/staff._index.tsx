import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireStaff } from "~/modules/accounts/sessions.server";
import { staffOverview } from "~/modules/accounts/staff-overview.server";
import { verdictLabels } from "~/modules/qualification/verdict-labels";
import { subscriptionStatusLabel } from "~/modules/billing/status-labels";
import { planLabel } from "~/modules/catalog/labels";
import { loadCatalogWords } from "~/modules/catalog/labels.server";
import { pageMeta, pageTitle } from "~/lib/seo";

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;
const day = (date: Date | string) => new Date(date).toISOString().slice(0, 10);
const time = (date: Date | string) => `${new Date(date).toISOString().slice(0, 16).replace("T", " ")} UTC`;

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Staff console"),
    description:
      "Staff console: paid orders waiting for approval, failing payments, undelivered emails, and this week's new leads and organisations.",
    path: "/staff",
    noindex: true,
  });

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireStaff(request, context);
  const [overview, words] = await Promise.all([
    staffOverview(context.db, new Date(Date.now() - WEEK_MS)),
    loadCatalogWords(context.db),
  ]);
  return { ...overview, planNames: words.planNames };
}

export default function StaffHome() {
  const {
    awaitingApproval,
    failingPayments,
    unprocessableEvents,
    undeliveredEmails,
    leadCounts,
    newOrganisations,
    planNames,
  } = useLoaderData<typeof loader>();
  const attention = [
    ...awaitingApproval.map((a) => ({
      key: `approve-${a.accountId}-${a.planSlug}`,
      accountId: a.accountId,
      name: a.name,
      what: `${planLabel(a.planSlug, planNames)} order paid, waiting for your approval`,
    })),
    ...failingPayments.map((f) => ({
      key: `payment-${f.accountId}`,
      accountId: f.accountId,
      name: f.name,
      what: `payment failing (${subscriptionStatusLabel(f.status)})${f.since ? ` since ${day(f.since)}` : ""}`,
    })),
  ];
  return (
    <div className="space-y-10">
      <section aria-labelledby="attention-heading">
        <h1 id="attention-heading" className="text-2xl font-bold tracking-tight">
          Needs attention
        </h1>
        {attention.length ? (
          <ul className="mt-4 divide-y divide-slate-100 rounded-xl ring-1 ring-slate-200" data-testid="attention">
            {attention.map((item) => (
              <li key={item.key} className="flex justify-between gap-4 px-4 py-3 text-sm">
                <Link to={`/staff/accounts/${item.accountId}`} className="font-medium text-brand-700 underline">
                  {item.name}
                </Link>
                <span className="text-slate-700">{item.what}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-4 text-sm text-slate-600">Nothing waits for you: no approvals, no failing payments.</p>
        )}
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
                  waiting since {time(email.queuedAt)}, {email.attempts} {email.attempts === 1 ? "attempt" : "attempts"}{" "}
                  failed ({email.lastError}), next at {time(email.nextAttemptAt)}
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
