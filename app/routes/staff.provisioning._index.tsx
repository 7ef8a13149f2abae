import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { listQueue, queueFiltersSchema } from "../../provisioning";
import { StatusBadge } from "~/components/status-badge";
import { requireStaff } from "~/modules/accounts/sessions.server";
import { FilterSelect } from "~/components/ui/filter-select";
import { firstPageHref, nextPageHref } from "~/lib/paging";
import { PageLinks } from "~/components/ui/page-links";
import { loadCatalogWords, planChoices } from "~/modules/catalog/labels.server";
import { operationLabels, statusLabels } from "~/modules/provisioning-labels";
import { pageMeta, pageTitle } from "~/lib/seo";
import { LocalDate } from "~/components/local-date";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Provisioning queue"),
    description:
      "Workspace setups that customers bought or started, filtered by status, operation, plan and age, to claim and complete.",
    path: "/staff/provisioning",
    noindex: true,
  });

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireStaff(request, context);
  const url = new URL(request.url);
  const filters = queueFiltersSchema.parse(Object.fromEntries(url.searchParams));
  const [page, words] = await Promise.all([listQueue(context.db, filters), loadCatalogWords(context.db)]);
  return {
    filters,
    requests: page.requests,
    firstPage: firstPageHref(url),
    nextPage: nextPageHref(url, page.nextCursor),
    plans: planChoices(words),
  };
}

const input = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm";

export default function ProvisioningQueue() {
  const { filters, requests, firstPage, nextPage, plans } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold tracking-tight">Provisioning queue</h1>
      <Form method="get" className="grid gap-4 rounded-xl p-4 ring-1 ring-slate-200 sm:grid-cols-5 sm:items-end">
        <FilterSelect
          name="status"
          label="Status"
          value={filters.status}
          options={Object.entries(statusLabels)}
          anyLabel="Open (not finished)"
        />
        <FilterSelect
          name="operation"
          label="Operation"
          value={filters.operation}
          options={Object.entries(operationLabels)}
        />
        <FilterSelect name="plan" label="Plan" value={filters.plan} options={plans} />
        <div>
          <label htmlFor="olderThanHours" className="text-sm font-medium">
            Older than (hours)
          </label>
          <input
            id="olderThanHours"
            name="olderThanHours"
            type="number"
            min={1}
            defaultValue={filters.olderThanHours ?? ""}
            className={input}
          />
        </div>
        <button type="submit" className="rounded-md bg-brand-600 px-4 py-2.5 text-sm font-semibold text-white">
          Filter
        </button>
      </Form>
      {requests.length ? (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">
              Provisioning requests: trial setups waiting for staff first, then the others waiting for staff
            </caption>
            <thead className="text-slate-600">
              <tr>
                <th scope="col" className="py-2 pr-4 font-medium">
                  Account
                </th>
                <th scope="col" className="py-2 pr-4 font-medium">
                  What
                </th>
                <th scope="col" className="py-2 pr-4 font-medium">
                  Status
                </th>
                <th scope="col" className="py-2 pr-4 font-medium">
                  Due (UTC)
                </th>
                <th scope="col" className="py-2 font-medium">
                  Attempts
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {requests.map((request) => (
                <tr key={request.id} data-testid="queue-row" className={request.overdue ? "bg-red-50" : undefined}>
                  <td className="py-2 pr-4">
                    <Link to={`/staff/provisioning/${request.id}`} className="text-brand-700 underline">
                      {request.accountName}
                    </Link>
                  </td>
                  <td className="py-2 pr-4">
                    {operationLabels[request.operation]} {request.planName} ({request.provisioner})
                    {request.trialSetup ? (
                      <span
                        className="ml-2 rounded-full bg-amber-100 px-2 py-0.5 text-xs font-semibold text-amber-900"
                        title="The customer's trial days start when this setup completes"
                      >
                        Trial waiting
                      </span>
                    ) : null}
                  </td>
                  <td className="py-2 pr-4">
                    <StatusBadge status={request.status} />
                    {request.claimedBy ? <span className="ml-2 text-xs text-slate-600">claimed</span> : null}
                  </td>
                  <td className="py-2 pr-4">
                    <LocalDate value={request.slaDueAt} />
                    {request.overdue ? <strong className="ml-2 text-red-700">Overdue</strong> : null}
                  </td>
                  <td className="py-2">{request.attempts}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="text-sm text-slate-600">Nothing in the queue matches.</p>
      )}
      <PageLinks firstPage={firstPage} nextPage={nextPage} next="Next page" />
    </div>
  );
}
