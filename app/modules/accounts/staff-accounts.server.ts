import { desc, eq } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "#db/client";
import { memberships, orders, organisations, subscriptions, trials, users } from "#db/schema";

async function findOrganisation(db: DbOrTx, accountId: string) {
  if (!z.uuid().safeParse(accountId).success) return null;
  const [organisation] = await db.select().from(organisations).where(eq(organisations.id, accountId));
  return organisation ?? null;
}

export async function accountExists(db: DbOrTx, accountId: string): Promise<boolean> {
  return Boolean(await findOrganisation(db, accountId));
}

/** One organisation as staff see it: people, subscription, orders and trials. */
export async function accountForStaff(db: DbOrTx, accountId: string) {
  const organisation = await findOrganisation(db, accountId);
  if (!organisation) return null;
  const [people, subscription, orderRows, trialRows] = await Promise.all([
    db
      .select({ name: users.name, email: users.email, role: memberships.role })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.organisationId, accountId)),
    db.select().from(subscriptions).where(eq(subscriptions.accountId, accountId)),
    db.select().from(orders).where(eq(orders.accountId, accountId)).orderBy(desc(orders.createdAt)).limit(20),
    db.select().from(trials).where(eq(trials.accountId, accountId)).orderBy(desc(trials.startedAt)),
  ]);
  return { organisation, people, subscriptions: subscription, orders: orderRows, trials: trialRows };
}
