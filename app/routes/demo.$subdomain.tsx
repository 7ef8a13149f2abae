import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, Outlet, useLoaderData } from "@remix-run/react";
import { TabLink, TabNav } from "~/components/ui/tab-nav";
import { pageMeta, pageTitle } from "~/lib/seo";
import { requireWorkspaceViewer } from "~/modules/demo/viewer.server";
import { demoWorkspace } from "~/modules/demo/workspace.server";

export const meta: MetaFunction<typeof loader> = ({ data, matches, params }) =>
  pageMeta(matches, {
    title: pageTitle(data ? `${data.accountName}: demo workspace` : "Demo workspace"),
    description: "The demo product: a small workspace that reports its usage back to the portal.",
    path: `/demo/${params.subdomain}`,
    noindex: true,
  });

/** The workspace for members of the owning organisation and staff; 404 for everyone else. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const viewer = await requireWorkspaceViewer(request, context);
  return demoWorkspace(context.db, params.subdomain ?? "", viewer);
}

export default function DemoWorkspaceLayout() {
  const view = useLoaderData<typeof loader>();
  const base = `/demo/${view.subdomain}`;
  return (
    <div className="min-h-full bg-slate-50">
      <div className="mx-auto max-w-5xl px-4 py-6 sm:px-6">
        <p className="flex flex-wrap items-center justify-between gap-2 rounded-md bg-amber-50 px-3 py-2 text-xs text-amber-900 ring-1 ring-amber-200">
          <span>
            <strong>Demo product.</strong> This workspace plays the vendor&apos;s product: what you do here is reported
            to the portal through its usage API.
          </span>
          <Link to="/account" className="font-medium underline">
            Back to your account
          </Link>
        </p>
        <header className="mt-6 flex flex-wrap items-end justify-between gap-2">
          <div>
            <p className="text-xs font-semibold uppercase tracking-wide text-brand-700">Demo workspace</p>
            <h1 className="text-2xl font-bold tracking-tight">{view.accountName}</h1>
          </div>
          <p className="text-sm text-slate-700">{view.planName} plan</p>
        </header>
        {view.status === "active" ? null : (
          <p role="status" className="mt-4 rounded-md bg-red-50 px-4 py-3 text-sm text-red-800 ring-1 ring-red-200">
            {view.status === "suspended"
              ? "This workspace is paused: you can look around, but nothing can be changed until the service resumes."
              : "This workspace was removed: nothing can be changed."}
          </p>
        )}
        <TabNav label="Workspace" className="mt-6">
          <TabLink to={base} end>
            Overview
          </TabLink>
          <TabLink to={`${base}/projects`}>Projects</TabLink>
          <TabLink to={`${base}/team`}>Team</TabLink>
          <TabLink to={`${base}/integrations`}>Integrations</TabLink>
        </TabNav>
        <div className="mt-6">
          <Outlet />
        </div>
      </div>
    </div>
  );
}
