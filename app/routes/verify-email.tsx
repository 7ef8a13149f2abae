import { data, redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link } from "@remix-run/react";
import { AuthCard } from "~/components/auth-card";
import { pageMeta, pageTitle } from "~/lib/seo";
import { SITE_NAME } from "~/lib/site";
import { verifyEmail } from "~/modules/accounts/accounts.server";
import { planSlug } from "~/modules/accounts/schemas";
import { getSessionUser } from "~/modules/accounts/sessions.server";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Confirm your email"),
    description: `Confirm the email address of your new ${SITE_NAME} account with the link we sent you when you signed up.`,
    path: "/verify-email",
    noindex: true,
  });

/**
 * Follows the emailed confirmation link. A browser signed in to that account goes on at once (to
 * the plan page the person signed up from, or the account); any other is asked to log in first and
 * then goes there. A bad or expired link gets a 400 page saying how to get a new one.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const signedIn = await getSessionUser(request, context);
  const confirmed = await verifyEmail(context, url.searchParams.get("token") ?? "", signedIn?.sessionId ?? null);
  if (!confirmed) return data(null, { status: 400 });
  const plan = planSlug.safeParse(url.searchParams.get("plan"));
  const next = plan.success ? `/plans/${plan.data}` : "/account";
  if (signedIn?.userId === confirmed) throw redirect(next);
  throw redirect(`/login?notice=verified${plan.success ? `&redirectTo=${encodeURIComponent(next)}` : ""}`);
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
