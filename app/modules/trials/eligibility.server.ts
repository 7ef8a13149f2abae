import { and, asc, desc, eq, inArray, isNotNull, notExists, sql } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import { subscriptions, trialGrants, trials, users } from "#db/schema";
import { longDate } from "~/lib/dates";
import { listMemberships } from "~/modules/accounts/organisations.server";
import type { Catalog } from "~/modules/catalog/catalog.server";

/** Stripe statuses of a subscription the organisation pays for (or is in Stripe's own trial of). */
const PAYING_STATUSES = ["active", "past_due", "trialing"];

export type TrialEligibility = { ok: true; grantId: string | null } | { ok: false; message: string };

/**
 * Whether `userId` may start a trial of the catalog's product for `accountId` now (issue 11, case 6),
 * and with which staff grant. The rules, in the order they are told:
 * 1. the person's email address is confirmed;
 * 2. the organisation pays for no plan of the product (a mirrored subscription that is active,
 *    past_due or trialing);
 * 3. no trial of the product is running;
 * 4. one trial per organisation and product, ever, unless staff granted another that is still unused.
 * Returns the sentence to show when refused. Call it again inside the transaction that starts the
 * trial, with the organisation locked, so two tabs cannot both pass it.
 */
export async function trialEligibility(
  db: DbOrTx,
  catalog: Catalog,
  input: { accountId: string; userId: string },
): Promise<TrialEligibility> {
  const productSlug = catalog.product.slug;
  const planName = (slug: string | null) => catalog.plans.find((p) => p.slug === slug)?.name ?? catalog.product.name;

  const [person] = await db
    .select({ verified: isNotNull(users.emailVerifiedAt) })
    .from(users)
    .where(eq(users.id, input.userId));
  if (!person?.verified)
    return refuse("Confirm your email address first: use the link we sent you, then start your trial.");

  const [paying] = await db
    .select({ planSlug: subscriptions.planSlug })
    .from(subscriptions)
    .where(and(eq(subscriptions.accountId, input.accountId), inArray(subscriptions.status, PAYING_STATUSES)))
    .limit(1);
  if (paying)
    return refuse(
      `Your organisation already pays for ${planName(paying.planSlug)}, so there is no trial to start: to try another plan, change your plan on the billing page.`,
    );

  const [latest] = await db
    .select({
      planSlug: trials.planSlug,
      status: trials.status,
      startedAt: trials.startedAt,
      endsAt: trials.endsAt,
      expiredAt: trials.expiredAt,
    })
    .from(trials)
    .where(and(eq(trials.accountId, input.accountId), eq(trials.productSlug, productSlug)))
    .orderBy(desc(trials.startedAt))
    .limit(1);
  if (latest?.status === "active")
    return refuse(
      latest.endsAt
        ? `Your organisation's ${planName(latest.planSlug)} trial is running until ${longDate(latest.endsAt)}; there can be one trial at a time.`
        : `Your organisation's ${planName(latest.planSlug)} trial is being set up; there can be one trial at a time.`,
    );

  const grantId = await unusedTrialGrant(db, input.accountId, productSlug);
  if (grantId) return { ok: true, grantId };
  if (latest)
    return refuse(
      latest.status === "converted"
        ? `Your organisation has had its free trial of ${catalog.product.name} and bought a plan since; each organisation gets one trial.`
        : `Your organisation has had its free trial of ${catalog.product.name} (${planName(latest.planSlug)}, ended ${longDate(latest.expiredAt ?? latest.endsAt ?? latest.startedAt)}); each organisation gets one. Buy a plan to continue, or contact us if you need more time.`,
    );
  return { ok: true, grantId: null };
}

/** The oldest staff grant of another trial of the product that no trial has used yet, if any. */
export async function unusedTrialGrant(db: DbOrTx, accountId: string, productSlug: string): Promise<string | null> {
  const [grant] = await db
    .select({ id: trialGrants.id })
    .from(trialGrants)
    .where(
      and(
        eq(trialGrants.accountId, accountId),
        eq(trialGrants.productSlug, productSlug),
        notExists(
          db
            .select({ one: sql`1` })
            .from(trials)
            .where(eq(trials.grantId, trialGrants.id)),
        ),
      ),
    )
    .orderBy(asc(trialGrants.grantedAt))
    .limit(1);
  return grant?.id ?? null;
}

function refuse(message: string): TrialEligibility {
  return { ok: false, message };
}

/**
 * Why the signed-in person cannot start a trial of the catalog's product from a plan page, or null
 * when they can: the organisation they work in (their session's, else their first) must exist and
 * they must be its owner or admin, then `trialEligibility` decides. The trial-start action re-checks
 * everything on submit.
 */
export async function trialUnavailableReason(
  db: DbOrTx,
  catalog: Catalog,
  user: { userId: string; organisationId: string | null },
): Promise<string | null> {
  const memberships = await listMemberships(db, user.userId);
  const membership = memberships.find((m) => m.organisationId === user.organisationId) ?? memberships[0];
  if (!membership) return "Create an organisation on your account page first; trials belong to an organisation.";
  if (membership.role === "member")
    return `Ask an owner or admin of ${membership.name} to start the trial; members cannot start one.`;
  const eligibility = await trialEligibility(db, catalog, {
    accountId: membership.organisationId,
    userId: user.userId,
  });
  return eligibility.ok ? null : eligibility.message;
}
