import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { parse as parseCookies, serialize } from "cookie";
import type { ReactNode } from "react";
import { Honeypot } from "~/components/honeypot";
import { FieldError, FormErrors, SubmitButton } from "~/components/ui/field";
import { isBot } from "~/lib/honeypot";
import { tooManyRequests, tryAgainIn } from "~/lib/forms.server";
import { consumeRateLimit } from "~/lib/rate-limit.server";
import { retryAfterHeaders } from "~/lib/retry-after";
import { pageMeta, pageTitle } from "~/lib/seo";
import { SITE_NAME } from "~/lib/site";
import { getSessionUser } from "~/modules/accounts/sessions.server";
import { requireCatalog } from "~/modules/catalog/catalog.server";
import { ATTRIBUTION_COOKIE, decodeAttribution } from "~/modules/qualification/attribution.server";
import { evaluateFit } from "~/modules/qualification/evaluate";
import { LEAD_COOKIE } from "~/modules/qualification/lead-cookie";
import { saveLead } from "~/modules/qualification/leads.server";
import {
  budgetOptions,
  companySizeOptions,
  complianceFeatureKeys,
  complianceOptions,
  qualificationSchema,
  timelineOptions,
  useCaseOptions,
  type Option,
} from "~/modules/qualification/questionnaire";
import { readForm } from "~/lib/forms.server";

export async function loader({ context }: LoaderFunctionArgs) {
  const catalog = await requireCatalog(context.db);
  const complianceKeys = new Set(Object.values(complianceFeatureKeys));
  const capabilities = catalog.features
    .filter((feature) => feature.kind === "flag" && !complianceKeys.has(feature.key))
    .map((feature) => ({ value: feature.key, label: feature.name }));
  return { capabilities };
}

export const meta: MetaFunction<typeof loader> = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle(`Is ${SITE_NAME} right for you?`),
    description:
      "Answer seven quick questions and see at once which plan fits your team, what it costs, and what it does not cover.",
    path: "/qualify",
  });

export const headers = retryAfterHeaders;

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await readForm(request);
  const submission = parseWithZod(formData, { schema: qualificationSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  if (isBot(formData)) throw redirect("/qualify");
  const limit = await consumeRateLimit(context.db, "qualification", context.clientIp);
  if (!limit.allowed) {
    return tooManyRequests(
      submission.reply({
        formErrors: [`You have answered many times in a short while. ${tryAgainIn(limit.retryAfterSeconds)}`],
      }),
      limit.retryAfterSeconds,
    );
  }
  const catalog = await requireCatalog(context.db);
  const result = evaluateFit(submission.value, catalog);
  const user = await getSessionUser(request, context);
  const leadId = await saveLead(context.db, {
    answers: submission.value,
    verdict: result.verdict,
    planSlug: result.planSlug,
    score: result.score,
    result,
    attribution: decodeAttribution(parseCookies(request.headers.get("cookie") ?? "")[ATTRIBUTION_COOKIE]),
    userId: user?.userId ?? null,
    organisationId: user?.organisationId ?? null,
  });
  const leadCookie = serialize(LEAD_COOKIE, leadId, {
    httpOnly: true,
    sameSite: "lax",
    secure: context.config.appUrl.startsWith("https:"),
    path: "/",
    maxAge: 60 * 60 * 24 * 30,
  });
  throw redirect(`/qualify/results/${leadId}`, { headers: { "Set-Cookie": leadCookie } });
}

function Question({
  legend,
  error,
  errorId,
  children,
}: {
  legend: string;
  error?: string[];
  errorId: string;
  children: ReactNode;
}) {
  return (
    <fieldset aria-describedby={error?.length ? errorId : undefined}>
      <legend className="text-base font-semibold text-slate-900">{legend}</legend>
      <div className="mt-3">{children}</div>
      <FieldError id={errorId} errors={error} />
    </fieldset>
  );
}

function Choices({
  name,
  options,
  type,
  checked,
}: {
  name: string;
  options: Option<string>[];
  type: "radio" | "checkbox";
  checked: (value: string) => boolean;
}) {
  return (
    <div className="grid gap-2 sm:grid-cols-2">
      {options.map((option) => (
        <label
          key={option.value}
          className="flex items-start gap-2 rounded-md p-2 ring-1 ring-slate-200 hover:bg-slate-50"
        >
          <input type={type} name={name} value={option.value} defaultChecked={checked(option.value)} className="mt-1" />
          <span className="text-sm">{option.label}</span>
        </label>
      ))}
    </div>
  );
}

export default function QualifyPage() {
  const { capabilities } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: qualificationSchema }),
    shouldValidate: "onSubmit",
  });
  const initial = (lastResult?.initialValue ?? {}) as Record<string, unknown>;
  const has = (name: string, value: string) => {
    const current = initial[name];
    return Array.isArray(current) ? current.includes(value) : current === value;
  };
  return (
    <div className="mx-auto max-w-3xl px-4 py-12">
      <h1 className="text-3xl font-bold tracking-tight">Is {SITE_NAME} right for you?</h1>
      <p className="mt-3 text-slate-700">
        Seven questions, about a minute. You get an honest answer at once: the plan that fits, what it costs, and
        anything we do not offer.
      </p>
      <Form method="post" {...getFormProps(form)} className="relative mt-10 space-y-10">
        <FormErrors id={form.errorId} errors={form.errors} />
        <Question
          legend="How many people work at your company?"
          error={fields.companySize.errors}
          errorId={`${fields.companySize.id}-error`}
        >
          <Choices
            name="companySize"
            type="radio"
            options={companySizeOptions}
            checked={(v) => has("companySize", v)}
          />
        </Question>
        <Question
          legend="What will you mainly use it for?"
          error={fields.useCase.errors}
          errorId={`${fields.useCase.id}-error`}
        >
          <Choices name="useCase" type="radio" options={useCaseOptions} checked={(v) => has("useCase", v)} />
        </Question>
        <div>
          <label htmlFor="seats" className="text-base font-semibold text-slate-900">
            How many people need access?
          </label>
          <input
            id="seats"
            name="seats"
            type="number"
            inputMode="numeric"
            min={1}
            defaultValue={typeof initial.seats === "string" ? initial.seats : undefined}
            aria-invalid={fields.seats.errors ? true : undefined}
            aria-describedby={fields.seats.errors ? "seats-error" : undefined}
            className="mt-3 block w-40 rounded-md border border-slate-300 px-3 py-2 text-sm"
          />
          <FieldError id="seats-error" errors={fields.seats.errors} />
        </div>
        <Question
          legend="Which capabilities are must-haves?"
          error={fields.mustHaves.errors}
          errorId={`${fields.mustHaves.id}-error`}
        >
          <Choices name="mustHaves" type="checkbox" options={capabilities} checked={(v) => has("mustHaves", v)} />
        </Question>
        <Question
          legend="Any data-location, security or compliance needs?"
          error={fields.compliance.errors}
          errorId={`${fields.compliance.id}-error`}
        >
          <Choices
            name="compliance"
            type="checkbox"
            options={complianceOptions}
            checked={(v) => has("compliance", v)}
          />
        </Question>
        <Question
          legend="What is your monthly budget?"
          error={fields.budget.errors}
          errorId={`${fields.budget.id}-error`}
        >
          <Choices name="budget" type="radio" options={budgetOptions} checked={(v) => has("budget", v)} />
        </Question>
        <Question
          legend="When do you want to start?"
          error={fields.timeline.errors}
          errorId={`${fields.timeline.id}-error`}
        >
          <Choices name="timeline" type="radio" options={timelineOptions} checked={(v) => has("timeline", v)} />
        </Question>
        <Honeypot />
        <SubmitButton>See my answer</SubmitButton>
      </Form>
    </div>
  );
}
