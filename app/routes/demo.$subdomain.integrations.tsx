import { parseWithZod } from "@conform-to/zod/v4";
import { data, type ActionFunctionArgs } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { z } from "zod";
import { LocalDate } from "~/components/local-date";
import { FormErrors, Notice, SubmitButton } from "~/components/ui/field";
import { readForm } from "~/lib/forms.server";
import { changeAnswer } from "~/modules/demo/answer.server";
import { requireVerifiedUser } from "~/modules/accounts/sessions.server";
import { workspaceViewerOf } from "~/modules/demo/viewer.server";
import { INTEGRATIONS, type IntegrationKey } from "~/modules/demo/workspace";
import { changeDemoWorkspace } from "~/modules/demo/workspace.server";
import { useWorkspace } from "~/modules/demo/use-workspace";

const schema = z.object({
  integration: z.enum(["slack", "github"], { error: "Choose Slack or GitHub." }),
  connected: z.enum(["yes", "no"], { error: "Choose connect or disconnect." }),
});

/** Connects or disconnects Slack or GitHub; refused (403) when the plan has no integrations. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const viewer = workspaceViewerOf(await requireVerifiedUser(request, context));
  const submission = parseWithZod(await readForm(request), { schema });
  if (submission.status !== "success") return data({ result: submission.reply(), done: null }, { status: 400 });
  const result = await changeDemoWorkspace(context.db, params.subdomain ?? "", viewer, {
    kind: "set-integration",
    integration: submission.value.integration,
    connected: submission.value.connected === "yes",
  });
  return changeAnswer(submission, result);
}

const blurbs: Record<IntegrationKey, string> = {
  slack: "Post project updates to a Slack channel.",
  github: "Link pull requests and issues to projects.",
};

export default function DemoIntegrations() {
  const view = useWorkspace();
  const answer = useActionData<typeof action>();
  const errors = answer?.result.error?.[""];
  if (!view.integrationsIncluded)
    return (
      <p className="rounded-lg bg-white p-5 text-sm text-slate-700 shadow-sm ring-1 ring-slate-200">
        Your {view.planName} plan does not include integrations. Plans with Slack and GitHub integrations are on the
        portal&apos;s pricing page.
      </p>
    );
  return (
    <section aria-labelledby="integrations-heading" className="space-y-4">
      <h2 id="integrations-heading" className="text-lg font-semibold">
        Integrations
      </h2>
      {answer?.done ? <Notice>{answer.done}</Notice> : null}
      <FormErrors id="integration-errors" errors={errors ?? undefined} />
      <ul className="grid gap-4 sm:grid-cols-2">
        {(Object.keys(INTEGRATIONS) as IntegrationKey[]).map((key) => {
          const state = view.workspace.integrations[key];
          const connected = state?.connected ?? false;
          return (
            <li key={key} className="flex flex-col gap-3 rounded-lg bg-white p-5 shadow-sm ring-1 ring-slate-200">
              <div>
                <h3 className="font-semibold">{INTEGRATIONS[key]}</h3>
                <p className="text-sm text-slate-700">{blurbs[key]}</p>
                <p className="mt-2 text-sm">
                  {connected ? <strong className="text-green-700">Connected</strong> : "Not connected"}
                  {state ? (
                    <span className="text-slate-600">
                      {" "}
                      · since <LocalDate value={state.changedAt} />
                    </span>
                  ) : null}
                </p>
              </div>
              {view.status === "active" ? (
                <Form method="post">
                  <input type="hidden" name="integration" value={key} />
                  <input type="hidden" name="connected" value={connected ? "no" : "yes"} />
                  <SubmitButton variant={connected ? "secondary" : "primary"}>
                    {connected ? `Disconnect ${INTEGRATIONS[key]}` : `Connect ${INTEGRATIONS[key]}`}
                  </SubmitButton>
                </Form>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
