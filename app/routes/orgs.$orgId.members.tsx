import { getFormProps, getSelectProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { AccountShell } from "~/components/account-shell";
import { Field, FieldError, FormErrors, Notice, SubmitButton } from "~/components/ui/field";
import { readForm, tooManyRequests, tryAgainIn } from "~/lib/forms.server";
import { idParam } from "~/lib/ids";
import { consumeRateLimit } from "~/lib/rate-limit.server";
import { retryAfterHeaders } from "~/lib/retry-after";
import { pageMeta, pageTitle } from "~/lib/seo";
import { CONFIRM_EMAIL_PATH } from "~/modules/accounts/confirm-email-path";
import {
  inviteMember,
  listMembers,
  listPendingInvitations,
  requireMembership,
  revokeInvitation,
} from "~/modules/accounts/organisations.server";
import { inviteSchema, membershipRoles } from "~/modules/accounts/schemas";
import { moreSeatsPath, seatAllowance, usedSeats } from "~/modules/accounts/seats.server";
import { requireUser, requireVerifiedUser, setSessionOrganisation } from "~/modules/accounts/sessions.server";
import {
  changeRole,
  leaveOrganisation,
  removeMember,
  transferOwnership,
  type TeamChangeResult,
} from "~/modules/accounts/team.server";
import { seatUsageText } from "~/modules/accounts/seat-usage-text";

export const meta: MetaFunction<typeof loader> = ({ data, matches, params }) =>
  data
    ? pageMeta(matches, {
        title: pageTitle(`${data.organisation.name}: team`),
        description: "See who is in your organisation, invite people by email and choose the role each of them has.",
        path: `/orgs/${params.orgId}/members`,
        noindex: true,
      })
    : [];

type MembershipRole = (typeof membershipRoles)[number];

const ROLE_LABELS: Record<MembershipRole, string> = { owner: "Owner", admin: "Admin", member: "Member" };

type Confirmation = { kind: "transfer" | "remove"; userId: string; name: string } | { kind: "leave" };

/**
 * What the page offers the viewer for one member. Only a hint for the buttons it shows: the server
 * applies the same rules again under the organisation's lock (team.server.ts).
 */
function offers(
  viewer: { userId: string; role: MembershipRole },
  member: { userId: string; role: MembershipRole },
  owners: number,
) {
  const self = viewer.userId === member.userId;
  const lastOwner = member.role === "owner" && owners <= 1;
  const manager = viewer.role !== "member";
  const touchable = manager && (viewer.role === "owner" || member.role !== "owner");
  return {
    roles: touchable && !lastOwner ? membershipRoles.filter((r) => viewer.role === "owner" || r !== "owner") : [],
    remove: !self && touchable && !lastOwner,
    transfer: !self && viewer.role === "owner" && member.role !== "owner",
    leave: self && !lastOwner,
    lastOwner: self && lastOwner,
  };
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const organisation = await requireMembership(context.db, user.userId, idParam(params, "orgId"));
  // Opening an organisation's team selects it, so the Billing tab and "buy more users" reach the same one.
  if (user.organisationId !== organisation.organisationId)
    await setSessionOrganisation(context.db, user.sessionId, organisation.organisationId);
  const canManage = organisation.role !== "member";
  const [members, invitations, used, allowance] = await Promise.all([
    listMembers(context.db, organisation.organisationId),
    canManage ? listPendingInvitations(context.db, organisation.organisationId) : [],
    usedSeats(context.db, organisation.organisationId),
    seatAllowance(context.db, organisation.organisationId),
  ]);
  const owners = members.filter((m) => m.role === "owner").length;
  const viewer = { userId: user.userId, role: organisation.role };
  const url = new URL(request.url);
  const asked = url.searchParams.get("confirm");
  const target = members.find((m) => m.userId === url.searchParams.get("user"));
  let confirmation: Confirmation | null = null;
  if (asked === "leave" && offers(viewer, viewer, owners).leave) confirmation = { kind: "leave" };
  if ((asked === "transfer" || asked === "remove") && target && offers(viewer, target, owners)[asked])
    confirmation = { kind: asked, userId: target.userId, name: target.name };
  return {
    organisation,
    viewer,
    members: members.map((member) => ({ ...member, offers: offers(viewer, member, owners) })),
    invitations,
    seats: { used, bought: allowance.bought },
    moreSeats: canManage ? moreSeatsPath(allowance, used + 1) : null,
    confirmation,
    canManage,
    canInviteOwners: organisation.role === "owner",
    emailVerified: user.emailVerified,
  };
}

const memberId = z.uuid({ error: "Choose a person from the team" });
const roleField = z.enum(membershipRoles, { error: "Choose a role" });

const membersSchema = z.discriminatedUnion(
  "intent",
  [
    inviteSchema.extend({ intent: z.literal("invite") }),
    z.object({ intent: z.literal("revoke"), invitationId: z.string() }),
    z.object({ intent: z.literal("role"), userId: memberId, role: roleField, expectedRole: roleField.optional() }),
    z.object({ intent: z.literal("remove"), userId: memberId }),
    z.object({ intent: z.literal("transfer"), userId: memberId }),
    z.object({ intent: z.literal("leave") }),
  ],
  { error: "Choose what to do from the page" },
);

export const headers = retryAfterHeaders;

type TeamOutcome = { ok: boolean; message: string };

export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requireVerifiedUser(request, context);
  const organisation = await requireMembership(context.db, user.userId, idParam(params, "orgId"));
  const submission = parseWithZod(await readForm(request), { schema: membersSchema });
  if (submission.status !== "success") {
    const intent = submission.payload.intent;
    if (intent === "invite" || intent === "revoke")
      return data({ result: submission.reply(), sent: false, team: null, moreSeats: null }, { status: 400 });
    const message = Object.values(submission.error ?? {}).flat()[0] ?? "Choose what to do from the page";
    return data({ result: undefined, sent: false, team: { ok: false, message }, moreSeats: null }, { status: 400 });
  }
  const value = submission.value;
  const actor = { userId: user.userId, name: user.name };
  const deps = { db: context.db, config: context.config };
  const teamAnswer = (result: TeamChangeResult) =>
    data(
      {
        result: undefined,
        sent: false,
        team: { ok: result.ok, message: result.message } satisfies TeamOutcome,
        moreSeats: null,
      },
      { status: result.ok ? 200 : result.status },
    );
  switch (value.intent) {
    case "role":
      return teamAnswer(await changeRole(deps, actor, organisation.organisationId, value));
    case "remove":
      return teamAnswer(await removeMember(deps, actor, organisation.organisationId, value.userId));
    case "transfer":
      return teamAnswer(await transferOwnership(deps, actor, organisation.organisationId, value.userId));
    case "leave": {
      const left = await leaveOrganisation(deps, actor, organisation.organisationId);
      if (!left.ok) return teamAnswer(left);
      throw redirect("/account?notice=left-organisation");
    }
  }
  if (organisation.role === "member") throw new Response("Only owners and admins can do this", { status: 403 });
  if (value.intent === "revoke") {
    await revokeInvitation(context.db, user.userId, organisation.organisationId, value.invitationId);
    throw redirect(`/orgs/${organisation.organisationId}/members`);
  }
  const limit = await consumeRateLimit(context.db, "invitation", organisation.organisationId);
  if (!limit.allowed) {
    const formErrors = [`Too many invitations for now. ${tryAgainIn(limit.retryAfterSeconds)}`];
    return tooManyRequests(
      { result: submission.reply({ formErrors }), sent: false, team: null, moreSeats: null },
      limit.retryAfterSeconds,
    );
  }
  const result = await inviteMember(
    context,
    { userId: user.userId, name: user.name, role: organisation.role },
    organisation,
    value.email,
    value.role,
  );
  if (!result.ok)
    return data(
      {
        result: submission.reply({ formErrors: [result.message] }),
        sent: false,
        team: null,
        moreSeats: result.moreSeats ?? null,
      },
      { status: result.moreSeats ? 409 : 400 },
    );
  return { result: submission.reply({ resetForm: true }), sent: true, team: null, moreSeats: null };
}

const linkButton =
  "inline-flex items-center justify-center rounded-md px-3 py-2 text-sm font-semibold ring-1 ring-inset";

function SeatSummary({ used, bought }: { used: number; bought: number | null }) {
  return (
    <p className="mt-2 text-slate-700" data-testid="seat-usage">
      <strong className="text-slate-900">{seatUsageText({ used, bought })}</strong>{" "}
      <span className="text-sm">{bought === null ? "· no user limit" : "· members and pending invitations count"}</span>
    </p>
  );
}

function ConfirmPanel({
  confirmation,
  organisationId,
  organisationName,
}: {
  confirmation: Confirmation;
  organisationId: string;
  organisationName: string;
}) {
  const page = `/orgs/${organisationId}/members`;
  const text = {
    transfer: {
      heading: "Transfer the ownership?",
      body:
        "name" in confirmation
          ? `${confirmation.name} becomes the owner of ${organisationName} and you become an admin. Only an owner can give the ownership back.`
          : "",
      button: "Transfer ownership",
    },
    remove: {
      heading: "Remove from the team?",
      body:
        "name" in confirmation
          ? `${confirmation.name} loses access to ${organisationName}, its services and its billing, and gets an email saying so.`
          : "",
      button: "Remove",
    },
    leave: {
      heading: `Leave ${organisationName}?`,
      body: `You lose access to ${organisationName}, its services and its billing. An owner or admin can invite you again.`,
      button: "Leave the organisation",
    },
  }[confirmation.kind];
  return (
    <section aria-labelledby="confirm-heading" className="rounded-2xl border border-amber-200 bg-amber-50 p-5">
      <h2 id="confirm-heading" className="text-lg font-semibold text-slate-900">
        {text.heading}
      </h2>
      <p className="mt-1 text-sm text-slate-800">{text.body}</p>
      <Form method="post" action={page} className="mt-4 flex flex-wrap items-center gap-3">
        <input type="hidden" name="intent" value={confirmation.kind} />
        {"userId" in confirmation ? <input type="hidden" name="userId" value={confirmation.userId} /> : null}
        <SubmitButton variant={confirmation.kind === "transfer" ? "primary" : "danger"}>{text.button}</SubmitButton>
        <Link to={page} className="text-sm font-medium underline">
          Cancel
        </Link>
      </Form>
    </section>
  );
}

export default function MembersPage() {
  const {
    organisation,
    viewer,
    members,
    invitations,
    seats,
    moreSeats,
    confirmation,
    canManage,
    canInviteOwners,
    emailVerified,
  } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "invite",
    lastResult: actionData?.result,
    defaultValue: { role: "member" },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: membersSchema }),
    shouldValidate: "onBlur",
  });
  const invited = actionData?.sent ?? false;
  const refusedFor = actionData?.moreSeats ?? null;
  const full = seats.bought !== null && seats.used >= seats.bought;
  const page = `/orgs/${organisation.organisationId}/members`;
  return (
    <AccountShell current={{ organisationId: organisation.organisationId, role: organisation.role }}>
      <div className="space-y-10">
        <div>
          <h1 className="text-2xl font-bold tracking-tight">{organisation.name}: team</h1>
          <SeatSummary used={seats.used} bought={seats.bought} />
        </div>
        {actionData?.team ? (
          actionData.team.ok ? (
            <Notice>{actionData.team.message}</Notice>
          ) : (
            <FormErrors id="team-errors" errors={[actionData.team.message]} />
          )
        ) : null}
        {confirmation ? (
          <ConfirmPanel
            confirmation={confirmation}
            organisationId={organisation.organisationId}
            organisationName={organisation.name}
          />
        ) : null}
        <section aria-labelledby="members-heading">
          <h2 id="members-heading" className="text-lg font-semibold">
            Members
          </h2>
          <table className="mt-4 w-full text-left text-sm">
            <thead className="text-slate-600">
              <tr>
                <th scope="col" className="py-2 pr-4 font-medium">
                  Person
                </th>
                <th scope="col" className="py-2 font-medium">
                  Role
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {members.map((member) => {
                const self = member.userId === viewer.userId;
                return (
                  <tr key={member.userId} className="align-top">
                    <td className="py-3 pr-4">
                      <span className="font-medium text-slate-900">
                        {member.name}
                        {self ? <span className="font-normal text-slate-600"> (you)</span> : null}
                      </span>
                      <span className="block break-all text-slate-600">{member.email}</span>
                    </td>
                    <td className="py-3">
                      <div className="flex flex-wrap items-center gap-2">
                        {member.offers.roles.length ? (
                          <Form method="post" action={page} className="flex flex-wrap items-center gap-2">
                            <input type="hidden" name="intent" value="role" />
                            <input type="hidden" name="userId" value={member.userId} />
                            <input type="hidden" name="expectedRole" value={member.role} />
                            <label htmlFor={`role-${member.userId}`} className="sr-only">
                              Role of {member.name}
                            </label>
                            <select
                              id={`role-${member.userId}`}
                              name="role"
                              defaultValue={member.role}
                              key={member.role}
                              className="rounded-md border border-slate-300 px-2 py-2 text-sm"
                            >
                              {member.offers.roles.map((role) => (
                                <option key={role} value={role}>
                                  {ROLE_LABELS[role]}
                                </option>
                              ))}
                            </select>
                            <SubmitButton variant="secondary">
                              Save<span className="sr-only"> the role of {member.name}</span>
                            </SubmitButton>
                          </Form>
                        ) : (
                          <span data-testid="role">{ROLE_LABELS[member.role]}</span>
                        )}
                        {member.offers.transfer ? (
                          <Link
                            to={`${page}?confirm=transfer&user=${member.userId}`}
                            className={`${linkButton} text-slate-900 ring-slate-300 hover:bg-slate-50`}
                          >
                            Make owner<span className="sr-only">: {member.name}</span>
                          </Link>
                        ) : null}
                        {member.offers.remove ? (
                          <Link
                            to={`${page}?confirm=remove&user=${member.userId}`}
                            className={`${linkButton} text-red-700 ring-red-300 hover:bg-red-50`}
                          >
                            Remove<span className="sr-only"> {member.name}</span>
                          </Link>
                        ) : null}
                        {member.offers.leave ? (
                          <Link
                            to={`${page}?confirm=leave`}
                            className={`${linkButton} text-red-700 ring-red-300 hover:bg-red-50`}
                          >
                            Leave
                          </Link>
                        ) : null}
                      </div>
                      {member.offers.lastOwner ? (
                        <p className="mt-1 text-xs text-slate-600">
                          You are the only owner: make someone else the owner before you leave or change your role.
                        </p>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
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
              {full && moreSeats && !refusedFor ? (
                <p className="mt-2 text-sm text-slate-700" data-testid="seats-full">
                  Every user you have is taken.{" "}
                  <Link to={moreSeats.path} className="font-medium text-brand-700 underline">
                    {moreSeats.label}
                  </Link>
                </p>
              ) : null}
              <Form method="post" {...getFormProps(form)} className="mt-4 space-y-4">
                {invited ? <Notice>Invitation sent.</Notice> : null}
                <FormErrors id={form.errorId} errors={form.errors} />
                {refusedFor ? (
                  <p>
                    <Link
                      to={refusedFor.path}
                      className={`${linkButton} bg-brand-600 text-white ring-brand-600 hover:bg-brand-700`}
                    >
                      {refusedFor.label}
                    </Link>
                  </p>
                ) : null}
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
                      <span className="break-all">
                        {invitation.email} <span className="text-slate-600">({ROLE_LABELS[invitation.role]})</span>
                      </span>
                      <Form method="post" action={page}>
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
    </AccountShell>
  );
}
