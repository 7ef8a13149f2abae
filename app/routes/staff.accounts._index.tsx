import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { FilterSelect } from "~/components/ui/filter-select";
import { firstPageHref, nextPageHref } from "~/lib/paging";
import { PageLinks } from "~/components/ui/page-links";
import { pageMeta, pageTitle } from "~/lib/seo";
import { longDate } from "~/lib/dates";
import { requireStaff } from "~/modules/accounts/sessions.server";
import { listStaff } from "~/modules/accounts/staff.server";
import { planLabel } from "~/modules/catalog/labels";
import { loadCatalogWords, planChoices } from "~/modules/catalog/labels.server";
import {
  changeText,
  DROPPED_DAYS,
  healthText,
  mrrText,
  plansText,
  stageText,
  TRIAL_ENDING_DAYS,
} from "~/modules/success/portfolio-format";
import { listPortfolio, portfolioFiltersSchema, type PortfolioFilters } from "~/modules/success/portfolio.server";
import { bandLabels, stageLabels } from "~/modules/success/words";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Accounts"),
    description:
      "Every customer account with its stage, health, plans, MRR and owner, most in need of attention first; search, filter and download as CSV.",
    path: "/staff/accounts",
    noindex: true,
  });

const FILTER_NAMES = ["q", "stage", "band", "plan", "assigned", "trial", "dropped", "payment"] as const;

/** The filters as query parameters, without the cursor (chips, the CSV link, a fresh search). */
function filterParams(filters: PortfolioFilters, without?: (typeof FILTER_NAMES)[number]): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of FILTER_NAMES) {
    const value = filters[name];
    if (value && name !== without) params.set(name, value);
  }
  return params;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const staff = await requireStaff(request, context);
  const url = new URL(request.url);
  const filters = portfolioFiltersSchema.parse(Object.fromEntries(url.searchParams));
  const [page, words, team] = await Promise.all([
    listPortfolio(context.db, filters, { staffId: staff.userId, now: new Date() }),
    loadCatalogWords(context.db),
    listStaff(context.db),
  ]);
  const staffNames = new Map(team.map((member) => [member.id, member.name]));
  const chipText: Record<(typeof FILTER_NAMES)[number], (value: string) => string> = {
    q: (value) => `Search: ${value}`,
    stage: (value) => `Stage: ${stageLabels[value as keyof typeof stageLabels]}`,
    band: (value) => `Health: ${bandLabels[value as keyof typeof bandLabels]}`,
    plan: (value) => `Plan: ${planLabel(value, words.planNames)}`,
    assigned: (value) =>
      value === "me"
        ? "Assigned to me"
        : value === "unassigned"
          ? "Not assigned"
          : `Assigned to ${staffNames.get(value) ?? "a former staff member"}`,
    trial: () => `Trial ends within ${TRIAL_ENDING_DAYS} days`,
    dropped: () => `Health dropped in the last ${DROPPED_DAYS} days`,
    payment: () => "Payment failing",
  };
  const chips = FILTER_NAMES.filter((name) => filters[name]).map((name) => {
    const rest = filterParams(filters, name).toString();
    return { name, text: chipText[name](filters[name]!), removeHref: rest ? `?${rest}` : "/staff/accounts" };
  });
  const query = filterParams(filters).toString();
  return {
    filters,
    chips,
    csvHref: `/staff/accounts.csv${query ? `?${query}` : ""}`,
    plans: planChoices(words),
    team: team.filter((member) => member.id !== staff.userId).map((member) => [member.id, member.name]) as [
      string,
      string,
    ][],
    accounts: page.accounts.map((account) => ({
      id: account.accountId,
      name: account.name,
      ownerEmail: account.ownerEmail,
      stage: stageText(account.stage, account.stageDay),
      health: healthText(account.healthBand, account.healthScore, account.stage),
      band: account.healthBand,
      change: changeText(account.healthChange7d),
      plans: plansText(account.planSlugs, words.planNames) || "—",
      mrr: mrrText(account.mrrMinor, account.currency),
      assigned: account.assignedName ?? "Team",
      trialEnds: account.trialEndsAt ? longDate(account.trialEndsAt) : "—",
    })),
    firstPage: firstPageHref(url),
    nextPage: nextPageHref(url, page.nextCursor),
  };
}

const bandStyle = { red: "text-red-700", yellow: "text-amber-700", green: "text-green-700" } as const;

/** A portfolio cell; on a phone, where the table's headings are hidden, it names its column itself. */
function Cell({ label, className = "", children }: { label: string; className?: string; children: React.ReactNode }) {
  return (
    <td className={`py-2 pr-4 max-sm:py-0 ${className}`}>
      <span className="block text-xs text-slate-500 sm:hidden">{label}</span>
      {children}
    </td>
  );
}

export default function StaffPortfolio() {
  const { filters, chips, csvHref, plans, team, accounts, firstPage, nextPage } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-bold tracking-tight">Accounts</h1>
        <a href={csvHref} className="text-sm font-medium text-brand-700 underline" download>
          Download CSV
        </a>
      </div>
      <Form
        method="get"
        className="grid gap-4 rounded-xl p-4 ring-1 ring-slate-200 sm:grid-cols-2 sm:items-end lg:grid-cols-4"
        aria-label="Search and filter accounts"
      >
        <div className="sm:col-span-2">
          <label htmlFor="q" className="text-sm font-medium">
            Name, email or domain
          </label>
          <input
            id="q"
            name="q"
            type="search"
            defaultValue={filters.q ?? ""}
            maxLength={100}
            className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
          />
        </div>
        <FilterSelect name="stage" label="Stage" value={filters.stage} options={Object.entries(stageLabels)} />
        <FilterSelect name="band" label="Health" value={filters.band} options={Object.entries(bandLabels)} />
        <FilterSelect name="plan" label="Plan" value={filters.plan} options={plans} />
        <FilterSelect
          name="assigned"
          label="Assigned to"
          value={filters.assigned}
          anyLabel="Anyone"
          options={[["me", "Me"], ["unassigned", "Not assigned (the team)"], ...team]}
        />
        <FilterSelect
          name="trial"
          label="Trial"
          value={filters.trial}
          options={[["ending", `Ends within ${TRIAL_ENDING_DAYS} days`]]}
        />
        <FilterSelect
          name="dropped"
          label="Health change"
          value={filters.dropped}
          options={[["recent", `Dropped in the last ${DROPPED_DAYS} days`]]}
        />
        <FilterSelect name="payment" label="Payment" value={filters.payment} options={[["failing", "Failing"]]} />
        <button type="submit" className="rounded-md bg-brand-600 px-4 py-2.5 text-sm font-semibold text-white">
          Show accounts
        </button>
      </Form>
      {chips.length ? (
        <ul className="flex flex-wrap gap-2" aria-label="Active filters" data-testid="filter-chips">
          {chips.map((chip) => (
            <li key={chip.name}>
              <Link
                to={chip.removeHref}
                className="inline-flex items-center gap-1 rounded-full bg-slate-100 px-3 py-1 text-sm text-slate-800 ring-1 ring-slate-200"
              >
                {chip.text}
                <span aria-hidden="true">×</span>
                <span className="sr-only">(remove this filter)</span>
              </Link>
            </li>
          ))}
          <li>
            <Link to="/staff/accounts" className="inline-block px-1 py-1 text-sm text-brand-700 underline">
              Clear all
            </Link>
          </li>
        </ul>
      ) : null}
      {accounts.length ? (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Accounts, most in need of attention first</caption>
            {/* On a phone each account is a card (the headings move into the cells); a table from sm up. */}
            <thead className="text-slate-600 max-sm:hidden">
              <tr>
                <th scope="col" className="py-2 pr-4 font-medium">
                  Account
                </th>
                <th scope="col" className="py-2 pr-4 font-medium">
                  Stage
                </th>
                <th scope="col" className="py-2 pr-4 font-medium">
                  Health
                </th>
                <th scope="col" className="py-2 pr-4 font-medium">
                  Plans
                </th>
                <th scope="col" className="py-2 pr-4 text-right font-medium">
                  MRR
                </th>
                <th scope="col" className="py-2 pr-4 font-medium">
                  Assigned to
                </th>
                <th scope="col" className="py-2 font-medium">
                  Trial ends
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {accounts.map((account) => (
                <tr
                  key={account.id}
                  data-testid="account-row"
                  className="max-sm:grid max-sm:grid-cols-2 max-sm:gap-x-4 max-sm:gap-y-2 max-sm:py-3"
                >
                  <td className="py-2 pr-4 max-sm:col-span-2 max-sm:py-0">
                    <Link to={`/staff/accounts/${account.id}`} className="text-brand-700 underline">
                      {account.name}
                    </Link>
                    {account.ownerEmail ? (
                      <span className="block break-all text-xs text-slate-600">{account.ownerEmail}</span>
                    ) : null}
                  </td>
                  <Cell label="Stage">{account.stage}</Cell>
                  <Cell label="Health">
                    <span className={account.band ? bandStyle[account.band] : "text-slate-600"}>{account.health}</span>
                    {account.change ? <span className="block text-xs text-slate-600">{account.change}</span> : null}
                  </Cell>
                  <Cell label="Plans">{account.plans}</Cell>
                  <Cell label="MRR" className="tabular-nums sm:text-right">
                    {account.mrr}
                  </Cell>
                  <Cell label="Assigned to">{account.assigned}</Cell>
                  <Cell label="Trial ends">{account.trialEnds}</Cell>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="text-sm text-slate-600">No accounts match.</p>
      )}
      <PageLinks firstPage={firstPage} nextPage={nextPage} next="More accounts" />
    </div>
  );
}
