import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, type ActionFunctionArgs } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { LocalDate } from "~/components/local-date";
import { Field, FormErrors, Notice, SubmitButton } from "~/components/ui/field";
import { readForm } from "~/lib/forms.server";
import { changeAnswer } from "~/modules/demo/answer.server";
import { requireVerifiedUser } from "~/modules/accounts/sessions.server";
import { workspaceViewerOf } from "~/modules/demo/viewer.server";
import { inviteSchema } from "~/modules/demo/workspace";
import { changeDemoWorkspace } from "~/modules/demo/workspace.server";
import { useWorkspace } from "~/modules/demo/use-workspace";

/** Adds a teammate by name and email (recorded in the workspace; the demo sends no email). */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const viewer = workspaceViewerOf(await requireVerifiedUser(request, context));
  const submission = parseWithZod(await readForm(request), { schema: inviteSchema });
  if (submission.status !== "success") return data({ result: submission.reply(), done: null }, { status: 400 });
  const result = await changeDemoWorkspace(context.db, params.subdomain ?? "", viewer, {
    kind: "invite-teammate",
    ...submission.value,
  });
  return changeAnswer(submission, result);
}

export default function DemoTeam() {
  const view = useWorkspace();
  const answer = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "invite-teammate",
    lastResult: answer?.result,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: inviteSchema }),
    shouldValidate: "onBlur",
  });
  const { teammates } = view.workspace;
  return (
    <div className="grid gap-8 lg:grid-cols-3">
      <section aria-labelledby="team-heading" className="lg:col-span-2">
        <h2 id="team-heading" className="text-lg font-semibold">
          Team
        </h2>
        {teammates.length ? (
          <ul className="mt-3 divide-y divide-slate-200 rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
            {teammates.map((teammate) => (
              <li key={teammate.id} className="flex flex-wrap items-baseline justify-between gap-2 px-4 py-3 text-sm">
                <span>
                  <span className="font-medium">{teammate.name}</span>{" "}
                  <span className="text-slate-600">{teammate.email}</span>
                </span>
                <span className="text-slate-600">
                  invited by {teammate.invitedBy}, <LocalDate value={teammate.invitedAt} />
                </span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-3 text-sm text-slate-700">Nobody else yet: invite the people you work with.</p>
        )}
      </section>
      {view.status === "active" ? (
        <Form
          method="post"
          {...getFormProps(form)}
          className="space-y-4 rounded-lg bg-white p-5 shadow-sm ring-1 ring-slate-200"
        >
          <h2 className="font-semibold">Invite a teammate</h2>
          {answer?.done ? <Notice>{answer.done}</Notice> : null}
          <FormErrors id={form.errorId} errors={form.errors} />
          <Field meta={fields.name} label="Name" autoComplete="off" />
          <Field meta={fields.email} label="Email" type="email" autoComplete="off" />
          <SubmitButton>Invite</SubmitButton>
        </Form>
      ) : null}
    </div>
  );
}
