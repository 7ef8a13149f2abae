import { desc, gte, sql } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import { leads, memberships, organisations } from "#db/schema";

/** What staff look at first: this week's leads by verdict and the newest accounts to look after. */
export async function staffOverview(db: DbOrTx, since: Date) {
  const [leadCounts, newOrganisations] = await Promise.all([
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
  return { leadCounts, newOrganisations };
}
