import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireStaff } from "~/modules/accounts/sessions.server";
import type { FitResult } from "~/modules/qualification/evaluate";
import { findLead } from "~/modules/qualification/leads.server";
import { requirementStatusLabels, verdictLabels } from "~/modules/qualification/verdict-labels";
import { attributionRows } from "~/modules/qualification/attribution.server";
import { answerRows } from "~/modules/qualification/questionnaire";
import { planLabel } from "~/modules/catalog/labels";
import { loadCatalogWords } from "~/modules/catalog/labels.server";
import { pageMeta, pageTitle } from "~/lib/seo";
import { idParam } from "~/lib/ids";
import { LocalDate } from "~/components/local-date";

export const meta: MetaFunction<typeof loader> = ({ data, matches, params }) =>
  data
    ? pageMeta(matches, {
        title: pageTitle("Lead"),
        description:
          "One lead's answers to the questionnaire, its fit and score, the plan it points to, and whether it asked to be contacted.",
        path: `/staff/leads/${params.leadId}`,
        noindex: true,
      })
    : [];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requireStaff(request, context);
  const lead = await findLead(context.db, idParam(params, "leadId"));
  if (!lead) throw new Response("Not found", { status: 404 });
  const words = await loadCatalogWords(context.db);
  return {
    lead: { ...lead, result: lead.result as unknown as FitResult },
    planName: lead.planSlug ? planLabel(lead.planSlug, words.planNames) : null,
    answers: answerRows(lead.answers, words.features),
    attribution: lead.attribution ? attributionRows(lead.attribution) : null,
  };
}

function Entries({ rows }: { rows: { label: string; value: string }[] }) {
  return (
    <dl className="mt-2 divide-y divide-slate-100 rounded-xl text-sm ring-1 ring-slate-200">
      {rows.map((row) => (
        <div key={row.label} className="flex justify-between gap-4 px-4 py-2">
          <dt className="text-slate-600">{row.label}</dt>
          <dd className="break-words text-right [overflow-wrap:anywhere]">{row.value}</dd>
        </div>
      ))}
    </dl>
  );
}

export default function StaffLead() {
  const { lead, planName, answers, attribution } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-8">
      <Link to="/staff/leads" className="text-sm text-brand-700 underline">
        ← All leads
      </Link>
      <header>
        <h1 className="text-2xl font-bold tracking-tight">
          {verdictLabels[lead.result.verdict]}
          {planName ? `: ${planName}` : ""}
        </h1>
        <p className="mt-1 text-sm text-slate-600">
          Score {lead.score} · <LocalDate value={lead.createdAt} /> ·{" "}
          {lead.organisationName ? `Account: ${lead.organisationName}` : "No account yet"}
        </p>
      </header>
      {lead.contactRequests.length ? (
        <section aria-labelledby="contact-heading" className="rounded-xl bg-amber-50 p-4 ring-1 ring-amber-200">
          <h2 id="contact-heading" className="font-semibold">
            Asked to be contacted
          </h2>
          <p className="mt-1 text-sm text-slate-700">
            Anyone with the result link can ask; every request is kept as it was sent, oldest first.
          </p>
          <ol className="mt-3 divide-y divide-amber-200" data-testid="contact-requests">
            {lead.contactRequests.map((contact) => (
              <li key={contact.id} className="py-3 text-sm" data-testid="contact-request">
                <p>
                  <span className="font-medium">{contact.email}</span> ·{" "}
                  <span className="text-slate-700">
                    <LocalDate value={contact.createdAt} />
                  </span>
                </p>
                <p className="text-slate-700">
                  {contact.senderEmail
                    ? `Sent while signed in as ${contact.senderName} (${contact.senderEmail})`
                    : "Sent without signing in"}
                </p>
                {contact.message ? <p className="mt-2 whitespace-pre-wrap">{contact.message}</p> : null}
              </li>
            ))}
          </ol>
        </section>
      ) : null}
      <section aria-labelledby="answers-heading">
        <h2 id="answers-heading" className="text-lg font-semibold">
          Answers
        </h2>
        <Entries rows={answers.map((row) => ({ label: row.question, value: row.answer }))} />
      </section>
      <section aria-labelledby="result-heading">
        <h2 id="result-heading" className="text-lg font-semibold">
          What we told them
        </h2>
        <ul className="mt-2 list-disc pl-5 text-sm">
          {lead.result.reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
        <ul className="mt-4 divide-y divide-slate-100 rounded-xl text-sm ring-1 ring-slate-200">
          {lead.result.requirements.map((requirement) => (
            <li key={requirement.key} className="flex justify-between gap-4 px-4 py-2">
              <span>{requirement.label}</span>
              <span className="text-slate-600">{requirementStatusLabels[requirement.status]}</span>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="attribution-heading">
        <h2 id="attribution-heading" className="text-lg font-semibold">
          Where they came from
        </h2>
        {attribution ? <Entries rows={attribution} /> : <p className="mt-2 text-sm text-slate-600">Not recorded.</p>}
      </section>
    </div>
  );
}
