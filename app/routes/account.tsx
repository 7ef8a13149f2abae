import type { LoaderFunctionArgs } from "@remix-run/node";
import { Outlet, useLoaderData } from "@remix-run/react";
import { TabLink, TabNav } from "~/components/ui/tab-nav";
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
  return (
    <div className="mx-auto max-w-4xl px-4 py-10">
      <TabNav label="Account">
        <TabLink to="/account" end>
          Overview
        </TabLink>
        {current ? <TabLink to={`/orgs/${current.organisationId}/members`}>Team</TabLink> : null}
        {current && current.role !== "member" ? <TabLink to="/account/billing">Billing</TabLink> : null}
        <TabLink to="/account/settings">Settings</TabLink>
      </TabNav>
      <div className="mt-8">
        <Outlet />
      </div>
    </div>
  );
}
