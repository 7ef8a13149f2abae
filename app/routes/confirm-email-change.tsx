import { data, redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { AuthCard } from "~/components/auth-card";
import { pageMeta, pageTitle } from "~/lib/seo";
import { SITE_NAME } from "~/lib/site";
import { confirmEmailChange } from "~/modules/accounts/accounts.server";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Confirm your new email"),
    description: `Confirm the new email address of your ${SITE_NAME} account with the link we sent to that address.`,
    path: "/confirm-email-change",
    noindex: true,
  });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const outcome = await confirmEmailChange(context, new URL(request.url).searchParams.get("token") ?? "");
  if (outcome === "changed") throw redirect("/account/settings?notice=email-changed");
  return data({ outcome }, { status: 400 });
}

export default function ConfirmEmailChangeFailed() {
  const { outcome } = useLoaderData<typeof loader>();
  return (
    <AuthCard title="Your email was not changed">
      <p className="text-slate-700">
        {outcome === "taken"
          ? "Another account already uses that address."
          : "The confirmation link has expired, was already used, or is incomplete."}
      </p>
      <p className="mt-6">
        <Link to="/account/settings" className="font-medium text-brand-700 underline">
          Back to your settings
        </Link>
      </p>
    </AuthCard>
  );
}
