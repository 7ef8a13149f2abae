import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { redirect, type ActionFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { AuthCard } from "~/components/auth-card";
import { Honeypot } from "~/components/honeypot";
import { Field, FormErrors, SubmitButton } from "~/components/ui/field";
import { invalidSubmission, tooManyRequests, readForm } from "~/lib/forms.server";
import { retryAfterHeaders } from "~/lib/retry-after";
import { isBot } from "~/lib/honeypot";
import { consumeRateLimit, retryAfterText } from "~/lib/rate-limit.server";
import { pageMeta, pageTitle } from "~/lib/seo";
import { requestPasswordReset } from "~/modules/accounts/accounts.server";
import { forgotPasswordSchema } from "~/modules/accounts/schemas";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Reset your password"),
    description:
      "Forgotten your password? Enter the email address of your account and we will send you a link to choose a new one.",
    path: "/forgot-password",
    noindex: true,
  });

export const headers = retryAfterHeaders;

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await readForm(request);
  if (isBot(formData)) throw redirect("/check-email?reason=reset");
  const submission = parseWithZod(formData, { schema: forgotPasswordSchema });
  if (submission.status !== "success") return invalidSubmission(submission.reply());
  for (const key of [submission.value.email, context.clientIp]) {
    const limit = await consumeRateLimit(context.db, "passwordReset", key);
    if (!limit.allowed) {
      return tooManyRequests(
        submission.reply({
          formErrors: [`Too many reset requests. Try again in ${retryAfterText(limit.retryAfterSeconds)}.`],
        }),
        limit.retryAfterSeconds,
      );
    }
  }
  await requestPasswordReset(context, submission.value.email);
  // The same answer whether or not the address has an account.
  throw redirect("/check-email?reason=reset");
}

export default function ForgotPasswordPage() {
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: forgotPasswordSchema }),
    shouldValidate: "onBlur",
  });
  return (
    <AuthCard
      title="Reset your password"
      intro="Enter the email address of your account and we will send you a link to choose a new password."
    >
      <Form method="post" {...getFormProps(form)} className="relative space-y-5">
        <FormErrors id={form.errorId} errors={form.errors} />
        <Field meta={fields.email} label="Email" type="email" autoComplete="email" />
        <Honeypot />
        <SubmitButton>Send the link</SubmitButton>
      </Form>
    </AuthCard>
  );
}
