import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { FieldError } from "~/components/ui/field";
import { pageMeta, pageTitle } from "~/lib/seo";
import { requireStaff } from "~/modules/accounts/sessions.server";
import { money, whole } from "~/modules/metrics/format";
import { addMonths, monthLabel } from "~/modules/metrics/months";
import { planBackwards } from "~/modules/metrics/plan";
import { measuredAssumptions, planFormSchema } from "~/modules/metrics/plan.server";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Plan backwards"),
    description:
      "Staff admins: from an MRR goal and a month, the customers, trials and leads needed each month, against today's run rate.",
    path: "/staff/metrics/plan",
    noindex: true,
  });

const FIELDS = ["goal", "by", "arpa", "conversion", "leadToTrial", "churn"] as const;
type FieldName = (typeof FIELDS)[number];

const decimal = (value: number, digits = 1) => String(Number(value.toFixed(digits)));

/**
 * A GET form: without a goal it shows the measured assumptions, filled in; with one it works back
 * (`planBackwards`). Fields that do not parse answer 400 with a sentence beside each.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireStaff(request, context, "admin");
  const now = new Date();
  const url = new URL(request.url);
  const measured = await measuredAssumptions(context.db, now);
  const a = measured.assumptions;
  const defaults: Record<FieldName, string> = {
    goal: "",
    by: addMonths(`${now.toISOString().slice(0, 7)}-01`, 12).slice(0, 7),
    arpa: decimal(a.arpa / 100, 2),
    conversion: decimal(a.trialConversion * 100),
    leadToTrial: decimal(a.leadToTrial * 100),
    churn: decimal(a.monthlyChurn * 100),
  };
  const asked = url.searchParams.has("goal");
  const values = Object.fromEntries(
    FIELDS.map((field) => [field, asked ? (url.searchParams.get(field) ?? "") : defaults[field]]),
  ) as Record<FieldName, string>;
  const page = {
    values,
    errors: {} as Partial<Record<FieldName, string[]>>,
    measured: {
      mrr: money(measured.mrr),
      customers: whole(measured.customers),
      defaulted: measured.defaulted,
    },
    plan: null as null | {
      goal: string;
      by: string;
      rows: { label: string; needed: string; now: string; gap: string }[];
      customersAtGoal: string;
      customersKept: string;
    },
  };
  if (!asked) return page;
  const parsed = planFormSchema(now).safeParse(values);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as FieldName;
      page.errors[field] = [...(page.errors[field] ?? []), issue.message];
    }
    return data(page, { status: 400 });
  }
  const input = parsed.data;
  const needs = planBackwards({
    goalMrr: Math.round(input.goal * 100),
    months: input.by.ahead,
    customers: measured.customers,
    assumptions: {
      arpa: Math.round(input.arpa * 100),
      trialConversion: input.conversion / 100,
      leadToTrial: input.leadToTrial / 100,
      monthlyChurn: input.churn / 100,
    },
  });
  const row = (label: string, needed: number, now: number) => ({
    label,
    needed: whole(needed),
    now: decimal(now),
    gap: needed > now ? `${decimal(needed - now)} more a month` : "On track",
  });
  page.plan = {
    goal: money(Math.round(input.goal * 100)),
    by: monthLabel(input.by.month, "long"),
    customersAtGoal: whole(needs.customersAtGoal),
    customersKept: whole(needs.customersKept),
    rows: [
      row("New customers a month", needs.newCustomersPerMonth, measured.runRate.newCustomers),
      row("Trials a month", needs.trialsPerMonth, measured.runRate.trials),
      row("Leads a month", needs.leadsPerMonth, measured.runRate.leads),
    ],
  };
  return page;
}

const ASSUMPTION_LABELS: Record<string, string> = {
  arpa: "average MRR per customer",
  trialConversion: "trial conversion",
  leadToTrial: "trials per lead",
  monthlyChurn: "monthly churn",
};

function Input({
  name,
  label,
  hint,
  value,
  errors,
  type = "text",
}: {
  name: FieldName;
  label: string;
  hint: string;
  value: string;
  errors?: string[];
  type?: "text" | "month";
}) {
  const invalid = Boolean(errors?.length);
  return (
    <div>
      <label htmlFor={`plan-${name}`} className="block text-sm font-medium">
        {label}
      </label>
      <p id={`plan-${name}-hint`} className="text-xs text-slate-600">
        {hint}
      </p>
      <input
        id={`plan-${name}`}
        name={name}
        type={type}
        inputMode={type === "text" ? "decimal" : undefined}
        defaultValue={value}
        aria-invalid={invalid || undefined}
        aria-describedby={`plan-${name}-hint${invalid ? ` plan-${name}-error` : ""}`}
        className={`mt-1 block w-full rounded-md border px-3 py-2 text-sm ${invalid ? "border-red-600" : "border-slate-300"}`}
      />
      <FieldError id={`plan-${name}-error`} errors={errors} />
    </div>
  );
}

export default function PlanBackwards() {
  const { values, errors, measured, plan } = useLoaderData<typeof loader>();
  return (
    <div className="space-y-8">
      <div className="space-y-2">
        <h1 className="text-2xl font-bold tracking-tight">Plan backwards</h1>
        <p className="max-w-3xl text-sm text-slate-700">
          Enter an MRR goal and the month to reach it by. The page works back with what the portal measured (change any
          of it): the customers the goal takes at the average price, the new customers needed each month while churn
          takes some away, the trials those need at the conversion rate, and the leads those need. Today: {measured.mrr}{" "}
          MRR from {measured.customers} customers.
        </p>
        {measured.defaulted.length ? (
          <p className="text-sm text-amber-800">
            Nothing measured yet for {measured.defaulted.map((key) => ASSUMPTION_LABELS[key]).join(", ")}: a typical
            figure is filled in instead.
          </p>
        ) : null}
      </div>
      <Form
        method="get"
        className="grid gap-4 rounded-xl p-4 ring-1 ring-slate-200 sm:grid-cols-2 lg:grid-cols-3"
        aria-label="Plan"
      >
        <Input
          name="goal"
          label="MRR goal (US dollars)"
          hint="Monthly recurring revenue to reach."
          value={values.goal}
          errors={errors.goal}
        />
        <Input
          name="by"
          label="By the end of"
          hint="A month, YYYY-MM."
          value={values.by}
          errors={errors.by}
          type="month"
        />
        <Input
          name="arpa"
          label="Average MRR per customer (US dollars)"
          hint="Measured: this month's ARPA."
          value={values.arpa}
          errors={errors.arpa}
        />
        <Input
          name="conversion"
          label="Trial conversion (%)"
          hint="Measured: trials started 2 to 7 months ago that paid."
          value={values.conversion}
          errors={errors.conversion}
        />
        <Input
          name="leadToTrial"
          label="Trials per lead (%)"
          hint="Measured: trials ÷ leads, last 6 months."
          value={values.leadToTrial}
          errors={errors.leadToTrial}
        />
        <Input
          name="churn"
          label="Monthly churn (%)"
          hint="Measured: customers lost a month, last 6 months."
          value={values.churn}
          errors={errors.churn}
        />
        <div className="sm:col-span-2 lg:col-span-3">
          <button type="submit" className="rounded-md bg-brand-600 px-4 py-2.5 text-sm font-semibold text-white">
            Work back from the goal
          </button>
        </div>
      </Form>
      {plan ? (
        <section aria-labelledby="plan-result" className="space-y-3">
          <h2 id="plan-result" className="text-lg font-semibold">
            {plan.goal} MRR by the end of {plan.by}
          </h2>
          <p className="text-sm text-slate-700">
            That is {plan.customersAtGoal} paying customers; of today&apos;s, about {plan.customersKept} would still be
            paying then.
          </p>
          <div className="overflow-x-auto rounded-lg ring-1 ring-slate-200">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">What the goal takes each month, against the last three months</caption>
              <thead className="bg-slate-50 text-slate-600">
                <tr>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Each month
                  </th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">
                    Needed
                  </th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">
                    Last 3 months
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Gap
                  </th>
                </tr>
              </thead>
              <tbody>
                {plan.rows.map((row) => (
                  <tr key={row.label} className="border-t border-slate-100">
                    <th scope="row" className="px-3 py-2 font-medium">
                      {row.label}
                    </th>
                    <td className="px-3 py-2 text-right tabular-nums">{row.needed}</td>
                    <td className="px-3 py-2 text-right tabular-nums">{row.now}</td>
                    <td className="px-3 py-2">{row.gap}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </div>
  );
}
