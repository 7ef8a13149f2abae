import type { LoaderFunctionArgs } from "@remix-run/node";
import { Outlet, useLoaderData } from "@remix-run/react";
import { AccountShell } from "~/components/account-shell";
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
    <AccountShell current={current}>
      <Outlet />
    </AccountShell>
  );
}
