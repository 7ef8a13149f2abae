import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NavLink, Outlet } from "@remix-run/react";
import { SITE_NAME } from "~/lib/site";
import { requireStaff } from "~/modules/accounts/sessions.server";

export const meta: MetaFunction = () => [{ title: `Staff console | ${SITE_NAME}` }, { name: "robots", content: "noindex" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireStaff(request, context);
  return null;
}

export default function StaffLayout() {
  const tab = ({ isActive }: { isActive: boolean }) =>
    `border-b-2 px-1 pb-2 text-sm font-medium ${isActive ? "border-brand-600 text-brand-700" : "border-transparent text-slate-700 hover:text-slate-900"}`;
  return (
    <div className="mx-auto max-w-6xl px-4 py-10">
      <p className="text-sm font-semibold text-brand-700">Staff console</p>
      <nav aria-label="Staff" className="mt-2 flex gap-6 border-b border-slate-200">
        <NavLink to="/staff" end className={tab}>
          Home
        </NavLink>
        <NavLink to="/staff/leads" className={tab}>
          Leads
        </NavLink>
      </nav>
      <div className="mt-8">
        <Outlet />
      </div>
    </div>
  );
}
