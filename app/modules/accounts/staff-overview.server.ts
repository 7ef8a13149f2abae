import { and, desc, eq, gt, gte, inArray, isNotNull, isNull, or, sql } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import { leads, memberships, orders, organisations, outgoingEmails, stripeEvents, subscriptions } from "#db/schema";

const ATTENTION_LIMIT = 50;

/**
 * What staff look at first: accounts that need someone (orders waiting for approval, payments
 * failing), Stripe events the portal could not apply, emails the mail server has not taken yet
 * (oldest first; each is retried at least hourly), this week's leads by verdict and the newest
 * accounts to look after.
 */
export async function staffOverview(db: DbOrTx, since: Date) {
  const [awaitingApproval, failingPayments, unprocessableEvents, undeliveredEmails, leadCounts, newOrganisations] =
    await Promise.all([
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
        .select({
          id: outgoingEmails.id,
          to: outgoingEmails.to,
          subject: outgoingEmails.subject,
          queuedAt: outgoingEmails.queuedAt,
          attempts: outgoingEmails.attempts,
          lastError: outgoingEmails.lastError,
          nextAttemptAt: outgoingEmails.nextAttemptAt,
        })
        .from(outgoingEmails)
        .where(and(isNull(outgoingEmails.sentAt), gt(outgoingEmails.attempts, 0)))
        .orderBy(outgoingEmails.queuedAt)
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
  return { awaitingApproval, failingPayments, unprocessableEvents, undeliveredEmails, leadCounts, newOrganisations };
}
