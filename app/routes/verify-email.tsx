import { data, redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link } from "@remix-run/react";
import { AuthCard } from "~/components/auth-card";
import { pageMeta, pageTitle } from "~/lib/seo";
import { SITE_NAME } from "~/lib/site";
import { verifyEmail } from "~/modules/accounts/accounts.server";
import { getSessionUser } from "~/modules/accounts/sessions.server";
import { fulfilSignupIntent } from "~/modules/onboarding/signup-intent.server";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Confirm your email"),
    description: `Confirm the email address of your new ${SITE_NAME} account with the link we sent you when you signed up.`,
    path: "/verify-email",
    noindex: true,
  });

/**
 * Follows the emailed confirmation link. The first confirmation carries out what the person signed
 * up to do, from the link's signed intent (`fulfilSignupIntent`: the lead linked, the trial started
 * or the order form next). A browser signed in to that account goes on at once; any other is asked to
 * log in first and then goes there. A later click goes to the account. A bad, altered or expired link
 * gets a 400 page saying how to get a new one.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const signedIn = await getSessionUser(request, context);
  const confirmed = await verifyEmail(context, url.searchParams.get("token") ?? "", signedIn?.sessionId ?? null);
  if (!confirmed) return data(null, { status: 400 });
  const next = confirmed.confirmedNow
    ? await fulfilSignupIntent(context.db, confirmed.userId, confirmed.intent)
    : "/account";
  if (signedIn?.userId === confirmed.userId) throw redirect(next);
  throw redirect(`/login?notice=verified${next === "/account" ? "" : `&redirectTo=${encodeURIComponent(next)}`}`);
}

export default function VerifyEmailFailed() {
  return (
    <AuthCard title="This link does not work">
      <p className="text-slate-700">
        The confirmation link has expired or is incomplete. Log in and ask for a new one from your account page.
      </p>
      <p className="mt-6">
        <Link to="/login" className="font-medium text-brand-700 underline">
          Log in
        </Link>
      </p>
    </AuthCard>
  );
}
