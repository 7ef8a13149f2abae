import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { parse as parseCookies } from "cookie";
import { z } from "zod";
import { Honeypot } from "~/components/honeypot";
import { Field, FormErrors, Notice, SubmitButton, TextAreaField } from "~/components/ui/field";
import { retryAfterHeaders } from "~/lib/retry-after";
import { pageMeta, pageTitle } from "~/lib/seo";
import { SITE_NAME } from "~/lib/site";
import { getSessionUser } from "~/modules/accounts/sessions.server";
import { requireCatalog } from "~/modules/catalog/catalog.server";
import { ATTRIBUTION_COOKIE, decodeAttribution } from "~/modules/qualification/attribution.server";
import { CONTACT_MESSAGE_LABEL, contactRequestSchema } from "~/modules/qualification/contact-request";
import { answerContactRequest } from "~/modules/qualification/contact-request.server";
import { saveSalesRequest } from "~/modules/qualification/leads.server";
import { readForm } from "~/lib/forms.server";
import { textField } from "~/lib/text";

// The plan pages link here with ?plan=; the bare address shows the catalog's first sales-led plan.
export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  data
    ? pageMeta(matches, {
        title: pageTitle(`Talk to sales about ${data.plan.name}`),
        description: `Tell our team about your rollout and get a proposal for the ${data.plan.name} plan of ${SITE_NAME} within one business day.`,
        path: "/contact-sales",
      })
    : [];

const contactSchema = contactRequestSchema.extend({
  company: textField({ required: "Enter your company", max: 200 }),
  seats: z.coerce
    .number<string>({ error: "Enter how many users" })
    .int("Enter a whole number of users")
    .min(1, "Enter at least 1 user")
    .max(1_000_000),
});

/** The sales-led plan named by ?plan=, or without one the catalog's first. */
async function salesPlan(context: LoaderFunctionArgs["context"], request: Request) {
  const catalog = await requireCatalog(context.db);
  const slug = new URL(request.url).searchParams.get("plan");
  const plan = catalog.plans.find((p) => p.salesMode === "contact_sales" && (slug === null || p.slug === slug));
  if (!plan) throw new Response("Not found", { status: 404 });
  return plan;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const plan = await salesPlan(context, request);
  return { plan: { slug: plan.slug, name: plan.name, minSeats: plan.minSeats } };
}

export const headers = retryAfterHeaders;

/** A "contact us" plan opens a request to staff (a lead asking to be contacted), never a checkout. */
export async function action({ request, context }: ActionFunctionArgs) {
  const plan = await salesPlan(context, request);
  return answerContactRequest(context, await readForm(request), contactSchema, async (contact) => {
    const user = await getSessionUser(request, context);
    await saveSalesRequest(context.db, {
      plan,
      contact,
      attribution: decodeAttribution(parseCookies(request.headers.get("cookie") ?? "")[ATTRIBUTION_COOKIE]),
      userId: user?.userId ?? null,
      organisationId: user?.organisationId ?? null,
    });
  });
}

export default function ContactSales() {
  const { plan } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [form, fields] = useForm({
    lastResult: actionData?.result,
    defaultValue: { seats: String(plan.minSeats) },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: contactSchema }),
    shouldValidate: "onBlur",
  });
  return (
    <div className="mx-auto max-w-lg px-4 py-12">
      <Link to={`/plans/${plan.slug}`} className="text-sm text-brand-700 underline">
        ← The {plan.name} plan
      </Link>
      <h1 className="mt-4 text-2xl font-bold tracking-tight">Talk to us about {plan.name}</h1>
      <p className="mt-2 text-sm text-slate-700">
        Tell us a little about your rollout. Our team replies within one business day with a proposal and next steps.
      </p>
      {actionData?.sent ? (
        <div className="mt-8">
          <Notice>Thanks. Our team will get back to you within one business day.</Notice>
        </div>
      ) : (
        <Form method="post" {...getFormProps(form)} className="relative mt-8 space-y-5">
          <FormErrors id={form.errorId} errors={form.errors} />
          <Field meta={fields.email} label="Your work email" type="email" autoComplete="email" />
          <Field meta={fields.company} label="Company" autoComplete="organization" />
          <Field meta={fields.seats} label="How many users" type="number" />
          <TextAreaField meta={fields.message} label={CONTACT_MESSAGE_LABEL} />
          <Honeypot />
          <SubmitButton>Ask our team to contact me</SubmitButton>
        </Form>
      )}
    </div>
  );
}
