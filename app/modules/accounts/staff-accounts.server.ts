import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "#db/client";
import { memberships, orders, organisations, subscriptions, trials, users } from "#db/schema";
import { decodeCursor, encodeCursor } from "#db/keyset-cursor";

const PAGE_SIZE = 25;

/** Organisations newest first with their billing state, a page at a time by (created_at, id). */
export async function listAccountsForStaff(db: DbOrTx, cursor: string | undefined) {
  const after = decodeCursor(cursor, ["time", "uuid"] as const);
  const rows = await db
    .select({
      id: organisations.id,
      name: organisations.name,
      createdAt: organisations.createdAt,
      subscriptionStatus: subscriptions.status,
      planSlug: subscriptions.planSlug,
      seats: subscriptions.quantity,
      trialStatus: sql<
        string | null
      >`(select status from ${trials} where ${trials.accountId} = ${organisations.id} order by ${trials.startedAt} desc limit 1)`,
    })
    .from(organisations)
    .leftJoin(subscriptions, eq(subscriptions.accountId, organisations.id))
    .where(
      after
        ? or(
            lt(organisations.createdAt, after[0]),
            and(eq(organisations.createdAt, after[0]), lt(organisations.id, after[1])),
          )
        : undefined,
    )
    .orderBy(desc(organisations.createdAt), desc(organisations.id))
    .limit(PAGE_SIZE + 1);
  const page = rows.slice(0, PAGE_SIZE);
  const last = page.at(-1);
  return {
    accounts: page,
    nextCursor: rows.length > PAGE_SIZE && last ? encodeCursor([last.createdAt, last.id]) : null,
  };
}

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
