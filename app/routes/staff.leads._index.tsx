import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { requireStaff } from "~/modules/accounts/sessions.server";
import { FilterSelect } from "~/components/ui/filter-select";
import { firstPageHref, nextPageHref } from "~/lib/paging";
import { PageLinks } from "~/components/ui/page-links";
import { planLabel } from "~/modules/catalog/labels";
import { loadCatalogWords, planChoices } from "~/modules/catalog/labels.server";
import { leadFiltersSchema, listLeads } from "~/modules/qualification/leads.server";
import { verdictLabels } from "~/modules/qualification/verdict-labels";
import { pageMeta, pageTitle } from "~/lib/seo";
import { LocalDate } from "~/components/local-date";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Leads"),
    description:
      "Answers to the qualification questionnaire and sales requests, filtered by fit, plan and date, newest first.",
    path: "/staff/leads",
    noindex: true,
  });

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireStaff(request, context);
  const url = new URL(request.url);
  const filters = leadFiltersSchema.parse(Object.fromEntries(url.searchParams));
  const [page, words] = await Promise.all([listLeads(context.db, filters), loadCatalogWords(context.db)]);
  return {
    filters,
    leads: page.leads.map((lead) => ({ ...lead, planName: planLabel(lead.planSlug, words.planNames) })),
    firstPage: firstPageHref(url),
    nextPage: nextPageHref(url, page.nextCursor),
    plans: planChoices(words),
  };
}

const input = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm";

export default function StaffLeads() {
  const { filters, leads, firstPage, nextPage, plans } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold tracking-tight">Leads</h1>
      <Form
        method="get"
        className="grid gap-4 rounded-xl p-4 ring-1 ring-slate-200 sm:grid-cols-3 sm:items-end lg:grid-cols-6"
      >
        <FilterSelect name="verdict" label="Fit" value={filters.verdict} options={Object.entries(verdictLabels)} />
        <FilterSelect name="plan" label="Plan" value={filters.plan} options={plans} />
        <FilterSelect
          name="contact"
          label="Contact"
          value={filters.contact}
          options={[["requested", "Asked to be contacted"]]}
        />
        <div>
          <label htmlFor="from" className="text-sm font-medium">
            From
          </label>
          <input id="from" name="from" type="date" defaultValue={filters.from ?? ""} className={input} />
        </div>
        <div>
          <label htmlFor="to" className="text-sm font-medium">
            To
          </label>
          <input id="to" name="to" type="date" defaultValue={filters.to ?? ""} className={input} />
        </div>
        <button type="submit" className="rounded-md bg-brand-600 px-4 py-2.5 text-sm font-semibold text-white">
          Filter
        </button>
      </Form>
      {leads.length ? (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Leads, newest first</caption>
            <thead className="text-slate-600">
              <tr>
                <th scope="col" className="py-2 pr-4 font-medium">
                  When (UTC)
                </th>
                <th scope="col" className="py-2 pr-4 font-medium">
                  Fit
                </th>
                <th scope="col" className="py-2 pr-4 font-medium">
                  Plan
                </th>
                <th scope="col" className="py-2 pr-4 font-medium">
                  Seats
                </th>
                <th scope="col" className="py-2 pr-4 font-medium">
                  Score
                </th>
                <th scope="col" className="py-2 pr-4 font-medium">
                  Account
                </th>
                <th scope="col" className="py-2 font-medium">
                  Contact
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {leads.map((lead) => (
                <tr key={lead.id} data-testid="lead-row">
                  <td className="py-2 pr-4">
                    <Link to={`/staff/leads/${lead.id}`} className="text-brand-700 underline">
                      <LocalDate value={lead.createdAt} />
                    </Link>
                  </td>
                  <td className="py-2 pr-4">
                    {verdictLabels[lead.verdict as keyof typeof verdictLabels] ?? lead.verdict}
                  </td>
                  <td className="py-2 pr-4">{lead.planName}</td>
                  <td className="py-2 pr-4">
                    {typeof lead.answers.seats === "number"
                      ? new Intl.NumberFormat("en-US").format(lead.answers.seats)
                      : "—"}
                  </td>
                  <td className="py-2 pr-4">{lead.score}</td>
                  <td className="py-2 pr-4">{lead.organisationName ?? "—"}</td>
                  <td className="py-2">
                    {lead.contactEmail
                      ? `Asked to be contacted: ${lead.contactEmail}${
                          lead.contactRequestCount > 1 ? ` and ${lead.contactRequestCount - 1} more` : ""
                        }`
                      : ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="text-sm text-slate-600">No leads match.</p>
      )}
      <PageLinks firstPage={firstPage} nextPage={nextPage} next="Older leads" />
    </div>
  );
}
