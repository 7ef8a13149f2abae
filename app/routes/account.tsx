import type { LoaderFunctionArgs } from "@remix-run/node";
import { NavLink, Outlet, useLoaderData } from "@remix-run/react";
import { listMemberships } from "~/modules/accounts/organisations.server";
import { requireUser } from "~/modules/accounts/sessions.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const organisations = await listMemberships(context.db, user.userId);
  const current = organisations.find((o) => o.organisationId === user.organisationId) ?? organisations[0] ?? null;
  return { current };
}

export default function AccountLayout() {
  const { current } = useLoaderData<typeof loader>();
  const tab = ({ isActive }: { isActive: boolean }) =>
    `border-b-2 px-1 pb-2 text-sm font-medium ${isActive ? "border-brand-600 text-brand-700" : "border-transparent text-slate-700 hover:text-slate-900"}`;
  return (
    <div className="mx-auto max-w-4xl px-4 py-10">
      <nav aria-label="Account" className="flex gap-6 border-b border-slate-200">
        <NavLink to="/account" end className={tab}>
          Overview
        </NavLink>
        {current ? (
          <NavLink to={`/orgs/${current.organisationId}/members`} className={tab}>
            Team
          </NavLink>
        ) : null}
        <NavLink to="/account/settings" className={tab}>
          Settings
        </NavLink>
      </nav>
      <div className="mt-8">
        <Outlet />
      </div>
    </div>
  );
}
