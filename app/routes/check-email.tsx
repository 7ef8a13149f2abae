import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { AuthCard } from "~/components/auth-card";
import { pageMeta, pageTitle } from "~/lib/seo";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Check your email"),
    description:
      "We sent you an email with a link. Follow it to confirm your address, choose a new password or change your email.",
    path: "/check-email",
    noindex: true,
  });

const messages = {
  signup: "We sent you an email. Follow its link to confirm your address and finish signing up.",
  reset: "If an account uses that address, we sent it a link to choose a new password. The link works for one hour.",
  "email-change": "We sent a link to your new address. Your email changes once you follow it.",
} as const;

export function loader({ request }: LoaderFunctionArgs) {
  const reason = new URL(request.url).searchParams.get("reason");
  // An own key only: `in` would find `__proto__` and `constructor` on the prototype.
  return {
    message: reason && Object.hasOwn(messages, reason) ? messages[reason as keyof typeof messages] : messages.signup,
  };
}

export default function CheckEmailPage() {
  const { message } = useLoaderData<typeof loader>();
  return (
    <AuthCard title="Check your email">
      <p className="text-slate-700">{message}</p>
      <p className="mt-6 text-sm text-slate-600">
        Nothing arrived after a few minutes? Look in your spam folder, or{" "}
        <Link to="/login" className="font-medium text-brand-700 underline">
          log in
        </Link>{" "}
        to have it sent again.
      </p>
    </AuthCard>
  );
}
