import { and, asc, eq } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database, DbOrTx } from "#db/client";
import { addJob } from "#db/jobs";
import { billingCustomers, memberships, organisations, users } from "#db/schema";
import { recordAudit, systemActor } from "~/lib/audit.server";

export const STRIPE_CUSTOMER_SYNC_TASK = "stripe_customer_sync";

/** What the organisation's Stripe customer carries: Stripe sends receipts to `email` and shows `name`. */
export type CustomerDetails = { email: string | null; name: string; metadata: { account_id: string } };

/**
 * The Stripe customer's details for an organisation, as the portal has them now: its name, and
 * its owner's email (the longest-standing owner when there are several; null with no owner).
 */
export async function customerDetails(db: DbOrTx, accountId: string): Promise<CustomerDetails> {
  const [organisation] = await db
    .select({ name: organisations.name })
    .from(organisations)
    .where(eq(organisations.id, accountId));
  const [owner] = await db
    .select({ email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.organisationId, accountId), eq(memberships.role, "owner")))
    .orderBy(asc(memberships.createdAt), asc(memberships.userId))
    .limit(1);
  return { email: owner?.email ?? null, name: organisation?.name ?? accountId, metadata: { account_id: accountId } };
}

/**
 * Queues the job that brings the organisation's Stripe customer in step with `customerDetails`,
 * in the caller's transaction. Call it wherever the organisation's name, its owner or the owner's
 * email changes. One waiting job per organisation (its job key): changes in a burst sync once.
 */
export async function queueCustomerSync(tx: DbOrTx, accountId: string): Promise<void> {
  await addJob(tx, STRIPE_CUSTOMER_SYNC_TASK, { accountId }, { jobKey: `stripe-customer-sync:${accountId}` });
}

/** `queueCustomerSync` for every organisation the person owns (their email changed). */
export async function queueCustomerSyncForOwner(tx: DbOrTx, userId: string): Promise<void> {
  const owned = await tx
    .select({ accountId: memberships.organisationId })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.role, "owner")));
  for (const { accountId } of owned) await queueCustomerSync(tx, accountId);
}

/**
 * The job: updates the organisation's Stripe customer (`customers.update` with `email`, `name`,
 * `metadata.account_id`) from what the portal has at run time, so a late or repeated run sets the
 * same, current values. Nothing to do for an organisation without a Stripe customer (checkout
 * creates it with these details); changed details are audited as `billing.customer_updated`.
 * Throws Stripe's errors, for graphile-worker to retry.
 */
export async function syncStripeCustomer({ db, stripe }: { db: Database; stripe: Stripe }, accountId: string) {
  const [known] = await db.select().from(billingCustomers).where(eq(billingCustomers.accountId, accountId));
  if (!known) return;
  const wanted = await customerDetails(db, accountId);
  const current = await stripe.customers.retrieve(known.stripeCustomerId);
  if (current.deleted) return;
  if (current.email === wanted.email && current.name === wanted.name && current.metadata.account_id === accountId)
    return;
  await stripe.customers.update(known.stripeCustomerId, {
    ...(wanted.email ? { email: wanted.email } : {}),
    name: wanted.name,
    metadata: wanted.metadata,
  });
  await recordAudit(
    db,
    systemActor,
    "billing.customer_updated",
    { type: "organisation", id: accountId },
    { customer: known.stripeCustomerId, email: wanted.email, name: wanted.name },
    accountId,
  );
}
