import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { FormErrors, SubmitButton } from "~/components/ui/field";
import { longDate } from "~/lib/dates";
import { readForm } from "~/lib/forms.server";
import { firstPageHref, nextPageHref } from "~/lib/paging";
import { PageLinks } from "~/components/ui/page-links";
import { pageMeta, pageTitle } from "~/lib/seo";
import { requireStaff } from "~/modules/accounts/sessions.server";
import { planLabel, wordsFromKey } from "~/modules/catalog/labels";
import { loadCatalogWords } from "~/modules/catalog/labels.server";
import { listTrialsToCall, markTrialContacted, OUTREACH_VIA } from "~/modules/success/trials-to-call.server";
import { outcomeLabels } from "~/modules/success/words";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Trials to call"),
    description:
      "Active trials, most ready to buy first by fit, usage and intent, with the reasons; mark a trial as contacted once someone has called or emailed.",
    path: "/staff/trials/call",
    noindex: true,
  });

const DAY_MS = 24 * 60 * 60 * 1000;

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireStaff(request, context);
  const url = new URL(request.url);
  const [page, words] = await Promise.all([
    listTrialsToCall(context.db, url.searchParams.get("cursor")),
    loadCatalogWords(context.db),
  ]);
  const now = Date.now();
  return {
    trials: page.trials.map((trial) => ({
      accountId: trial.accountId,
      accountName: trial.accountName,
      trialId: trial.trialId,
      score: trial.score,
      reasons: trial.reasons,
      assignedName: trial.assignedName,
      planName: planLabel(trial.planSlug, words.planNames),
      timeLeft: timeLeftText(trial.endsAt, trial.lengthDays, now),
      contacted: trial.contactedAt
        ? `Contacted: ${viaText(trial.contactedVia).toLowerCase()}${trial.contactedByName ? ` by ${trial.contactedByName}` : ""} on ${longDate(trial.contactedAt)}`
        : null,
    })),
    viaOptions: OUTREACH_VIA.map((via) => ({ value: via, label: outcomeLabels[via] })),
    firstPage: firstPageHref(url),
    nextPage: nextPageHref(url, page.nextCursor),
  };
}

/** How the contact was made, in words: a task outcome ("Called"), or another way ("note" → "Note"). */
function viaText(via: string | null): string {
  if (!via) return "";
  return Object.hasOwn(outcomeLabels, via) ? outcomeLabels[via as keyof typeof outcomeLabels] : wordsFromKey(via);
}

/** "3 days left", "Ends today", or for a trial whose clock waits on its setup, its length. */
function timeLeftText(endsAt: Date | null, lengthDays: number | null, now: number): string {
  if (!endsAt) return `Being set up: its ${lengthDays ?? 0} days start when the setup completes`;
  const days = Math.ceil((endsAt.getTime() - now) / DAY_MS);
  if (days <= 0) return "Ends today";
  return `${days} ${days === 1 ? "day" : "days"} left`;
}

const contactedSchema = z.object({
  accountId: z.uuid({ error: "Choose a trial from the list" }),
  trialId: z.uuid({ error: "Choose a trial from the list" }),
  via: z.enum(OUTREACH_VIA, { error: "Say whether you called or emailed" }),
});

export async function action({ request, context }: ActionFunctionArgs) {
  const staff = await requireStaff(request, context);
  const parsed = contactedSchema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return data({ trialId: null, error: parsed.error.issues[0]!.message }, { status: 400 });
  const result = await markTrialContacted(context.db, { ...parsed.data, staffId: staff.userId });
  if (!result.ok) return data({ trialId: parsed.data.trialId, error: result.message }, { status: result.status });
  // Back to the same page of the list (a second mark changes nothing, so a resubmit is harmless).
  const url = new URL(request.url);
  throw redirect(`${url.pathname}${url.search}`);
}

export default function TrialsToCall() {
  const { trials, viaOptions, firstPage, nextPage } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold tracking-tight">Trials to call</h1>
        <p className="mt-1 text-sm text-slate-700">
          Active trials, most ready to buy first. The score out of 100 adds up what the lead told us, how they use the
          product and what they did about buying; the reasons say what counted most.{" "}
          <Link to="/staff/trials" className="font-medium text-brand-700 underline">
            All trials
          </Link>
        </p>
      </div>
      <FormErrors id="contacted-errors" errors={actionData ? [actionData.error] : undefined} />
      {trials.length ? (
        <ol className="divide-y divide-slate-100 rounded-xl ring-1 ring-slate-200">
          {trials.map((trial) => (
            <li key={trial.trialId} className="grid gap-3 px-4 py-4 lg:grid-cols-[1fr_auto]" data-testid="call-row">
              <div className="min-w-0 space-y-1 text-sm">
                <p className="flex flex-wrap items-baseline gap-x-3">
                  <Link to={`/staff/accounts/${trial.accountId}`} className="font-medium text-brand-700 underline">
                    {trial.accountName}
                  </Link>
                  <span className="font-semibold" data-testid="pql-score">
                    Score {trial.score}
                  </span>
                </p>
                <p className="text-slate-700">
                  {trial.planName} · {trial.timeLeft} ·{" "}
                  {trial.assignedName ? `Looked after by ${trial.assignedName}` : "Team queue"}
                </p>
                {trial.reasons.length ? (
                  <ul className="list-disc pl-5 text-slate-700">
                    {trial.reasons.map((reason) => (
                      <li key={reason}>{reason}</li>
                    ))}
                  </ul>
                ) : null}
              </div>
              {trial.contacted ? (
                <p className="text-sm text-slate-700 lg:text-right" data-testid="contacted">
                  {trial.contacted}
                </p>
              ) : (
                <Form method="post" className="flex flex-wrap items-end gap-2 lg:justify-end">
                  <input type="hidden" name="accountId" value={trial.accountId} />
                  <input type="hidden" name="trialId" value={trial.trialId} />
                  <div>
                    <label htmlFor={`via-${trial.trialId}`} className="block text-xs font-medium">
                      How
                    </label>
                    <select
                      id={`via-${trial.trialId}`}
                      name="via"
                      defaultValue="called"
                      className="rounded-md border border-slate-300 px-2 py-1.5 text-sm"
                    >
                      {viaOptions.map((option) => (
                        <option key={option.value} value={option.value}>
                          {option.label}
                        </option>
                      ))}
                    </select>
                  </div>
                  <SubmitButton variant="secondary">
                    Mark as contacted<span className="sr-only"> about the trial of {trial.accountName}</span>
                  </SubmitButton>
                </Form>
              )}
            </li>
          ))}
        </ol>
      ) : (
        <p className="text-sm text-slate-600">No active trial has a score yet. Scores are worked out every night.</p>
      )}
      <PageLinks firstPage={firstPage} nextPage={nextPage} next="More trials" />
    </div>
  );
}
