import { desc, eq, gte, isNotNull, sql } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import { leads, memberships, orders, organisations, stripeEvents } from "#db/schema";
import { undeliveredEmails } from "~/modules/email/undelivered.server";

const ATTENTION_LIMIT = 50;

/**
 * The console-wide part of the staff home: orders waiting for approval (oldest paid first), Stripe
 * events the portal could not apply, emails the mail server has not taken, this week's leads by
 * verdict and the newest accounts to look after. The staff member's day (tasks, health drops,
 * setups, payments, contact requests) is `myDay` in app/modules/success/my-day.server.ts.
 */
export async function staffOverview(db: DbOrTx, since: Date) {
  const [awaitingApproval, unprocessableEvents, leadCounts, newOrganisations] = await Promise.all([
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
    unprocessableEvents,
    undeliveredEmails: await undeliveredEmails(db, ATTENTION_LIMIT),
    leadCounts,
    newOrganisations,
  };
}
