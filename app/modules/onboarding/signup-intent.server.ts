import { and, asc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Database, DbOrTx } from "#db/client";
import { leads, memberships, organisations } from "#db/schema";
import { recordAudit } from "~/lib/audit.server";
import { planSlug } from "~/modules/accounts/schemas";
import type { SignupIntent } from "~/modules/accounts/signup-intent";
import { loadCatalog } from "~/modules/catalog/catalog.server";
import { startTrial } from "~/modules/trials/trials.server";

export type SignupIntentRead = {
  intent: SignupIntent;
  /** What the sign-up page tells the person about the plan they came for: "start a free Team trial". */
  goal: string | null;
  /** Why a `?plan=` was left out, as a sentence to show; null when it was kept or absent. */
  notice: string | null;
};

const uuid = z.uuid();

/**
 * The intent a sign-up page was opened with (issue 14, item 1): `?plan=<slug>` with `&intent=buy` to
 * order it (to try it otherwise), and `?lead=<id>`, the qualification result the person acted on;
 * without one, the lead cookie (the last questionnaire they answered). A plan the catalog does not
 * offer, or one only our team sets up, is left out with a sentence: never an error. A trial asked
 * of a self-serve plan that has none becomes an order.
 */
export async function readSignupIntent(
  db: DbOrTx,
  params: URLSearchParams,
  leadCookie: string | undefined,
): Promise<SignupIntentRead> {
  const leadId = uuid.safeParse(params.get("lead")).data ?? uuid.safeParse(leadCookie).data;
  const intent: SignupIntent = leadId ? { leadId } : {};
  const asked = params.get("plan");
  if (asked === null) return { intent, goal: null, notice: null };
  const slug = planSlug.safeParse(asked).data;
  const plan = slug ? (await loadCatalog(db))?.plans.find((p) => p.slug === slug) : undefined;
  if (!plan)
    return {
      intent,
      goal: null,
      notice:
        "We do not offer the plan that link names, so your account starts without one: choose a plan once you are in.",
    };
  if (plan.salesMode !== "self_serve")
    return {
      intent,
      goal: null,
      notice: `Our team sets up the ${plan.name} plan with you: once you are in, ask for it from its page.`,
    };
  const action = params.get("intent") === "buy" || plan.trialDays === 0 ? "buy" : "trial";
  return {
    intent: { ...intent, plan: { slug: plan.slug, action } },
    goal: action === "trial" ? `start your free ${plan.name} trial` : `order the ${plan.name} plan`,
    notice: null,
  };
}

/**
 * Carries out a sign-up intent once the person's address is confirmed, and says where they go next:
 * links the lead they acted on to the organisation they founded (when no one has it yet; audited),
 * then starts the trial they asked for (`startTrial`, with its rules: its refusal is shown on the
 * plan's page) or sends them to the order form. Call it once, after the first confirmation.
 * Returns a path on the portal: `/account?notice=trial-started`, `/plans/<slug>`, `/orders/new?plan=<slug>`,
 * `/account?notice=plan-gone` (the plan left the catalog since) or `/account`.
 */
export async function fulfilSignupIntent(db: Database, userId: string, intent: SignupIntent): Promise<string> {
  const [founded] = await db
    .select({ id: organisations.id })
    .from(organisations)
    .innerJoin(memberships, eq(memberships.organisationId, organisations.id))
    .where(and(eq(organisations.createdBy, userId), eq(memberships.userId, userId), eq(memberships.role, "owner")))
    .orderBy(asc(organisations.createdAt), asc(organisations.id))
    .limit(1);
  if (!founded) return "/account";
  if (intent.leadId) await linkLead(db, intent.leadId, userId, founded.id);
  if (!intent.plan) return "/account";
  const plan = (await loadCatalog(db))?.plans.find((p) => p.slug === intent.plan!.slug);
  if (!plan || plan.salesMode !== "self_serve") return "/account?notice=plan-gone";
  if (intent.plan.action === "buy" || plan.trialDays === 0) return `/orders/new?plan=${plan.slug}`;
  const started = await startTrial(db, founded.id, plan.slug, userId);
  return started.ok ? "/account?notice=trial-started" : `/plans/${plan.slug}`;
}

/** Links a lead no organisation has yet to the person and the organisation they founded. */
async function linkLead(db: Database, leadId: string, userId: string, organisationId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [linked] = await tx
      .update(leads)
      .set({ organisationId, userId })
      .where(and(eq(leads.id, leadId), isNull(leads.organisationId)))
      .returning({ id: leads.id });
    if (linked)
      await recordAudit(
        tx,
        { type: "user", id: userId },
        "lead.linked",
        { type: "lead", id: leadId },
        {},
        organisationId,
      );
  });
}
