import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { FieldError, FormErrors, SubmitButton } from "~/components/ui/field";
import { requireStaff } from "~/modules/accounts/sessions.server";
import { listPlaybookRules, savePlaybookRule } from "~/modules/success/playbook-admin.server";
import { triggerParams, triggerSentence } from "~/modules/success/playbook-rules";
import { readForm } from "~/lib/forms.server";
import { pageMeta, pageTitle } from "~/lib/seo";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Playbooks"),
    description:
      "The 30-60-90 playbook: when each rule fires, the task it creates, when it is due and who gets it. For staff admins.",
    path: "/staff/playbooks",
    noindex: true,
  });

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireStaff(request, context, "admin");
  const rules = await listPlaybookRules(context.db);
  return {
    rules: rules.map((rule) => ({
      key: rule.key,
      name: rule.name,
      trigger: triggerSentence(rule.trigger, rule.params),
      params: triggerParams[rule.trigger].map((spec) => ({ ...spec, value: rule.params[spec.key] })),
      taskTitle: rule.taskTitle,
      dueDays: rule.dueDays,
      assignTo: rule.assignTo,
      enabled: rule.enabled,
      version: rule.version,
    })),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requireStaff(request, context, "admin");
  const fields: Record<string, string> = {};
  for (const [name, value] of await readForm(request)) if (typeof value === "string") fields[name] = value;
  const key = fields.key ?? "";
  const result = await savePlaybookRule(context.db, { id: admin.userId }, key, fields);
  if (!result.ok)
    return data({ key, message: result.message, fieldErrors: result.fieldErrors }, { status: result.status });
  throw redirect(`/staff/playbooks#rule-${key}`);
}

const input = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm";

export default function StaffPlaybooks() {
  const { rules } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold tracking-tight">Playbooks</h1>
      <p className="max-w-3xl text-sm text-slate-700">
        Each rule fires when an account enters its state, and creates a task, or updates the rule's open task for the
        account. Saving a rule changes what happens from the next evaluation on.
      </p>
      <ul className="space-y-6">
        {rules.map((rule) => {
          const errors = actionData?.key === rule.key ? actionData : null;
          const id = (name: string) => `${rule.key}-${name}`;
          const fieldProps = (name: string) => ({
            id: id(name),
            name,
            "aria-invalid": errors?.fieldErrors[name] ? true : undefined,
            "aria-describedby": errors?.fieldErrors[name] ? `${id(name)}-error` : undefined,
          });
          const error = (name: string) => (
            <FieldError
              id={`${id(name)}-error`}
              errors={errors?.fieldErrors[name] ? [errors.fieldErrors[name]!] : undefined}
            />
          );
          return (
            <li key={rule.key} id={`rule-${rule.key}`} className="rounded-xl p-4 ring-1 ring-slate-200">
              <Form method="post" noValidate className="space-y-4" aria-labelledby={id("heading")}>
                <input type="hidden" name="key" value={rule.key} />
                <input type="hidden" name="version" value={rule.version} />
                <div>
                  <h2 id={id("heading")} className="font-semibold">
                    {rule.name}
                  </h2>
                  <p className="text-sm text-slate-700">When: {rule.trigger}.</p>
                </div>
                <FormErrors id={id("errors")} errors={errors ? [errors.message] : undefined} />
                <div className="grid gap-4 sm:grid-cols-2">
                  <div>
                    <label htmlFor={id("name")} className="text-sm font-medium">
                      Rule name
                    </label>
                    <input {...fieldProps("name")} defaultValue={rule.name} className={input} />
                    {error("name")}
                  </div>
                  <div>
                    <label htmlFor={id("taskTitle")} className="text-sm font-medium">
                      Task title
                    </label>
                    <input {...fieldProps("taskTitle")} defaultValue={rule.taskTitle} className={input} />
                    {error("taskTitle")}
                  </div>
                  {rule.params.map((param) =>
                    param.kind === "boolean" ? (
                      <label key={param.key} className="flex items-center gap-2 text-sm sm:col-span-2">
                        <input
                          type="checkbox"
                          name={`param.${param.key}`}
                          defaultChecked={Boolean(param.value)}
                          id={id(`param-${param.key}`)}
                        />
                        {param.label}
                      </label>
                    ) : (
                      <div key={param.key}>
                        <label htmlFor={id(`param.${param.key}`)} className="text-sm font-medium">
                          {param.label}
                        </label>
                        <input
                          {...fieldProps(`param.${param.key}`)}
                          type="number"
                          min={param.min}
                          max={param.max}
                          defaultValue={String(param.value ?? "")}
                          className={input}
                        />
                        {error(`param.${param.key}`)}
                      </div>
                    ),
                  )}
                  <div>
                    <label htmlFor={id("dueDays")} className="text-sm font-medium">
                      Due after (days)
                    </label>
                    <input
                      {...fieldProps("dueDays")}
                      type="number"
                      min={0}
                      max={365}
                      defaultValue={rule.dueDays}
                      className={input}
                    />
                    {error("dueDays")}
                  </div>
                  <div>
                    <label htmlFor={id("assignTo")} className="text-sm font-medium">
                      Who gets the task
                    </label>
                    <select {...fieldProps("assignTo")} defaultValue={rule.assignTo} className={input}>
                      <option value="assigned">The account's staff member (else the team's queue)</option>
                      <option value="queue">The team's queue</option>
                    </select>
                    {error("assignTo")}
                  </div>
                </div>
                <div className="flex flex-wrap items-center justify-between gap-4">
                  <label className="flex items-center gap-2 text-sm">
                    <input type="checkbox" name="enabled" defaultChecked={rule.enabled} id={id("enabled")} />
                    Runs
                  </label>
                  <SubmitButton>Save rule</SubmitButton>
                </div>
              </Form>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
