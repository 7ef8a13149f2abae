import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { AuthCard } from "~/components/auth-card";
import { Field, FormErrors, SubmitButton } from "~/components/ui/field";
import { invalidSubmission, readForm } from "~/lib/forms.server";
import { pageMeta, pageTitle } from "~/lib/seo";
import { SITE_NAME } from "~/lib/site";
import { resetPassword, resetTokenUser } from "~/modules/accounts/accounts.server";
import { resetPasswordSchema } from "~/modules/accounts/schemas";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Choose a new password"),
    description: `Choose a new password for your ${SITE_NAME} account with the link we emailed you. The link works for one hour.`,
    path: "/reset-password",
    noindex: true,
  });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const token = new URL(request.url).searchParams.get("token") ?? "";
  const user = await resetTokenUser(context, token);
  return data({ token: user ? token : null }, { status: user ? 200 : 400 });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const submission = parseWithZod(await readForm(request), { schema: resetPasswordSchema });
  if (submission.status !== "success") return invalidSubmission(submission.reply({ hideFields: ["password"] }));
  if (!(await resetPassword(context, submission.value.token, submission.value.password))) {
    return invalidSubmission(
      submission.reply({
        formErrors: ["This link has expired or was already used. Ask for a new one."],
        hideFields: ["password"],
      }),
    );
  }
  throw redirect("/login?notice=password-reset");
}

export default function ResetPasswordPage() {
  const { token } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    lastResult,
    defaultValue: { token },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: resetPasswordSchema }),
    shouldValidate: "onBlur",
  });
  if (!token) {
    return (
      <AuthCard title="This link does not work">
        <p className="text-slate-700">The reset link has expired, was already used, or is incomplete.</p>
        <p className="mt-6">
          <Link to="/forgot-password" className="font-medium text-brand-700 underline">
            Ask for a new link
          </Link>
        </p>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Choose a new password" intro="You will be signed out everywhere else.">
      <Form method="post" {...getFormProps(form)} className="space-y-5">
        <FormErrors id={form.errorId} errors={form.errors} />
        <input {...getInputProps(fields.token, { type: "hidden" })} key={fields.token.key} />
        <Field
          meta={fields.password}
          label="New password"
          type="password"
          autoComplete="new-password"
          hint="At least 10 characters."
        />
        <SubmitButton>Save the new password</SubmitButton>
      </Form>
    </AuthCard>
  );
}
