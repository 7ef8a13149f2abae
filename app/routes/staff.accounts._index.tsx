import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { subscriptionStatusLabel, trialStatusLabel } from "~/modules/billing/status-labels";
import { planLabel } from "~/modules/catalog/labels";
import { loadCatalogWords } from "~/modules/catalog/labels.server";
import { Link, useLoaderData } from "@remix-run/react";
import { nextPageHref } from "~/lib/paging";
import { requireStaff } from "~/modules/accounts/sessions.server";
import { listAccountsForStaff } from "~/modules/accounts/staff-accounts.server";
import { pageMeta, pageTitle } from "~/lib/seo";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Accounts"),
    description:
      "Customer organisations, newest first, with their subscription and trial, each linking to its full account page.",
    path: "/staff/accounts",
    noindex: true,
  });

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireStaff(request, context);
  const url = new URL(request.url);
  const [page, words] = await Promise.all([
    listAccountsForStaff(context.db, url.searchParams.get("cursor") ?? undefined),
    loadCatalogWords(context.db),
  ]);
  return {
    accounts: page.accounts.map((account) => ({ ...account, planName: planLabel(account.planSlug, words.planNames) })),
    nextPage: nextPageHref(url, page.nextCursor),
  };
}

export default function StaffAccounts() {
  const { accounts, nextPage } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold tracking-tight">Accounts</h1>
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Organisations, newest first, with their subscription and trial</caption>
          <thead className="text-slate-600">
            <tr>
              <th scope="col" className="py-2 pr-4 font-medium">
                Organisation
              </th>
              <th scope="col" className="py-2 pr-4 font-medium">
                Since (UTC)
              </th>
              <th scope="col" className="py-2 pr-4 font-medium">
                Subscription
              </th>
              <th scope="col" className="py-2 font-medium">
                Trial
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {accounts.map((account) => (
              <tr key={account.id} data-testid="account-row">
                <td className="py-2 pr-4">
                  <Link to={`/staff/accounts/${account.id}`} className="text-brand-700 underline">
                    {account.name}
                  </Link>
                </td>
                <td className="py-2 pr-4">{new Date(account.createdAt).toISOString().slice(0, 10)}</td>
                <td className="py-2 pr-4">
                  {account.subscriptionStatus
                    ? `${subscriptionStatusLabel(account.subscriptionStatus)} · ${account.planName} · ${account.seats} users`
                    : "—"}
                </td>
                <td className="py-2">{account.trialStatus ? trialStatusLabel(account.trialStatus) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {nextPage ? (
        <Link to={nextPage} className="inline-block text-sm font-medium text-brand-700 underline">
          Older accounts
        </Link>
      ) : null}
    </div>
  );
}
