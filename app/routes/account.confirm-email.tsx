import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { FormErrors, Notice, SubmitButton } from "~/components/ui/field";
import { tooManyRequests, tryAgainIn } from "~/lib/forms.server";
import { consumeRateLimit } from "~/lib/rate-limit.server";
import { retryAfterHeaders } from "~/lib/retry-after";
import { pageMeta, pageTitle } from "~/lib/seo";
import { resendVerification } from "~/modules/accounts/accounts.server";
import { requireUser } from "~/modules/accounts/sessions.server";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Confirm your email"),
    description: "Confirm your email address to start trials, order, invite your team and create organisations.",
    path: "/account/confirm-email",
    noindex: true,
  });

/**
 * Where `requireVerifiedUser` sends an account whose address is not confirmed (issue 13, case 5):
 * it says what waits for the confirmation and sends the link again. A confirmed account has
 * nothing to do here and goes to its overview.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  if (user.emailVerified) throw redirect("/account");
  return { email: user.email };
}

export const headers = retryAfterHeaders;

/** Sends the link again, at most 5 times an hour per account: each one is an email to the typed address. */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  if (user.emailVerified) throw redirect("/account");
  const limit = await consumeRateLimit(context.db, "confirmationEmail", user.userId);
  if (!limit.allowed) {
    return tooManyRequests(
      { sent: false, error: `We sent several links already. ${tryAgainIn(limit.retryAfterSeconds)}` },
      limit.retryAfterSeconds,
    );
  }
  await resendVerification(context, user.userId);
  return { sent: true, error: null };
}

export default function ConfirmEmailPage() {
  const { email } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  return (
    <div className="max-w-xl space-y-6">
      <h1 className="text-2xl font-bold tracking-tight">Confirm your email address first</h1>
      <p className="text-slate-700">
        We sent a link to <span className="break-all font-medium">{email}</span>. Follow it to confirm the address is
        yours; then you can start a trial, order, invite your team and create organisations.
      </p>
      {answer?.sent ? <Notice>We sent a new link to {email}. It works for one day.</Notice> : null}
      <Form method="post" className="space-y-4">
        <FormErrors id="resend-errors" errors={answer?.error ? [answer.error] : undefined} />
        <p className="text-sm text-slate-700">Nothing arrived after a few minutes? Look in your spam folder, or:</p>
        <SubmitButton>Send the link again</SubmitButton>
      </Form>
      <p className="text-sm text-slate-700">
        Typed the wrong address?{" "}
        <Link to="/account/settings" className="font-medium text-brand-700 underline">
          Change it in your settings
        </Link>
        .
      </p>
    </div>
  );
}
