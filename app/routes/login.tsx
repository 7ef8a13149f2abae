import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { AuthCard } from "~/components/auth-card";
import { Field, FormErrors, Notice, SubmitButton } from "~/components/ui/field";
import { invalidSubmission, tooManyRequests, readForm } from "~/lib/forms.server";
import { retryAfterHeaders } from "~/lib/retry-after";
import { noticeText, safeRedirectPath } from "~/lib/notices";
import { retryAfterText } from "~/lib/rate-limit.server";
import { pageMeta, pageTitle } from "~/lib/seo";
import { SITE_NAME } from "~/lib/site";
import { authenticate } from "~/modules/accounts/accounts.server";
import { listMemberships } from "~/modules/accounts/organisations.server";
import { admitPasswordCheck, refundOnSuccess } from "~/modules/accounts/password-attempts.server";
import { loginSchema } from "~/modules/accounts/schemas";
import { createSession, getSessionUser } from "~/modules/accounts/sessions.server";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Log in"),
    description: `Log in to your ${SITE_NAME} account to manage your workspace, your team, your trial and your billing.`,
    path: "/login",
    noindex: true,
  });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  if (await getSessionUser(request, context)) throw redirect(safeRedirectPath(url.searchParams.get("redirectTo")));
  return { notice: noticeText(url.searchParams.get("notice")) };
}

export const headers = retryAfterHeaders;

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await readForm(request);
  const submission = parseWithZod(formData, { schema: loginSchema });
  if (submission.status !== "success") return invalidSubmission(submission.reply({ hideFields: ["password"] }));
  const { email, password } = submission.value;

  // Paid for before the hash check, per address (against guessing one password) and per network.
  const admission = await admitPasswordCheck(context.db, [
    ["loginIp", context.clientIp],
    ["loginEmail", email],
  ]);
  if (!admission.allowed) {
    return tooManyRequests(
      submission.reply({
        formErrors: [
          `Too many failed attempts. Try again in ${retryAfterText(admission.retryAfterSeconds)}, or reset your password.`,
        ],
        hideFields: ["password"],
      }),
      admission.retryAfterSeconds,
    );
  }

  const user = await authenticate(context.db, email, password);
  if (!user) {
    return invalidSubmission(
      submission.reply({ formErrors: ["That email and password do not match an account."], hideFields: ["password"] }),
    );
  }
  await refundOnSuccess(context.db, admission);
  const [firstOrganisation] = await listMemberships(context.db, user.id);
  const cookie = await createSession(context.db, context, request, user.id, firstOrganisation?.organisationId ?? null);
  const redirectTo = safeRedirectPath(
    new URL(request.url).searchParams.get("redirectTo"),
    user.staffRole ? "/staff" : "/account",
  );
  throw redirect(redirectTo, { headers: { "Set-Cookie": cookie } });
}

export default function LoginPage() {
  const { notice } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const [form, fields] = useForm({
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: loginSchema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  const redirectTo = searchParams.get("redirectTo");
  return (
    <AuthCard
      title="Log in"
      intro={
        <>
          New here?{" "}
          <Link
            to={redirectTo ? `/signup?redirectTo=${encodeURIComponent(redirectTo)}` : "/signup"}
            className="font-medium text-brand-700 underline"
          >
            Create an account
          </Link>
        </>
      }
    >
      <div className="space-y-5">
        {notice ? <Notice>{notice}</Notice> : null}
        <Form method="post" {...getFormProps(form)} className="space-y-5">
          <FormErrors id={form.errorId} errors={form.errors} />
          <Field meta={fields.email} label="Email" type="email" autoComplete="email" />
          <Field meta={fields.password} label="Password" type="password" autoComplete="current-password" />
          <div className="flex items-center justify-between gap-4">
            <SubmitButton>Log in</SubmitButton>
            <Link to="/forgot-password" className="text-sm font-medium text-brand-700 underline">
              Forgot your password?
            </Link>
          </div>
        </Form>
      </div>
    </AuthCard>
  );
}
