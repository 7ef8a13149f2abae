import { data, redirect, type ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { listMemberships, requireMembership } from "~/modules/accounts/organisations.server";
import { requireUser } from "~/modules/accounts/sessions.server";
import { startTrial } from "~/modules/trials/trials.server";

const schema = z.object({ plan: z.string().regex(/^[a-z0-9-]{1,50}$/) });

/** "Start free trial": owners and admins of the current organisation start one, no card needed. */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const parsed = schema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return data({ error: "Choose a plan to try." }, { status: 400 });
  const organisationId = user.organisationId ?? (await listMemberships(context.db, user.userId))[0]?.organisationId;
  if (!organisationId) throw redirect("/account");
  await requireMembership(context.db, user.userId, organisationId, ["owner", "admin"]);
  const result = await startTrial(context.db, organisationId, parsed.data.plan, user.userId);
  if (!result.ok) throw redirect("/account?notice=trial-refused");
  throw redirect("/account?notice=trial-started");
}

export function loader() {
  throw redirect("/pricing");
}
