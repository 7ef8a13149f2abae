import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, type ActionFunctionArgs } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { z } from "zod";
import { LocalDate } from "~/components/local-date";
import { Field, FormErrors, Notice, SubmitButton } from "~/components/ui/field";
import { readForm } from "~/lib/forms.server";
import { changeAnswer } from "~/modules/demo/answer.server";
import { requireVerifiedUser } from "~/modules/accounts/sessions.server";
import { workspaceViewerOf } from "~/modules/demo/viewer.server";
import { projectNameSchema } from "~/modules/demo/workspace";
import { changeDemoWorkspace } from "~/modules/demo/workspace.server";
import { useWorkspace } from "~/modules/demo/use-workspace";

const schema = z.object({ name: projectNameSchema });

/** Creates a project (refused beyond the plan's `projects` limit, or with a name already used). */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const viewer = workspaceViewerOf(await requireVerifiedUser(request, context));
  const submission = parseWithZod(await readForm(request), { schema });
  if (submission.status !== "success") return data({ result: submission.reply(), done: null }, { status: 400 });
  const result = await changeDemoWorkspace(context.db, params.subdomain ?? "", viewer, {
    kind: "create-project",
    name: submission.value.name,
  });
  return changeAnswer(submission, result);
}

export default function DemoProjects() {
  const view = useWorkspace();
  const answer = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "create-project",
    lastResult: answer?.result,
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
    shouldValidate: "onBlur",
  });
  const { projects } = view.workspace;
  const limit = view.limits.projects;
  return (
    <div className="grid gap-8 lg:grid-cols-3">
      <section aria-labelledby="projects-heading" className="lg:col-span-2">
        <h2 id="projects-heading" className="text-lg font-semibold">
          Projects{" "}
          <span className="text-sm font-normal text-slate-600">
            {limit === null ? "" : `(${projects.length} of ${limit})`}
          </span>
        </h2>
        {projects.length ? (
          <ul className="mt-3 divide-y divide-slate-200 rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
            {projects.map((project) => (
              <li key={project.id} className="flex flex-wrap items-baseline justify-between gap-2 px-4 py-3 text-sm">
                <span className="font-medium">{project.name}</span>
                <span className="text-slate-600">
                  {(project.storageMb / 1024).toFixed(1)} GB · created by {project.createdBy},{" "}
                  <LocalDate value={project.createdAt} />
                </span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-3 text-sm text-slate-700">No projects yet: create the first one.</p>
        )}
      </section>
      {view.status === "active" ? (
        <Form
          method="post"
          {...getFormProps(form)}
          className="space-y-4 rounded-lg bg-white p-5 shadow-sm ring-1 ring-slate-200"
        >
          <h2 className="font-semibold">New project</h2>
          {answer?.done ? <Notice>{answer.done}</Notice> : null}
          <FormErrors id={form.errorId} errors={form.errors} />
          <Field meta={fields.name} label="Project name" />
          <SubmitButton>Create project</SubmitButton>
        </Form>
      ) : null}
    </div>
  );
}
