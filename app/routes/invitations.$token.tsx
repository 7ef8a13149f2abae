import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { AuthCard } from "~/components/auth-card";
import { FormErrors, SubmitButton } from "~/components/ui/field";
import { pageMeta, pageTitle } from "~/lib/seo";
import { SITE_NAME } from "~/lib/site";
import { acceptInvitation, findOpenInvitation } from "~/modules/accounts/organisations.server";
import { getSessionUser, requireUser, setSessionOrganisation } from "~/modules/accounts/sessions.server";

export const meta: MetaFunction = ({ matches, params }) =>
  pageMeta(matches, {
    title: pageTitle("Invitation"),
    description: `Accept an invitation to join your team's ${SITE_NAME} workspace, with a new account or the one you already have.`,
    path: `/invitations/${params.token}`,
    noindex: true,
  });

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const token = params.token ?? "";
  const invitation = await findOpenInvitation(context.db, token);
  if (!invitation) return data({ invitation: null, signedInAs: null, token }, { status: 404 });
  const user = await getSessionUser(request, context);
  return {
    invitation: { organisationName: invitation.organisationName, email: invitation.email, role: invitation.role },
    signedInAs: user?.email ?? null,
    token,
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const result = await acceptInvitation(context.db, params.token ?? "", user);
  if (!result.ok) return data({ error: result.message }, { status: 400 });
  await setSessionOrganisation(context.db, user.sessionId, result.organisationId);
  throw redirect(`/orgs/${result.organisationId}/members`);
}

export default function InvitationPage() {
  const { invitation, signedInAs, token } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  if (!invitation) {
    return (
      <AuthCard title="This invitation cannot be used">
        <p className="text-slate-700">
          It has expired, was withdrawn, or was already accepted. Ask whoever invited you for a new one.
        </p>
      </AuthCard>
    );
  }
  const here = `/invitations/${token}`;
  return (
    <AuthCard
      title={`Join ${invitation.organisationName}`}
      intro={`You are invited as ${invitation.role === "admin" ? "an admin" : `a ${invitation.role}`}, at ${invitation.email}.`}
    >
      {signedInAs ? (
        <Form method="post" className="space-y-4">
          <FormErrors id="accept-errors" errors={actionData ? [actionData.error] : undefined} />
          <p className="text-sm text-slate-700">Signed in as {signedInAs}.</p>
          <SubmitButton>Accept the invitation</SubmitButton>
        </Form>
      ) : (
        <div className="flex flex-wrap gap-3">
          <Link
            to={`/signup?invitation=${token}`}
            className="rounded-md bg-brand-600 px-4 py-2.5 text-sm font-semibold text-white"
          >
            Create an account
          </Link>
          <Link
            to={`/login?redirectTo=${encodeURIComponent(here)}`}
            className="rounded-md px-4 py-2.5 text-sm font-semibold ring-1 ring-slate-300"
          >
            I already have an account
          </Link>
        </div>
      )}
    </AuthCard>
  );
}
