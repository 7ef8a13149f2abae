import { data, redirect, type ActionFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData } from "@remix-run/react";
import { z } from "zod";
import { ButtonLink } from "~/components/ui/button-link";
import { pageMeta, pageTitle } from "~/lib/seo";
import { listMemberships, requireMembership } from "~/modules/accounts/organisations.server";
import { requireVerifiedUser } from "~/modules/accounts/sessions.server";
import { startTrial } from "~/modules/trials/trials.server";
import { readForm } from "~/lib/forms.server";

const schema = z.object({ plan: z.string().regex(/^[a-z0-9-]{1,50}$/) });

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, {
    title: pageTitle("Start a free trial"),
    description: "Start a free trial of a plan: one per organisation, no card needed.",
    path: "/trials/start",
    noindex: true,
  });

/**
 * "Start free trial": owners and admins of the current organisation start one, no card needed. A
 * refusal (trial already had, a plan already paid for, email not confirmed, ...) answers 409 with the
 * sentence `startTrial` gives, shown on this page.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireVerifiedUser(request, context);
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return data({ message: "Choose a plan to try.", plan: null }, { status: 400 });
  const organisationId = user.organisationId ?? (await listMemberships(context.db, user.userId))[0]?.organisationId;
  if (!organisationId) throw redirect("/account");
  await requireMembership(context.db, user.userId, organisationId, ["owner", "admin"]);
  const result = await startTrial(context.db, organisationId, parsed.data.plan, user.userId);
  if (!result.ok) return data({ message: result.message, plan: parsed.data.plan }, { status: 409 });
  throw redirect("/account?notice=trial-started");
}

/** The page exists for the action's answer; a plain visit is pointed to the plans. */
export function loader() {
  return null;
}

export default function StartTrial() {
  const refused = useActionData<typeof action>();
  return (
    <div className="mx-auto max-w-xl px-4 py-12 sm:py-16">
      <h1 className="text-2xl font-bold tracking-tight">
        {refused ? "Your trial did not start" : "Start a free trial"}
      </h1>
      <p className="mt-4 text-slate-700" role={refused ? "alert" : undefined} data-testid="trial-refusal">
        {refused ? refused.message : "Choose a plan to try on its page."}
      </p>
      <div className="mt-6 flex flex-wrap gap-3">
        <ButtonLink to="/account">Go to your account</ButtonLink>
        <ButtonLink to={refused?.plan ? `/plans/${refused.plan}` : "/pricing"} variant="secondary">
          {refused?.plan ? "Back to the plan" : "See the plans"}
        </ButtonLink>
      </div>
    </div>
  );
}
