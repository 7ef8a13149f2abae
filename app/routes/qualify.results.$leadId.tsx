import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { Honeypot } from "~/components/honeypot";
import { ButtonLink } from "~/components/ui/button-link";
import { Field, FormErrors, Notice, SubmitButton, TextAreaField } from "~/components/ui/field";
import { formatMoney } from "~/lib/money";
import { retryAfterHeaders } from "~/lib/retry-after";
import { pageMeta, pageTitle } from "~/lib/seo";
import { getSessionUser } from "~/modules/accounts/sessions.server";
import { loadCatalog } from "~/modules/catalog/catalog.server";
import type { FitResult, RequirementStatus } from "~/modules/qualification/evaluate";
import { CONTACT_MESSAGE_LABEL, contactRequestSchema } from "~/modules/qualification/contact-request";
import { answerContactRequest } from "~/modules/qualification/contact-request.server";
import { findLead, requestContact } from "~/modules/qualification/leads.server";
import { readForm } from "~/lib/forms.server";
import { idParam } from "~/lib/ids";

// A person's own answer, shared by link: never in search results.
export const meta: MetaFunction<typeof loader> = ({ data, matches, params }) =>
  data
    ? pageMeta(matches, {
        title: pageTitle("Your answer"),
        description:
          "Your answer to the questionnaire: the plan that fits your team, what it costs and which of your needs it covers.",
        path: `/qualify/results/${params.leadId}`,
        noindex: true,
      })
    : [];

export async function loader({ params, context }: LoaderFunctionArgs) {
  const lead = await findLead(context.db, idParam(params, "leadId"));
  if (!lead) throw new Response("Not found", { status: 404 });
  const catalog = await loadCatalog(context.db);
  const plan = catalog?.plans.find((p) => p.slug === lead.planSlug) ?? null;
  return {
    result: lead.result as unknown as FitResult,
    plan: plan
      ? { slug: plan.slug, name: plan.name, trialDays: plan.trialDays, selfServe: plan.salesMode === "self_serve" }
      : null,
    leadId: lead.id,
    contactRequested: lead.contactRequestedAt !== null,
    shareUrl: `${context.config.appUrl}/qualify/results/${lead.id}`,
  };
}

export const headers = retryAfterHeaders;

export async function action({ request, params, context }: ActionFunctionArgs) {
  return answerContactRequest(context, await readForm(request), contactRequestSchema, async (contact) => {
    const user = await getSessionUser(request, context);
    if (!(await requestContact(context.db, idParam(params, "leadId"), contact, user?.userId ?? null)))
      throw new Response("Not found", { status: 404 });
  });
}

const headlines: Record<FitResult["verdict"], (plan: string) => string> = {
  fits: (plan) => `${plan} fits your needs`,
  fits_higher_plan: (plan) => `${plan} fits your needs`,
  talk_to_us: (plan) => `Let's talk: ${plan} is shaped with you`,
  not_a_fit: () => "We are not the right fit, yet",
};

const statusText: Record<RequirementStatus, string> = {
  met: "Met",
  met_by_higher_plan: "Met by a higher plan",
  not_offered: "Not offered",
};

const statusStyle: Record<RequirementStatus, string> = {
  met: "bg-green-100 text-green-800",
  met_by_higher_plan: "bg-amber-100 text-amber-900",
  not_offered: "bg-red-100 text-red-800",
};

export default function QualificationResult() {
  const { result, plan, leadId, contactRequested, shareUrl } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [form, fields] = useForm({
    lastResult: actionData?.result,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: contactRequestSchema }),
    shouldValidate: "onBlur",
  });
  const contacted = contactRequested || (actionData?.sent ?? false);
  return (
    <div className="mx-auto max-w-3xl px-4 py-12">
      <p className="text-sm font-semibold text-brand-700">Your answer</p>
      <h1 className="mt-1 text-3xl font-bold tracking-tight" data-testid="verdict" data-verdict={result.verdict}>
        {headlines[result.verdict](plan?.name ?? "")}
      </h1>
      <ul className="mt-4 space-y-1 text-slate-700">
        {result.reasons.map((reason) => (
          <li key={reason}>{reason}</li>
        ))}
      </ul>
      {result.estimatedMonthly ? (
        <p className="mt-4 text-lg">
          Estimated <strong>{formatMoney(result.estimatedMonthly)}</strong> a month, before tax.
        </p>
      ) : null}

      <section aria-labelledby="requirements-heading" className="mt-10">
        <h2 id="requirements-heading" className="text-lg font-semibold">
          Your requirements
        </h2>
        <ul className="mt-4 divide-y divide-slate-100 rounded-xl ring-1 ring-slate-200">
          {result.requirements.map((requirement) => (
            <li
              key={requirement.key}
              className="flex flex-col gap-1 px-4 py-3 sm:flex-row sm:items-start sm:justify-between"
              data-testid={`requirement-${requirement.key}`}
            >
              <div>
                <p className="font-medium">{requirement.label}</p>
                <p className="text-sm text-slate-600">{requirement.detail}</p>
              </div>
              <span
                className={`self-start rounded-full px-2.5 py-0.5 text-xs font-semibold ${statusStyle[requirement.status]}`}
              >
                {statusText[requirement.status]}
              </span>
            </li>
          ))}
        </ul>
      </section>

      <div className="mt-10 flex flex-wrap gap-3">
        {plan?.selfServe && plan.trialDays > 0 ? (
          // This result, not the last one answered (the lead cookie), is the one the sign-up links.
          <ButtonLink to={`/signup?plan=${plan.slug}&lead=${leadId}`}>Start a free {plan.name} trial</ButtonLink>
        ) : null}
        {plan ? (
          <ButtonLink to={`/plans/${plan.slug}`} variant="secondary">
            See the {plan.name} plan
          </ButtonLink>
        ) : (
          <ButtonLink to="/pricing" variant="secondary">
            See all plans
          </ButtonLink>
        )}
      </div>

      <section aria-labelledby="contact-heading" className="mt-12 max-w-md">
        <h2 id="contact-heading" className="text-lg font-semibold">
          {result.verdict === "talk_to_us" ? "Talk to us" : "Questions? Ask our team"}
        </h2>
        {contacted ? (
          <div className="mt-4">
            <Notice>Thanks. Our team will get back to you within one business day.</Notice>
          </div>
        ) : (
          <Form method="post" {...getFormProps(form)} className="relative mt-4 space-y-4">
            <FormErrors id={form.errorId} errors={form.errors} />
            <Field meta={fields.email} label="Your work email" type="email" autoComplete="email" />
            <TextAreaField meta={fields.message} label={CONTACT_MESSAGE_LABEL} />
            <Honeypot />
            <SubmitButton>Ask our team to contact me</SubmitButton>
          </Form>
        )}
      </section>

      <p className="mt-12 text-sm text-slate-600">
        Share or reopen this answer: <span className="break-all font-mono">{shareUrl}</span> ·{" "}
        <Link to="/qualify" className="text-brand-700 underline">
          Answer again
        </Link>
      </p>
    </div>
  );
}
