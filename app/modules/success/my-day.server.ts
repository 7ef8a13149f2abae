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

/** What `cappedCounts` counts: the rows of a table that match a condition. */
type Counted = [table: PgTable, where: SQL];

/**
 * How many rows match each of `counted`, counting no further than `COUNT_CAP` + 1 (an index range,
 * never a scan), all in one statement: the staff home's counts cost one round trip, not eight.
 */
async function cappedCounts<K extends string>(
  db: DbOrTx,
  counted: Record<K, Counted>,
): Promise<Record<K, CappedCount>> {
  const names = Object.keys(counted) as K[];
  const columns = names.map((name) => {
    const [table, where] = counted[name];
    const capped = db
      .select({ one: sql`1` })
      .from(table)
      .where(where)
      .limit(COUNT_CAP + 1);
    return sql`(select count(*)::int from (${capped}) capped) as ${sql.identifier(name)}`;
  });
  const [row] = await db.execute<Record<K, number>>(sql`select ${sql.join(columns, sql`, `)}`);
  return Object.fromEntries(
    names.map((name) => {
      const count = row![name];
      return [name, count > COUNT_CAP ? { count: COUNT_CAP, more: true } : { count, more: false }];
    }),
  ) as Record<K, CappedCount>;
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
 * due first: the first items. Reads `cs_tasks_assignee_due_idx` or `cs_tasks_queue_due_idx`.
 */
async function dueTaskItems(db: DbOrTx, assigneeId: string | null, now: Date) {
  const overdueBefore = startOfDayUtc(now);
  const items = await db
    .select({
      id: csTasks.id,
      accountId: csTasks.accountId,
      accountName: organisations.name,
      title: csTasks.title,
      dueAt: csTasks.dueAt,
    })
    .from(csTasks)
    .innerJoin(organisations, eq(organisations.id, csTasks.accountId))
    .where(dueTasksWhere(assigneeId, now))
    .orderBy(asc(csTasks.dueAt), asc(csTasks.id))
    .limit(FIRST_ITEMS);
  return items.map((item) => ({ ...item, overdue: item.dueAt < overdueBefore }));
}

/** Open tasks due today or overdue for `assigneeId` (see `dueTaskItems`): the capped count and the first items. */
export async function dueTasks(db: DbOrTx, assigneeId: string | null, now: Date) {
  const [counts, items] = await Promise.all([
    cappedCounts(db, { due: [csTasks, dueTasksWhere(assigneeId, now)] }),
    dueTaskItems(db, assigneeId, now),
  ]);
  return { count: counts.due, items };
}

/** Accounts whose score fell 15 points or more in 7 days, alerted in the last `RECENT_DAYS`. */
const droppedWhere = (now: Date) => gte(accountSuccess.healthDroppedAt, new Date(now.getTime() - RECENT_DAYS * DAY_MS));

/** Health drops alerted in the last `RECENT_DAYS`, newest first. */
function healthDropped(db: DbOrTx, now: Date) {
  return db
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
    .where(droppedWhere(now))
    .orderBy(desc(accountSuccess.healthDroppedAt), desc(accountSuccess.accountId))
    .limit(FIRST_ITEMS);
}

/** Trials with a product-qualified score (only active trials have one). */
const trialsWhere = isNotNull(accountSuccess.pqlScore);

/** Trials to call, highest score first. */
function trialsToCall(db: DbOrTx) {
  return db
    .select({
      accountId: accountSuccess.accountId,
      name: organisations.name,
      score: accountSuccess.pqlScore,
      reasons: accountSuccess.pqlReasons,
      trialEndsAt: accountSuccess.trialEndsAt,
    })
    .from(accountSuccess)
    .innerJoin(organisations, eq(organisations.id, accountSuccess.accountId))
    .where(trialsWhere)
    .orderBy(desc(accountSuccess.pqlScore), desc(accountSuccess.accountId))
    .limit(FIRST_ITEMS);
}

const waitingStaffWhere = eq(provisioningRequests.status, "waiting_staff");
const waitingCustomerWhere = eq(provisioningRequests.status, "waiting_customer");

/** Setups waiting for staff, oldest SLA first. */
function setupsWaitingStaff(db: DbOrTx) {
  return db
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
    .where(waitingStaffWhere)
    .orderBy(asc(provisioningRequests.slaDueAt), asc(provisioningRequests.id))
    .limit(FIRST_ITEMS);
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
function failingPayments(db: DbOrTx) {
  return db
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
    .limit(FIRST_ITEMS);
}

/** Contact requests sent in the last `RECENT_DAYS`. */
const contactsWhere = (now: Date) => gte(contactRequests.createdAt, new Date(now.getTime() - RECENT_DAYS * DAY_MS));

/** Recent contact requests, newest first, with the lead's organisation if any. */
function recentContactRequests(db: DbOrTx, now: Date) {
  return db
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
    .where(contactsWhere(now))
    .orderBy(desc(contactRequests.createdAt), desc(contactRequests.id))
    .limit(FIRST_ITEMS);
}

/** The team's counts, and `mine` (the staff member's due tasks) when `staffId` is given. */
function teamCounts(db: DbOrTx, now: Date, staffId: string | null) {
  const team = {
    queueTasks: [csTasks, dueTasksWhere(null, now)],
    healthDropped: [accountSuccess, droppedWhere(now)],
    trialsToCall: [accountSuccess, trialsWhere],
    setupsWaitingStaff: [provisioningRequests, waitingStaffWhere],
    setupsWaitingCustomer: [provisioningRequests, waitingCustomerWhere],
    failingPayments: [subscriptions, failingPaymentWhere],
    contactRequests: [contactRequests, contactsWhere(now)],
  } satisfies Record<string, Counted>;
  const mine: Record<string, Counted> = staffId ? { myTasks: [csTasks, dueTasksWhere(staffId, now)] } : {};
  return cappedCounts(db, { ...team, ...mine }) as Promise<
    Record<keyof typeof team, CappedCount> & { myTasks?: CappedCount }
  >;
}

/** `teamDay`'s blocks from counts and items read in parallel. */
async function day(db: DbOrTx, now: Date, staffId: string | null) {
  const [counts, queue, dropped, trials, setups, payments, contacts, mine] = await Promise.all([
    teamCounts(db, now, staffId),
    dueTaskItems(db, null, now),
    healthDropped(db, now),
    trialsToCall(db),
    setupsWaitingStaff(db),
    failingPayments(db),
    recentContactRequests(db, now),
    staffId ? dueTaskItems(db, staffId, now) : null,
  ]);
  const team = {
    queueTasks: { count: counts.queueTasks, items: queue },
    healthDropped: { count: counts.healthDropped, items: dropped },
    trialsToCall: { count: counts.trialsToCall, items: trials },
    setupsWaitingStaff: { count: counts.setupsWaitingStaff, items: setups },
    setupsWaitingCustomer: { count: counts.setupsWaitingCustomer },
    failingPayments: { count: counts.failingPayments, items: payments },
    contactRequests: { count: counts.contactRequests, items: contacts },
  };
  return { team, myTasks: mine && counts.myTasks ? { count: counts.myTasks, items: mine } : null };
}

/**
 * What the whole team shares today (the same for every staff member): the queue's due tasks,
 * health drops, trials to call, setups waiting, failing payments, recent contact requests. Each is
 * `{ count: CappedCount, items }` (setups waiting on customers: a count only). Times are UTC.
 */
export async function teamDay(db: DbOrTx, now: Date) {
  return (await day(db, now, null)).team;
}

export type TeamDay = Awaited<ReturnType<typeof teamDay>>;
export type MyDay = TeamDay & { myTasks: Awaited<ReturnType<typeof dueTasks>> };

/** `teamDay` plus the staff member's own tasks due today or overdue (`myTasks`): every count in one statement. */
export async function myDay(db: DbOrTx, staffId: string, now: Date): Promise<MyDay> {
  const { team, myTasks } = await day(db, now, staffId);
  return { ...team, myTasks: myTasks! };
}
