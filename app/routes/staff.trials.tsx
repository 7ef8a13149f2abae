import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { FormErrors, SubmitButton } from "~/components/ui/field";
import { planLabel } from "~/modules/catalog/labels";
import { loadCatalogWords } from "~/modules/catalog/labels.server";
import { requireStaff } from "~/modules/accounts/sessions.server";
import { extendTrial } from "~/modules/trials/lifecycle.server";
import { listTrialsForStaff } from "~/modules/trials/trials.server";
import { pageMeta, pageTitle } from "~/lib/seo";
import { readForm } from "~/lib/forms.server";
import { textField } from "~/lib/text";
import { LocalDate } from "~/components/local-date";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Trials"),
    description:
      "Customers' free trials, running and ended, with when each ends; extend a trial by a number of days when asked.",
    path: "/staff/trials",
    noindex: true,
  });

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireStaff(request, context);
  const [trials, words] = await Promise.all([listTrialsForStaff(context.db), loadCatalogWords(context.db)]);
  return { trials: trials.map((trial) => ({ ...trial, planName: planLabel(trial.planSlug, words.planNames) })) };
}

const extendSchema = z.object({
  trialId: z.uuid(),
  days: z.coerce
    .number({ error: "Enter a number of days" })
    .int("Enter whole days")
    .min(1, "Extend by 1 to 60 days")
    .max(60, "Extend by 1 to 60 days"),
  reason: textField({
    required: "Say why, for the audit trail",
    min: { length: 3, message: "Say why, for the audit trail" },
    max: 500,
  }),
});

export async function action({ request, context }: ActionFunctionArgs) {
  const staff = await requireStaff(request, context);
  const parsed = extendSchema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return data({ trialId: null, error: parsed.error.issues[0]!.message }, { status: 400 });
  const result = await extendTrial(context.db, parsed.data.trialId, parsed.data.days, parsed.data.reason, {
    type: "staff",
    id: staff.userId,
  });
  if (!result.ok) return data({ trialId: parsed.data.trialId, error: result.message }, { status: 409 });
  throw redirect("/staff/trials");
}

export default function StaffTrials() {
  const { trials } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold tracking-tight">Trials</h1>
        <p className="mt-1 text-sm text-slate-700">
          <Link to="/staff/trials/call" className="font-medium text-brand-700 underline">
            Trials to call
          </Link>
          : active trials, most ready to buy first, with why.
        </p>
      </div>
      <FormErrors id="extend-errors" errors={actionData ? [actionData.error] : undefined} />
      {trials.length ? (
        <ul className="divide-y divide-slate-100 rounded-xl ring-1 ring-slate-200">
          {trials.map((trial) => (
            <li
              key={trial.id}
              className="flex flex-col gap-3 px-4 py-3 lg:flex-row lg:items-end lg:justify-between"
              data-testid="trial-row"
            >
              <div className="text-sm">
                <p className="font-medium">{trial.accountName}</p>
                <p className="text-slate-600">
                  {trial.planName} ·{" "}
                  {trial.endsAt ? (
                    <>
                      {trial.status === "active" ? "ends" : "ended"} <LocalDate value={trial.endsAt} />
                    </>
                  ) : (
                    `being set up: its ${trial.lengthDays} days start when the setup completes`
                  )}
                  {trial.extensions ? ` · extended ${trial.extensions}×` : ""}
                </p>
              </div>
              <Form method="post" className="flex flex-wrap items-end gap-2">
                <input type="hidden" name="trialId" value={trial.id} />
                <div>
                  <label htmlFor={`days-${trial.id}`} className="block text-xs font-medium">
                    Days
                  </label>
                  <input
                    id={`days-${trial.id}`}
                    name="days"
                    type="number"
                    min={1}
                    max={60}
                    defaultValue={7}
                    className="w-20 rounded-md border border-slate-300 px-2 py-1.5 text-sm"
                  />
                </div>
                <div>
                  <label htmlFor={`reason-${trial.id}`} className="block text-xs font-medium">
                    Reason
                  </label>
                  <input
                    id={`reason-${trial.id}`}
                    name="reason"
                    className="w-56 rounded-md border border-slate-300 px-2 py-1.5 text-sm"
                  />
                </div>
                <SubmitButton variant="secondary">
                  Extend<span className="sr-only"> the trial of {trial.accountName}</span>
                </SubmitButton>
              </Form>
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-sm text-slate-600">No active or recently ended trials.</p>
      )}
    </div>
  );
}
