import { getFormProps, getSelectProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Field, FieldError, FormErrors, Notice, SubmitButton } from "~/components/ui/field";
import { tooManyRequests, tryAgainIn } from "~/lib/forms.server";
import { consumeRateLimit } from "~/lib/rate-limit.server";
import { retryAfterHeaders } from "~/lib/retry-after";
import { pageMeta, pageTitle } from "~/lib/seo";
import {
  inviteMember,
  listMembers,
  listPendingInvitations,
  requireMembership,
  revokeInvitation,
} from "~/modules/accounts/organisations.server";
import { inviteSchema } from "~/modules/accounts/schemas";
import { requireUser, requireVerifiedUser } from "~/modules/accounts/sessions.server";
import { CONFIRM_EMAIL_PATH } from "~/modules/accounts/confirm-email-path";
import { readForm } from "~/lib/forms.server";
import { idParam } from "~/lib/ids";

export const meta: MetaFunction<typeof loader> = ({ data, matches, params }) =>
  data
    ? pageMeta(matches, {
        title: pageTitle(`${data.organisation.name}: team`),
        description: "See who is in your organisation, invite people by email and choose the role each of them has.",
        path: `/orgs/${params.orgId}/members`,
        noindex: true,
      })
    : [];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const organisation = await requireMembership(context.db, user.userId, idParam(params, "orgId"));
  const canManage = organisation.role !== "member";
  const [members, invitations] = await Promise.all([
    listMembers(context.db, organisation.organisationId),
    canManage ? listPendingInvitations(context.db, organisation.organisationId) : [],
  ]);
  return {
    organisation,
    members,
    invitations,
    canManage,
    canInviteOwners: organisation.role === "owner",
    emailVerified: user.emailVerified,
  };
}

const membersSchema = z.discriminatedUnion("intent", [
  inviteSchema.extend({ intent: z.literal("invite") }),
  z.object({ intent: z.literal("revoke"), invitationId: z.string() }),
]);

export const headers = retryAfterHeaders;

export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requireVerifiedUser(request, context);
  const organisation = await requireMembership(context.db, user.userId, idParam(params, "orgId"), ["owner", "admin"]);
  const submission = parseWithZod(await readForm(request), { schema: membersSchema });
  if (submission.status !== "success") return data({ result: submission.reply(), sent: false }, { status: 400 });
  const value = submission.value;
  if (value.intent === "revoke") {
    await revokeInvitation(context.db, user.userId, organisation.organisationId, value.invitationId);
    throw redirect(`/orgs/${organisation.organisationId}/members`);
  }
  const limit = await consumeRateLimit(context.db, "invitation", organisation.organisationId);
  if (!limit.allowed) {
    const formErrors = [`Too many invitations for now. ${tryAgainIn(limit.retryAfterSeconds)}`];
    return tooManyRequests({ result: submission.reply({ formErrors }), sent: false }, limit.retryAfterSeconds);
  }
  const result = await inviteMember(
    context,
    { userId: user.userId, name: user.name, role: organisation.role },
    organisation,
    value.email,
    value.role,
  );
  if (!result.ok)
    return data({ result: submission.reply({ formErrors: [result.message] }), sent: false }, { status: 400 });
  return { result: submission.reply({ resetForm: true }), sent: true };
}

export default function MembersPage() {
  const { organisation, members, invitations, canManage, canInviteOwners, emailVerified } =
    useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "invite",
    lastResult: actionData?.result,
    defaultValue: { role: "member" },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: membersSchema }),
    shouldValidate: "onBlur",
  });
  const invited = actionData?.sent ?? false;
  return (
    <div className="space-y-10">
      <h1 className="text-2xl font-bold tracking-tight">{organisation.name}: team</h1>
      <section aria-labelledby="members-heading">
        <h2 id="members-heading" className="text-lg font-semibold">
          Members
        </h2>
        <table className="mt-4 w-full text-left text-sm">
          <thead className="text-slate-600">
            <tr>
              <th scope="col" className="py-2 pr-4 font-medium">
                Name
              </th>
              <th scope="col" className="py-2 pr-4 font-medium">
                Email
              </th>
              <th scope="col" className="py-2 font-medium">
                Role
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {members.map((member) => (
              <tr key={member.userId}>
                <td className="py-2 pr-4">{member.name}</td>
                <td className="break-all py-2 pr-4">{member.email}</td>
                <td className="py-2 capitalize">{member.role}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {canManage && !emailVerified ? (
        <p role="status" className="rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          Confirm your email address to invite people.{" "}
          <Link to={CONFIRM_EMAIL_PATH} className="font-medium underline">
            Get a new link
          </Link>
        </p>
      ) : null}
      {canManage && emailVerified ? (
        <>
          <section aria-labelledby="invite-heading" className="max-w-md">
            <h2 id="invite-heading" className="text-lg font-semibold">
              Invite a teammate
            </h2>
            <Form method="post" {...getFormProps(form)} className="mt-4 space-y-4">
              {invited ? <Notice>Invitation sent.</Notice> : null}
              <FormErrors id={form.errorId} errors={form.errors} />
              <input type="hidden" name="intent" value="invite" />
              <Field meta={fields.email} label="Their work email" type="email" autoComplete="off" />
              <div>
                <label htmlFor={fields.role.id} className="block text-sm font-medium">
                  Role
                </label>
                <select
                  {...getSelectProps(fields.role)}
                  key={fields.role.key}
                  className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
                >
                  <option value="member">Member</option>
                  <option value="admin">Admin: can invite and manage billing</option>
                  {canInviteOwners ? <option value="owner">Owner</option> : null}
                </select>
                <FieldError id={`${fields.role.id}-error`} errors={fields.role.errors} />
              </div>
              <SubmitButton>Send invitation</SubmitButton>
            </Form>
          </section>
          {invitations.length ? (
            <section aria-labelledby="pending-heading">
              <h2 id="pending-heading" className="text-lg font-semibold">
                Pending invitations
              </h2>
              <ul className="mt-4 divide-y divide-slate-100 rounded-xl ring-1 ring-slate-200">
                {invitations.map((invitation) => (
                  <li
                    key={invitation.id}
                    className="flex flex-wrap items-center justify-between gap-3 px-4 py-3 text-sm"
                  >
                    <span>
                      {invitation.email} <span className="capitalize text-slate-600">({invitation.role})</span>
                    </span>
                    <Form method="post">
                      <input type="hidden" name="intent" value="revoke" />
                      <input type="hidden" name="invitationId" value={invitation.id} />
                      <SubmitButton variant="danger">
                        Withdraw<span className="sr-only"> the invitation of {invitation.email}</span>
                      </SubmitButton>
                    </Form>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
        </>
      ) : null}
    </div>
  );
}
