import { data, redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link } from "@remix-run/react";
import { AuthCard } from "~/components/auth-card";
import { pageMeta, pageTitle } from "~/lib/seo";
import { SITE_NAME } from "~/lib/site";
import { verifyEmail } from "~/modules/accounts/accounts.server";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Confirm your email"),
    description: `Confirm the email address of your new ${SITE_NAME} account with the link we sent you when you signed up.`,
    path: "/verify-email",
    noindex: true,
  });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const token = new URL(request.url).searchParams.get("token") ?? "";
  if (await verifyEmail(context, token)) throw redirect("/login?notice=verified");
  return data(null, { status: 400 });
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
