import type { LoaderFunctionArgs } from "@remix-run/node";
import { Outlet, useLoaderData } from "@remix-run/react";
import { TabLink, TabNav } from "~/components/ui/tab-nav";
import { requireStaff } from "~/modules/accounts/sessions.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const staff = await requireStaff(request, context);
  return { isAdmin: staff.staffRole === "admin" };
}

export default function StaffLayout() {
  const { isAdmin } = useLoaderData<typeof loader>();
  return (
    <div className="mx-auto max-w-6xl px-4 py-10">
      <p className="text-sm font-semibold text-brand-700">Staff console</p>
      <TabNav label="Staff" className="mt-2">
        <TabLink to="/staff" end>
          Home
        </TabLink>
        <TabLink to="/staff/tasks">Tasks</TabLink>
        <TabLink to="/staff/provisioning">Provisioning</TabLink>
        <TabLink to="/staff/trials">Trials</TabLink>
        <TabLink to="/staff/accounts">Accounts</TabLink>
        <TabLink to="/staff/leads">Leads</TabLink>
        {isAdmin ? <TabLink to="/staff/playbooks">Playbooks</TabLink> : null}
        {isAdmin ? <TabLink to="/staff/team">Team</TabLink> : null}
        {isAdmin ? <TabLink to="/staff/health-weights">Health weights</TabLink> : null}
        {isAdmin ? <TabLink to="/staff/metrics">Revenue</TabLink> : null}
      </TabNav>
      <div className="mt-8">
        <Outlet />
      </div>
    </div>
  );
}
