/**
 * A staff member's day (issue 16 item 5): what is due for them and for the team, which accounts
 * and trials want a call, and what waits on staff. Shown on the staff home and sent as the daily
 * digest. Every count is capped (`COUNT_CAP`) and every query reads one index, so the page stays
 * fast at 100,000 accounts, 1,000,000 tasks and 1,000,000 provisioning requests.
 */
import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { DbOrTx } from "#db/client";
import {
  accountSuccess,
  contactRequests,
  csTasks,
  leads,
  organisations,
  provisioningRequests,
  subscriptions,
} from "#db/schema";
import { COUNT_CAP, type CappedCount } from "./my-day";

/** How many items each block shows under its count. */
export const FIRST_ITEMS = 5;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Health drops and contact requests this recent are news. */
export const RECENT_DAYS = 7;

/** The UTC midnight that ends `now`'s day: tasks due before it are due today (or overdue). */
export function endOfDayUtc(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}

/** The UTC midnight that starts `now`'s day: tasks due before it are overdue. */
function startOfDayUtc(now: Date): Date {
  return new Date(endOfDayUtc(now).getTime() - DAY_MS);
}

/** How many rows of `table` match `where`, counting no further than `COUNT_CAP` + 1 (an index range, never a scan). */
async function countWhere(db: DbOrTx, table: PgTable, where: SQL | undefined): Promise<CappedCount> {
  const sub = db
    .select({ one: sql`1` })
    .from(table)
    .where(where)
    .limit(COUNT_CAP + 1)
    .as("capped");
  const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(sub);
  const count = row?.count ?? 0;
  return count > COUNT_CAP ? { count: COUNT_CAP, more: true } : { count, more: false };
}

/** Open tasks due before the end of today, for one assignee (null = the team's queue). */
function dueTasksWhere(assigneeId: string | null, now: Date): SQL {
  return and(
    eq(csTasks.status, "open"),
    assigneeId ? eq(csTasks.assigneeId, assigneeId) : isNull(csTasks.assigneeId),
    lt(csTasks.dueAt, endOfDayUtc(now)),
  )!;
}

/**
 * Open tasks due today or overdue for `assigneeId` (null: the team's queue, nobody's yet), oldest
 * due first: the capped count and the first items. Reads `cs_tasks_assignee_due_idx` or
 * `cs_tasks_queue_due_idx`.
 */
export async function dueTasks(db: DbOrTx, assigneeId: string | null, now: Date) {
  const where = dueTasksWhere(assigneeId, now);
  const overdueBefore = startOfDayUtc(now);
  const [count, items] = await Promise.all([
    countWhere(db, csTasks, where),
    db
      .select({
        id: csTasks.id,
        accountId: csTasks.accountId,
        accountName: organisations.name,
        title: csTasks.title,
        dueAt: csTasks.dueAt,
      })
      .from(csTasks)
      .innerJoin(organisations, eq(organisations.id, csTasks.accountId))
      .where(where)
      .orderBy(asc(csTasks.dueAt), asc(csTasks.id))
      .limit(FIRST_ITEMS),
  ]);
  return { count, items: items.map((item) => ({ ...item, overdue: item.dueAt < overdueBefore })) };
}

/** Accounts whose score fell 15 points or more in 7 days, alerted in the last `RECENT_DAYS`, newest first. */
async function healthDropped(db: DbOrTx, now: Date) {
  const where = gte(accountSuccess.healthDroppedAt, new Date(now.getTime() - RECENT_DAYS * DAY_MS));
  const [count, items] = await Promise.all([
    countWhere(db, accountSuccess, where),
    db
      .select({
        accountId: accountSuccess.accountId,
        name: organisations.name,
        score: accountSuccess.healthScore,
        band: accountSuccess.healthBand,
        change7d: accountSuccess.healthChange7d,
        droppedAt: accountSuccess.healthDroppedAt,
      })
      .from(accountSuccess)
      .innerJoin(organisations, eq(organisations.id, accountSuccess.accountId))
      .where(where)
      .orderBy(desc(accountSuccess.healthDroppedAt), desc(accountSuccess.accountId))
      .limit(FIRST_ITEMS),
  ]);
  return { count, items };
}

/** Trials with a product-qualified score (only active trials have one), highest first. */
async function trialsToCall(db: DbOrTx) {
  const where = isNotNull(accountSuccess.pqlScore);
  const [count, items] = await Promise.all([
    countWhere(db, accountSuccess, where),
    db
      .select({
        accountId: accountSuccess.accountId,
        name: organisations.name,
        score: accountSuccess.pqlScore,
        reasons: accountSuccess.pqlReasons,
        trialEndsAt: accountSuccess.trialEndsAt,
      })
      .from(accountSuccess)
      .innerJoin(organisations, eq(organisations.id, accountSuccess.accountId))
      .where(where)
      .orderBy(desc(accountSuccess.pqlScore), desc(accountSuccess.accountId))
      .limit(FIRST_ITEMS),
  ]);
  return { count, items };
}

/** Setups waiting for staff (oldest SLA first, with the first items) and the count waiting on customers. */
async function setupsWaiting(db: DbOrTx) {
  const waitingStaff = eq(provisioningRequests.status, "waiting_staff");
  const [staffCount, customerCount, items] = await Promise.all([
    countWhere(db, provisioningRequests, waitingStaff),
    countWhere(db, provisioningRequests, eq(provisioningRequests.status, "waiting_customer")),
    db
      .select({
        id: provisioningRequests.id,
        accountId: provisioningRequests.accountId,
        name: organisations.name,
        planSlug: sql<string>`${provisioningRequests.snapshot}->>'planSlug'`,
        operation: provisioningRequests.operation,
        slaDueAt: provisioningRequests.slaDueAt,
      })
      .from(provisioningRequests)
      .innerJoin(organisations, eq(organisations.id, provisioningRequests.accountId))
      .where(waitingStaff)
      .orderBy(asc(provisioningRequests.slaDueAt), asc(provisioningRequests.id))
      .limit(FIRST_ITEMS),
  ]);
  return { waitingStaff: { count: staffCount, items }, waitingCustomer: { count: customerCount } };
}

/**
 * The predicate of `subscriptions_failing_idx`, written the same way so the planner uses it: a
 * payment failed and not yet paid, or Stripe says past due or unpaid.
 */
export const failingPaymentWhere = or(
  isNotNull(subscriptions.paymentFailedAt),
  inArray(subscriptions.status, ["past_due", "unpaid"]),
)!;

/** Subscriptions whose payments fail, longest failing first. */
async function failingPayments(db: DbOrTx) {
  const [count, items] = await Promise.all([
    countWhere(db, subscriptions, failingPaymentWhere),
    db
      .select({
        accountId: subscriptions.accountId,
        name: organisations.name,
        status: subscriptions.status,
        since: subscriptions.paymentFailedAt,
      })
      .from(subscriptions)
      .innerJoin(organisations, eq(organisations.id, subscriptions.accountId))
      .where(failingPaymentWhere)
      .orderBy(sql`${subscriptions.paymentFailedAt} asc nulls last`, asc(subscriptions.accountId))
      .limit(FIRST_ITEMS),
  ]);
  return { count, items };
}

/** Contact requests sent in the last `RECENT_DAYS`, newest first, with the lead's organisation if any. */
async function recentContactRequests(db: DbOrTx, now: Date) {
  const where = gte(contactRequests.createdAt, new Date(now.getTime() - RECENT_DAYS * DAY_MS));
  const [count, items] = await Promise.all([
    countWhere(db, contactRequests, where),
    db
      .select({
        id: contactRequests.id,
        leadId: contactRequests.leadId,
        email: contactRequests.email,
        createdAt: contactRequests.createdAt,
        organisationName: organisations.name,
      })
      .from(contactRequests)
      .innerJoin(leads, eq(leads.id, contactRequests.leadId))
      .leftJoin(organisations, eq(organisations.id, leads.organisationId))
      .where(where)
      .orderBy(desc(contactRequests.createdAt), desc(contactRequests.id))
      .limit(FIRST_ITEMS),
  ]);
  return { count, items };
}

/**
 * What the whole team shares today (the same for every staff member): the queue's due tasks,
 * health drops, trials to call, setups waiting, failing payments, recent contact requests. Each is
 * `{ count: CappedCount, items }` (setups waiting on customers: a count only). Times are UTC.
 */
export async function teamDay(db: DbOrTx, now: Date) {
  const [queue, dropped, trials, setups, payments, contacts] = await Promise.all([
    dueTasks(db, null, now),
    healthDropped(db, now),
    trialsToCall(db),
    setupsWaiting(db),
    failingPayments(db),
    recentContactRequests(db, now),
  ]);
  return {
    queueTasks: queue,
    healthDropped: dropped,
    trialsToCall: trials,
    setupsWaitingStaff: setups.waitingStaff,
    setupsWaitingCustomer: setups.waitingCustomer,
    failingPayments: payments,
    contactRequests: contacts,
  };
}

export type TeamDay = Awaited<ReturnType<typeof teamDay>>;
export type MyDay = TeamDay & { myTasks: Awaited<ReturnType<typeof dueTasks>> };

/** `teamDay` plus the staff member's own tasks due today or overdue (`myTasks`). */
export async function myDay(db: DbOrTx, staffId: string, now: Date): Promise<MyDay> {
  const [team, myTasks] = await Promise.all([teamDay(db, now), dueTasks(db, staffId, now)]);
  return { ...team, myTasks };
}
