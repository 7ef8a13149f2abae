import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { FormErrors, Notice, SubmitButton } from "~/components/ui/field";
import { readForm } from "~/lib/forms.server";
import { textField } from "~/lib/text";
import { pageMeta, pageTitle } from "~/lib/seo";
import { emailField } from "~/modules/accounts/schemas";
import { requireStaff } from "~/modules/accounts/sessions.server";
import { addStaffMember, changeStaffRole, listStaff } from "~/modules/accounts/staff.server";
import { staffRoleLabels } from "~/modules/accounts/staff-roles";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Team"),
    description: "Staff admins: who is on staff and with which role; add a staff member, change a role, remove access.",
    path: "/staff/team",
    noindex: true,
  });

// Staff admins only (ADR 15): to staff this page does not exist, like the console to outsiders.
export async function loader({ request, context }: LoaderFunctionArgs) {
  const admin = await requireStaff(request, context, "admin");
  return { members: await listStaff(context.db), me: admin.userId };
}

const memberName = textField({ required: "Enter the staff member's name", max: 100 });
const roleField = z.enum(["staff", "admin"], { error: "Choose staff or staff admin" });
const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("add"), name: memberName, email: emailField, role: roleField }),
  z.object({ intent: z.literal("change-role"), userId: z.uuid({ error: "Choose a staff member" }), role: roleField }),
  z.object({ intent: z.literal("remove"), userId: z.uuid({ error: "Choose a staff member" }) }),
]);

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requireStaff(request, context, "admin");
  const parsed = actionSchema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return data({ ok: false, message: parsed.error.issues[0]!.message }, { status: 400 });
  const value = parsed.data;
  const result =
    value.intent === "add"
      ? await addStaffMember(context, admin, { name: value.name, email: value.email, role: value.role })
      : await changeStaffRole(context.db, admin, value.userId, value.intent === "remove" ? null : value.role);
  return data(result, { status: result.ok ? 200 : 409 });
}

const inputStyle = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm";

export default function StaffTeam() {
  const { members, me } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <div className="space-y-8">
      <header>
        <h1 className="text-2xl font-bold tracking-tight">Team</h1>
        <p className="mt-1 text-sm text-slate-600">
          Staff work the provisioning queue, trials, accounts and leads. Staff admins can also manage the team and allow
          exceptions such as another trial.
        </p>
      </header>
      {actionData?.ok ? <Notice>{actionData.message}</Notice> : null}
      <FormErrors id="team-errors" errors={actionData && !actionData.ok ? [actionData.message] : undefined} />
      <ul className="divide-y divide-slate-100 rounded-xl ring-1 ring-slate-200" data-testid="team">
        {members.map((member) => (
          <li
            key={member.id}
            className="flex flex-col gap-3 px-4 py-3 sm:flex-row sm:items-center sm:justify-between"
            data-testid="team-member"
          >
            <div className="text-sm">
              <p className="font-medium">{member.name}</p>
              <p className="break-all text-slate-600">{member.email}</p>
            </div>
            {member.id === me ? (
              <p className="text-sm text-slate-700">{staffRoleLabels[member.role!]} (you)</p>
            ) : (
              <div className="flex flex-wrap items-end gap-2">
                <Form method="post" className="flex items-end gap-2">
                  <input type="hidden" name="intent" value="change-role" />
                  <input type="hidden" name="userId" value={member.id} />
                  <label className="text-sm">
                    <span className="sr-only">Role of {member.name}</span>
                    <select name="role" defaultValue={member.role!} className={inputStyle}>
                      <option value="staff">Staff</option>
                      <option value="admin">Staff admin</option>
                    </select>
                  </label>
                  <SubmitButton variant="secondary">Change role</SubmitButton>
                </Form>
                <Form method="post">
                  <input type="hidden" name="intent" value="remove" />
                  <input type="hidden" name="userId" value={member.id} />
                  <SubmitButton variant="danger">Remove from staff</SubmitButton>
                </Form>
              </div>
            )}
          </li>
        ))}
      </ul>
      <section aria-labelledby="add-heading" className="max-w-md">
        <h2 id="add-heading" className="text-lg font-semibold">
          Add a staff member
        </h2>
        <p className="mt-1 text-sm text-slate-600">
          Someone new gets an email with a link to choose a password; an existing account keeps its password.
        </p>
        <Form method="post" className="mt-4 space-y-4">
          <input type="hidden" name="intent" value="add" />
          <label className="block text-sm font-medium">
            Name
            <input name="name" required autoComplete="off" className={inputStyle} />
          </label>
          <label className="block text-sm font-medium">
            Email
            <input name="email" type="email" required autoComplete="off" className={inputStyle} />
          </label>
          <label className="block text-sm font-medium">
            Role
            <select name="role" defaultValue="staff" className={inputStyle}>
              <option value="staff">Staff</option>
              <option value="admin">Staff admin</option>
            </select>
          </label>
          <SubmitButton>Add to staff</SubmitButton>
        </Form>
      </section>
    </div>
  );
}
