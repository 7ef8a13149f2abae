import { desc, eq, gte, inArray, isNotNull, or, sql } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import { leads, memberships, orders, organisations, stripeEvents, subscriptions } from "#db/schema";
import { undeliveredEmails } from "~/modules/email/undelivered.server";

const ATTENTION_LIMIT = 50;

/**
 * What staff look at first: accounts that need someone (orders waiting for approval, payments
 * failing), Stripe events the portal could not apply, emails the mail server has not taken, this
 * week's leads by verdict and the newest accounts to look after.
 */
export async function staffOverview(db: DbOrTx, since: Date) {
  const [awaitingApproval, failingPayments, unprocessableEvents, leadCounts, newOrganisations] = await Promise.all([
    db
      .select({
        accountId: orders.accountId,
        name: organisations.name,
        planSlug: orders.planSlug,
        since: orders.paidAt,
      })
      .from(orders)
      .innerJoin(organisations, eq(organisations.id, orders.accountId))
      .where(eq(orders.status, "pending_approval"))
      .orderBy(orders.paidAt)
      .limit(ATTENTION_LIMIT),
    db
      .select({
        accountId: subscriptions.accountId,
        name: organisations.name,
        status: subscriptions.status,
        since: subscriptions.paymentFailedAt,
      })
      .from(subscriptions)
      .innerJoin(organisations, eq(organisations.id, subscriptions.accountId))
      .where(or(isNotNull(subscriptions.paymentFailedAt), inArray(subscriptions.status, ["past_due", "unpaid"])))
      .orderBy(subscriptions.paymentFailedAt)
      .limit(ATTENTION_LIMIT),
    db
      .select({
        id: stripeEvents.id,
        type: stripeEvents.type,
        reason: stripeEvents.unprocessableReason,
        receivedAt: stripeEvents.receivedAt,
      })
      .from(stripeEvents)
      .where(isNotNull(stripeEvents.unprocessableReason))
      .orderBy(desc(stripeEvents.receivedAt))
      .limit(ATTENTION_LIMIT),
    db
      .select({ verdict: leads.verdict, count: sql<number>`count(*)::int` })
      .from(leads)
      .where(gte(leads.createdAt, since))
      .groupBy(leads.verdict),
    db
      .select({
        id: organisations.id,
        name: organisations.name,
        createdAt: organisations.createdAt,
        members: sql<number>`(select count(*)::int from ${memberships} where ${memberships.organisationId} = ${organisations.id})`,
      })
      .from(organisations)
      .where(gte(organisations.createdAt, since))
      .orderBy(desc(organisations.createdAt))
      .limit(20),
  ]);
  return {
    awaitingApproval,
    failingPayments,
    unprocessableEvents,
    undeliveredEmails: await undeliveredEmails(db, ATTENTION_LIMIT),
    leadCounts,
    newOrganisations,
  };
}
