import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { parse as parseCookies } from "cookie";
import { z } from "zod";
import { AuthCard } from "~/components/auth-card";
import { Honeypot } from "~/components/honeypot";
import { Field, FormErrors, SubmitButton } from "~/components/ui/field";
import { invalidSubmission, tooManyRequests, readForm } from "~/lib/forms.server";
import { retryAfterHeaders } from "~/lib/retry-after";
import { isBot } from "~/lib/honeypot";
import { consumeRateLimit, retryAfterText } from "~/lib/rate-limit.server";
import { pageMeta, pageTitle } from "~/lib/seo";
import { SITE_NAME } from "~/lib/site";
import { signUp } from "~/modules/accounts/accounts.server";
import { findOpenInvitation } from "~/modules/accounts/organisations.server";
import {
  emailField,
  nameField,
  newPasswordField,
  organisationNameField,
  signupSchema,
} from "~/modules/accounts/schemas";
import { createSession, getSessionUser } from "~/modules/accounts/sessions.server";
import { ATTRIBUTION_COOKIE, decodeAttribution } from "~/modules/qualification/attribution.server";
import { LEAD_COOKIE } from "~/modules/qualification/lead-cookie";
import { readSignupIntent } from "~/modules/onboarding/signup-intent.server";

// ?plan= and ?invitation= variants are the same form: one canonical /signup.
export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Sign up"),
    description: `Create your ${SITE_NAME} account with your work email and start a free trial of any self-serve plan. No card needed.`,
    path: "/signup",
  });

const invitedSignupSchema = z.object({
  name: nameField,
  email: emailField,
  password: newPasswordField,
  company: organisationNameField.optional(),
});

/**
 * The sign-up form. `?plan=` (with `&intent=buy` to order) and `?lead=` say what the person came to
 * do (`readSignupIntent`): the page says it, and the confirmation link carries it. Someone already
 * signed in goes to the plan's page (or their account) instead.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const cookies = parseCookies(request.headers.get("cookie") ?? "");
  const { intent, goal, notice } = await readSignupIntent(context.db, url.searchParams, cookies[LEAD_COOKIE]);
  if (await getSessionUser(request, context)) throw redirect(intent.plan ? `/plans/${intent.plan.slug}` : "/account");
  const token = url.searchParams.get("invitation");
  const invitation = token ? await findOpenInvitation(context.db, token) : null;
  return {
    invitation: invitation ? { email: invitation.email, organisationName: invitation.organisationName } : null,
    goal: invitation ? null : goal,
    notice: invitation ? null : notice,
  };
}

export const headers = retryAfterHeaders;

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await readForm(request);
  const invitationToken = new URL(request.url).searchParams.get("invitation");
  const invitation = invitationToken ? await findOpenInvitation(context.db, invitationToken) : null;
  const submission = parseWithZod(formData, { schema: invitation ? invitedSignupSchema : signupSchema });
  if (isBot(formData)) throw redirect("/check-email?reason=signup");
  if (submission.status !== "success") return invalidSubmission(submission.reply({ hideFields: ["password"] }));

  const limit = await consumeRateLimit(context.db, "signup", context.clientIp);
  if (!limit.allowed) {
    return tooManyRequests(
      submission.reply({
        formErrors: [`Too many sign-ups from your network. Try again in ${retryAfterText(limit.retryAfterSeconds)}.`],
        hideFields: ["password"],
      }),
      limit.retryAfterSeconds,
    );
  }

  const cookies = parseCookies(request.headers.get("cookie") ?? "");
  const { intent } = await readSignupIntent(context.db, new URL(request.url).searchParams, cookies[LEAD_COOKIE]);
  const outcome = await signUp(context, submission.value, {
    attribution: decodeAttribution(cookies[ATTRIBUTION_COOKIE]),
    invitation,
    intent,
  });
  if (outcome.kind === "joined") {
    const cookie = await createSession(context.db, context, request, outcome.userId, outcome.organisationId);
    throw redirect("/account?notice=joined", { headers: { "Set-Cookie": cookie } });
  }
  throw redirect("/check-email?reason=signup");
}

export default function SignupPage() {
  const { invitation, goal, notice } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    lastResult,
    defaultValue: { email: invitation?.email },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: invitation ? invitedSignupSchema : signupSchema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  return (
    <AuthCard
      title={invitation ? `Join ${invitation.organisationName}` : "Create your account"}
      intro={
        invitation ? (
          "Create your account to accept the invitation."
        ) : (
          <>
            {goal ? `Create your account to ${goal}. ` : null}
            Free trials need no card. Already have an account?{" "}
            <Link to="/login" className="font-medium text-brand-700 underline">
              Log in
            </Link>
          </>
        )
      }
    >
      <Form method="post" {...getFormProps(form)} className="relative space-y-5">
        {notice ? (
          <p
            className="rounded-md bg-slate-50 p-3 text-sm text-slate-800 ring-1 ring-slate-200"
            data-testid="plan-notice"
          >
            {notice}
          </p>
        ) : null}
        <FormErrors id={form.errorId} errors={form.errors} />
        <Field meta={fields.name} label="Your name" autoComplete="name" />
        <Field meta={fields.email} label="Work email" type="email" autoComplete="email" />
        <Field
          meta={fields.password}
          label="Password"
          type="password"
          autoComplete="new-password"
          hint="At least 10 characters."
        />
        {invitation ? null : <Field meta={fields.company} label="Company name" autoComplete="organization" />}
        <Honeypot />
        <SubmitButton>{invitation ? "Create account and join" : "Create account"}</SubmitButton>
      </Form>
    </AuthCard>
  );
}
