import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { FormErrors, Notice, SubmitButton } from "~/components/ui/field";
import { longDate } from "~/lib/dates";
import { readForm } from "~/lib/forms.server";
import { pageMeta, pageTitle } from "~/lib/seo";
import { requireStaff } from "~/modules/accounts/sessions.server";
import { MEASURE_KEYS, PROFILES } from "~/modules/success/health";
import {
  completeWeights,
  currentWeights,
  listWeightVersions,
  queueHistoryRecompute,
  saveWeights,
} from "~/modules/success/weights.server";
import { measureLabels, profileLabels } from "~/modules/success/words";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Health score weights"),
    description:
      "Staff admins: how much each measure counts in the health score, its versions, and recomputing history.",
    path: "/staff/health-weights",
    noindex: true,
  });

// Staff admins only (ADR 15: the scoring weights are the admins'): to staff this page does not exist.
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireStaff(request, context, "admin");
  const before = Number(new URL(request.url).searchParams.get("before"));
  const [current, page] = await Promise.all([
    currentWeights(context.db),
    listWeightVersions(context.db, Number.isInteger(before) && before > 0 ? before : null),
  ]);
  return { current: { version: current.version, weights: completeWeights(current.weights) }, ...page };
}

/** The posted `onboarding.milestones`-style fields as weights per profile (validated by `saveWeights`). */
function weightsFrom(form: FormData): Record<string, Record<string, FormDataEntryValue | null>> {
  return Object.fromEntries(
    PROFILES.map((profile) => [
      profile,
      Object.fromEntries(MEASURE_KEYS.map((key) => [key, form.get(`${profile}.${key}`)])),
    ]),
  );
}

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requireStaff(request, context, "admin");
  const form = await readForm(request);
  const intent = form.get("intent");
  if (intent === "save") {
    const result = await saveWeights(context.db, weightsFrom(form), admin, form.get("reason"));
    return data({ ok: result.ok, message: result.message }, { status: result.ok ? 200 : 400 });
  }
  if (intent === "recompute") {
    if (form.get("confirm") !== "yes")
      return data(
        { ok: false, message: "Tick the box to confirm that past scores are rewritten with these weights." },
        { status: 400 },
      );
    const { version } = await queueHistoryRecompute(context.db, admin);
    return data({
      ok: true,
      message: `Past scores are being recomputed with version ${version} of the weights; trends follow within minutes.`,
    });
  }
  return data({ ok: false, message: "Choose what to do: save the weights or recompute history." }, { status: 400 });
}

const inputStyle = "block w-20 rounded-md border border-slate-300 px-2 py-1.5 text-right text-sm";

export default function HealthWeights() {
  const { current, versions, next } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <div className="space-y-10">
      <header>
        <h1 className="text-2xl font-bold tracking-tight">Health score weights</h1>
        <p className="mt-1 max-w-2xl text-sm text-slate-600">
          How much each measure counts in an account&apos;s health score. In the first 30 days of service the activation
          milestones usually weigh most. A measure without data gives its weight to the others. New weights apply to
          today&apos;s scores at once; past days keep theirs until you recompute history.
        </p>
      </header>
      {actionData?.ok ? <Notice>{actionData.message}</Notice> : null}
      <FormErrors id="weights-errors" errors={actionData && !actionData.ok ? [actionData.message] : undefined} />

      <section aria-labelledby="weights-heading">
        <h2 id="weights-heading" className="text-lg font-semibold">
          Weights in force {current.version ? `(version ${current.version})` : "(built-in)"}
        </h2>
        <Form method="post" className="mt-4 space-y-4">
          <input type="hidden" name="intent" value="save" />
          <table className="text-sm" data-testid="weights">
            <thead>
              <tr className="text-left">
                <th scope="col" className="py-2 pr-4 font-medium">
                  Measure
                </th>
                {PROFILES.map((profile) => (
                  <th key={profile} scope="col" className="px-2 py-2 text-right font-medium">
                    {profileLabels[profile]}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {MEASURE_KEYS.map((key) => (
                <tr key={key}>
                  <th scope="row" className="py-2 pr-4 text-left font-normal">
                    {measureLabels[key]}
                  </th>
                  {PROFILES.map((profile) => (
                    <td key={profile} className="px-2 py-1">
                      <input
                        type="number"
                        name={`${profile}.${key}`}
                        min={0}
                        max={100}
                        step={1}
                        required
                        defaultValue={current.weights[profile][key] ?? 0}
                        aria-label={`${measureLabels[key]}, ${profileLabels[profile].toLowerCase()}`}
                        className={`${inputStyle} ml-auto`}
                      />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <label className="block max-w-md text-sm font-medium">
            Why they change
            <input
              name="reason"
              required
              maxLength={500}
              autoComplete="off"
              className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
            />
          </label>
          <SubmitButton>Save weights</SubmitButton>
        </Form>
      </section>

      <section aria-labelledby="recompute-heading" className="max-w-2xl">
        <h2 id="recompute-heading" className="text-lg font-semibold">
          Recompute history
        </h2>
        <p className="mt-1 text-sm text-slate-600">
          Rewrites the scores of every past day with the weights in force, from each day&apos;s own measures. Trends and
          drop alerts then compare like with like.
        </p>
        <Form method="post" className="mt-4 space-y-3">
          <input type="hidden" name="intent" value="recompute" />
          <label className="flex items-start gap-2 text-sm">
            <input type="checkbox" name="confirm" value="yes" required className="mt-0.5" />
            <span>I understand that the stored scores of past days are replaced.</span>
          </label>
          <SubmitButton variant="secondary">Recompute history with these weights</SubmitButton>
        </Form>
      </section>

      <section aria-labelledby="versions-heading">
        <h2 id="versions-heading" className="text-lg font-semibold">
          Versions
        </h2>
        {versions.length ? (
          <ul className="mt-3 divide-y divide-slate-100 rounded-xl ring-1 ring-slate-200" data-testid="weight-versions">
            {versions.map((version) => (
              <li key={version.version} className="px-4 py-3 text-sm" data-testid="weight-version">
                <p className="font-medium">
                  Version {version.version}, {longDate(version.createdAt)} by{" "}
                  {version.createdBy ?? "a former staff member"}
                </p>
                <p className="mt-1 break-words text-slate-600">{version.reason}</p>
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-2 text-sm text-slate-600">
            No admin has changed the weights: the built-in ones are in force.
          </p>
        )}
        {next ? (
          <Link to={`?before=${next}`} className="mt-3 inline-block text-sm font-medium text-brand-700 underline">
            Older versions
          </Link>
        ) : null}
      </section>
    </div>
  );
}
