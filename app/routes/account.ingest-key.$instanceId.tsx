import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { IngestKeyPanel } from "~/components/ingest-key-panel";
import { readForm } from "~/lib/forms.server";
import { idParam } from "~/lib/ids";
import { pageMeta, pageTitle } from "~/lib/seo";
import { requireMembership } from "~/modules/accounts/organisations.server";
import { requireUser, requireVerifiedUser } from "~/modules/accounts/sessions.server";
import { ingestKeyCard } from "~/modules/usage/key-rotation.server";
import { keyPageHeaders, rotationAction } from "~/modules/usage/rotation-action.server";

export const meta: MetaFunction = ({ matches, params }) =>
  pageMeta(matches, {
    title: pageTitle("Usage reporting key"),
    description: "Replace the key your service reports its usage with.",
    path: `/account/ingest-key/${params.instanceId}`,
    noindex: true,
  });

export const headers = keyPageHeaders;

/** The service's key card, for its organisation's owners and admins only: 404 for outsiders, 403 for members. */
async function ownCard(context: LoaderFunctionArgs["context"], userId: string, instanceId: string) {
  const card = await ingestKeyCard(context.db, instanceId);
  if (!card || card.status === "deprovisioned") throw new Response("Not found", { status: 404 });
  await requireMembership(context.db, userId, card.accountId, ["owner", "admin"]);
  return card;
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return { card: await ownCard(context, user.userId, idParam(params, "instanceId")) };
}

/** Rotates the key (confirmed, rate-limited) and answers the new one, once. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requireVerifiedUser(request, context);
  const card = await ownCard(context, user.userId, idParam(params, "instanceId"));
  return rotationAction(context.db, await readForm(request), {
    instanceId: card.instanceId,
    accountId: card.accountId,
    by: { type: "user", id: user.userId, name: user.name },
    appUrl: context.config.appUrl,
  });
}

export default function AccountIngestKey() {
  const { card } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold tracking-tight">Usage reporting key</h1>
      <p className="max-w-xl text-sm text-slate-700">
        Your service reports how your team uses it with this key. Replace it if it may have been seen by someone who
        should not have it.
      </p>
      <IngestKeyPanel
        card={card}
        mode="rotate"
        answer={answer}
        back={{ to: "/account", label: "Back to your account" }}
      />
    </div>
  );
}
