import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { IngestKeyPanel } from "~/components/ingest-key-panel";
import { readForm } from "~/lib/forms.server";
import { idParam } from "~/lib/ids";
import { pageMeta, pageTitle } from "~/lib/seo";
import { requireStaff } from "~/modules/accounts/sessions.server";
import { ingestKeyCard } from "~/modules/usage/key-rotation.server";
import { keyPageHeaders, rotationAction } from "~/modules/usage/rotation-action.server";

export const meta: MetaFunction = ({ matches, params }) =>
  pageMeta(matches, {
    title: pageTitle("Ingest key"),
    description: "Rotate a service's usage ingest key, or show a manual setup's first key once.",
    path: `/staff/accounts/${params.accountId}/ingest-key/${params.instanceId}`,
    noindex: true,
  });

export const headers = keyPageHeaders;

/** The key card of a service of this account (404 otherwise); staff only (404 for others). */
async function accountCard(context: LoaderFunctionArgs["context"], params: LoaderFunctionArgs["params"]) {
  const card = await ingestKeyCard(context.db, idParam(params, "instanceId"));
  if (!card || card.accountId !== idParam(params, "accountId") || card.status === "deprovisioned")
    throw new Response("Not found", { status: 404 });
  return card;
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  await requireStaff(request, context);
  return { card: await accountCard(context, params) };
}

/** Issues the first key (none in force) or rotates it, audited as this staff member; the key is answered once. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const staff = await requireStaff(request, context);
  const card = await accountCard(context, params);
  return rotationAction(context.db, await readForm(request), {
    instanceId: card.instanceId,
    accountId: card.accountId,
    by: { type: "staff", id: staff.userId, name: staff.name },
    appUrl: context.config.appUrl,
  });
}

export default function StaffIngestKey() {
  const { card } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const back = { to: `/staff/accounts/${card.accountId}`, label: "Back to the account" };
  return (
    <div className="space-y-6">
      <Link to={back.to} className="text-sm text-brand-700 underline">
        ← Account
      </Link>
      <h1 className="text-2xl font-bold tracking-tight">Ingest key</h1>
      <IngestKeyPanel card={card} mode={card.key ? "rotate" : "first"} answer={answer} back={back} />
    </div>
  );
}
