import type { LoaderFunctionArgs } from "@remix-run/node";
import { Outlet } from "@remix-run/react";
import { TabLink, TabNav } from "~/components/ui/tab-nav";
import { requireStaff } from "~/modules/accounts/sessions.server";

// Staff admins only (ADR 15; issue 17: revenue is the admins'): to other staff these pages do not exist.
// Each child loader checks again: loaders run in parallel, so a layout's check protects nothing alone.
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireStaff(request, context, "admin");
  return null;
}

export default function MetricsLayout() {
  return (
    <div className="space-y-6">
      <TabNav label="Revenue and funnel">
        <TabLink to="/staff/metrics" end>
          Revenue
        </TabLink>
        <TabLink to="/staff/metrics/cohorts">Cohorts</TabLink>
        <TabLink to="/staff/metrics/funnel">Funnel</TabLink>
        <TabLink to="/staff/metrics/plan">Plan</TabLink>
      </TabNav>
      <Outlet />
    </div>
  );
}
