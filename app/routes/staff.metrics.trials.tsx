import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { LocalDate } from "~/components/local-date";
import { firstPageHref, nextPageHref } from "~/lib/paging";
import { PageLinks } from "~/components/ui/page-links";
import { pageMeta, pageTitle } from "~/lib/seo";
import { requireStaff } from "~/modules/accounts/sessions.server";
import { listTrialAccounts, TRIAL_OUTCOMES, type TrialOutcome } from "~/modules/metrics/funnel.server";
import { monthLabel, parseMonth } from "~/modules/metrics/months";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Trials behind a figure"),
    description: "Staff admins: the trials a funnel or conversion figure counts, in the order they started.",
    path: "/staff/metrics/trials",
    noindex: true,
  });

const TITLES: Record<TrialOutcome, string> = {
  all: "Trials started in",
  activated: "Activated trials started in",
  converted: "Converted trials started in",
  assisted: "Assisted trials started in",
  unassisted: "Unassisted trials started in",
};

/** `?month=YYYY-MM&outcome=all|activated|converted|assisted|unassisted`; anything else is a 400 with a sentence. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireStaff(request, context, "admin");
  const url = new URL(request.url);
  const month = parseMonth(url.searchParams.get("month"));
  if (!month) throw new Response("Say which month the trials started in, as YYYY-MM (month=2026-05).", { status: 400 });
  const outcome = TRIAL_OUTCOMES.find((o) => o === (url.searchParams.get("outcome") ?? "all"));
  if (!outcome) throw new Response(`Say which trials: outcome=${TRIAL_OUTCOMES.join(", ")}.`, { status: 400 });
  const page = await listTrialAccounts(context.db, { month, outcome }, url.searchParams.get("cursor"));
  return {
    title: `${TITLES[outcome]} ${monthLabel(month, "long")}`,
    trials: page.trials.map((trial) => ({
      id: trial.trialId,
      accountId: trial.accountId,
      name: trial.name,
      startedAt: trial.startedAt.toISOString(),
      activated: trial.activated ? "Yes" : "No",
      assisted: trial.assisted ? "Yes" : "No",
      paidAt: trial.paidAt?.toISOString() ?? null,
    })),
    firstPage: firstPageHref(url),
    nextPage: nextPageHref(url, page.nextCursor),
  };
}

export default function TrialsBehindFigure() {
  const { title, trials, firstPage, nextPage } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-6">
      <div className="space-y-1">
        <h1 className="text-2xl font-bold tracking-tight">{title}</h1>
        <p className="text-sm text-slate-700">
          In the order they started.{" "}
          <Link to="/staff/metrics/funnel" className="text-brand-700 underline">
            Back to the funnel
          </Link>
        </p>
      </div>
      {trials.length ? (
        <div className="overflow-x-auto rounded-lg ring-1 ring-slate-200">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">{title}</caption>
            <thead className="bg-slate-50 text-slate-600">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">
                  Account
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Started
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Activated
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Staff reached out
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  First paid
                </th>
              </tr>
            </thead>
            <tbody>
              {trials.map((trial) => (
                <tr key={trial.id} className="border-t border-slate-100">
                  <th scope="row" className="px-3 py-2 font-medium">
                    <Link to={`/staff/accounts/${trial.accountId}`} className="text-brand-700 underline">
                      {trial.name}
                    </Link>
                  </th>
                  <td className="whitespace-nowrap px-3 py-2">
                    <LocalDate value={trial.startedAt} />
                  </td>
                  <td className="px-3 py-2">{trial.activated}</td>
                  <td className="px-3 py-2">{trial.assisted}</td>
                  <td className="whitespace-nowrap px-3 py-2">
                    {trial.paidAt ? <LocalDate value={trial.paidAt} /> : "Not yet"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="text-sm text-slate-700">No trials: nothing was counted here.</p>
      )}
      <PageLinks firstPage={firstPage} nextPage={nextPage} next="Next trials" />
    </div>
  );
}
