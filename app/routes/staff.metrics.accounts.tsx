import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { firstPageHref, nextPageHref } from "~/lib/paging";
import { PageLinks } from "~/components/ui/page-links";
import { pageMeta, pageTitle } from "~/lib/seo";
import { requireStaff } from "~/modules/accounts/sessions.server";
import { churnKindLabels, money, movementLabels, whole } from "~/modules/metrics/format";
import { monthLabel, parseMonth } from "~/modules/metrics/months";
import { figureTotal, listFigureAccounts, type FigureAccounts } from "~/modules/metrics/report.server";
import type { ChurnKind, Movement } from "~/modules/metrics/movements";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Accounts behind a figure"),
    description: "Staff admins: the accounts a revenue figure counts, biggest first.",
    path: "/staff/metrics/accounts",
    noindex: true,
  });

const MOVEMENTS = ["new", "reactivation", "expansion", "contraction", "churn", "customers"] as const;

/**
 * `?month=YYYY-MM` with `movement=` one of new, reactivation, expansion, contraction, churn or
 * customers (paying at the month's end), or with `cohort=YYYY-MM` (that cohort's accounts paying in
 * the month). Anything else is a 400 with a sentence: a link the pages make always parses.
 */
function figureOf(params: URLSearchParams): { figure: FigureAccounts; title: string } {
  const month = parseMonth(params.get("month"));
  if (!month) throw new Response("Say which month, as YYYY-MM (month=2026-05).", { status: 400 });
  const cohortParam = params.get("cohort");
  if (cohortParam !== null) {
    const cohortMonth = parseMonth(cohortParam);
    if (!cohortMonth || cohortMonth > month)
      throw new Response("The cohort is a first paid month, as YYYY-MM, no later than the month.", { status: 400 });
    return {
      figure: { month, cohortMonth },
      title: `First paid in ${monthLabel(cohortMonth, "long")}, still paying at the end of ${monthLabel(month, "long")}`,
    };
  }
  const movement = MOVEMENTS.find((m) => m === params.get("movement"));
  if (!movement)
    throw new Response("Say which figure: movement=new, reactivation, expansion, contraction, churn or customers.", {
      status: 400,
    });
  const title =
    movement === "customers"
      ? `Customers paying at the end of ${monthLabel(month, "long")}`
      : `${movementLabels[movement]} in ${monthLabel(month, "long")}`;
  return { figure: { month, movement }, title };
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireStaff(request, context, "admin");
  const url = new URL(request.url);
  const { figure, title } = figureOf(url.searchParams);
  const cursor = url.searchParams.get("cursor");
  const [page, total] = await Promise.all([
    listFigureAccounts(context.db, figure, cursor),
    figureTotal(context.db, figure),
  ]);
  const byMovement = "movement" in figure && figure.movement !== "customers";
  return {
    title,
    byMovement,
    // The figure the page opened from, in all: "62 accounts, $13,182".
    total: `${whole(total.accounts)} ${total.accounts === 1 ? "account" : "accounts"}, ${money(total.mrr)}${
      byMovement ? " moved" : " of MRR at the month's end"
    }`,
    firstPage: firstPageHref(url),
    accounts: page.accounts.map((account) => ({
      id: account.accountId,
      name: account.name,
      start: money(account.startMrr),
      end: money(account.endMrr),
      change: account.movement
        ? `${movementLabels[account.movement as Movement]} ${money(account.amount)}${
            account.churnKind ? ` (${churnKindLabels[account.churnKind as ChurnKind].toLowerCase()})` : ""
          }`
        : "No change",
    })),
    nextPage: nextPageHref(url, page.nextCursor),
  };
}

export default function FigureAccountsPage() {
  const { title, total, byMovement, accounts, firstPage, nextPage } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-6">
      <div className="space-y-1">
        <h1 className="text-2xl font-bold tracking-tight">{title}</h1>
        <p className="font-medium" data-testid="figure-total">
          {total}
        </p>
        <p className="text-sm text-slate-700">
          {byMovement ? "Biggest movement first." : "Highest MRR first."} MRR in US dollars at the month&apos;s start
          and end.{" "}
          <Link to="/staff/metrics" className="text-brand-700 underline">
            Back to revenue
          </Link>
        </p>
      </div>
      {accounts.length ? (
        <div className="overflow-x-auto rounded-lg ring-1 ring-slate-200">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">{title}</caption>
            <thead className="bg-slate-50 text-slate-600">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">
                  Account
                </th>
                <th scope="col" className="px-3 py-2 text-right font-medium">
                  MRR at start
                </th>
                <th scope="col" className="px-3 py-2 text-right font-medium">
                  MRR at end
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Movement
                </th>
              </tr>
            </thead>
            <tbody>
              {accounts.map((account) => (
                <tr key={account.id} className="border-t border-slate-100">
                  <th scope="row" className="px-3 py-2 font-medium">
                    <Link to={`/staff/accounts/${account.id}`} className="text-brand-700 underline">
                      {account.name}
                    </Link>
                  </th>
                  <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums">{account.start}</td>
                  <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums">{account.end}</td>
                  <td className="px-3 py-2">{account.change}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="text-sm text-slate-700">No accounts: nothing was counted here.</p>
      )}
      <PageLinks firstPage={firstPage} nextPage={nextPage} next="Next accounts" />
    </div>
  );
}
