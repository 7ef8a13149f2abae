/**
 * One timeline per account (issue 15, item 3): what happened to an organisation, newest first, from
 * the records that are the truth of each kind of event:
 *
 * - `audit_events` of the organisation (index `audit_events_organisation_idx`): orders placed,
 *   paid, failed, expired, approved (the portal's own record, written in the change's transaction);
 *   plan and seat changes, resumes, removals; trial started, clock started, extended, expired,
 *   granted, and converted (a paid order that names the trial); `usage_key.*` actions; and every
 *   staff action. Staff actions on provisioning requests are left to the next source, which has them.
 * - `provisioning_events` of the account's requests (`provisioning_requests_account_idx`, then
 *   `provisioning_events_request_idx` per request): every transition of a setup, change, pause or removal.
 * - `stripe_events` processed for the account's Stripe customer (`stripe_events_customer_idx`,
 *   migration 0019): renewal payments and failures and cancellation at the period end set or taken
 *   back happen in Stripe (its invoices, its billing portal) and are recorded nowhere else.
 * - `activation_milestones` (`activation_milestones_account_idx`): milestones reached.
 * - `trials.reminder_sent_at` (`trials_reminder_idx`, migration 0019): the "3 days left" reminder
 *   (cleared when staff extend the trial, so a reminder before an extension is not shown).
 *
 * Order and paging: (occurred at, source, row key) descending, a total order, so a page ends
 * exactly where the next begins even at equal timestamps. Each source is read with its own indexed
 * `where account and (at, key) < cursor order by at desc, key desc limit n+1`; the sources' rows are
 * merged here and cut to n. Times are compared to the microsecond (the cursor keeps them as text).
 */
import { sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import { decodeCursor, encodeCursor } from "#db/keyset-cursor";
import { TIMELINE_STRIPE_EVENT_TYPES } from "#db/schema";
import { wordsFromKey, type PlanNames } from "~/modules/catalog/labels";
import type { Operation, RequestStatus } from "../../../provisioning/types";
import {
  auditSentence,
  milestoneSentence,
  provisioningSentence,
  stripeSentence,
  TIMELINE_KINDS,
  type TimelineKind,
} from "./timeline-words";

export const TIMELINE_PAGE_SIZE = 20;

/**
 * One event: when (UTC, ISO 8601 to the microsecond), what kinds (the first is its label), a sentence,
 * who (a staff member's name, "the customer", "the system", "the provisioner", "Stripe"), and a page to open.
 */
export type TimelineItem = {
  /** Unique within the timeline: the source and the row's key. */
  id: string;
  at: string;
  kinds: TimelineKind[];
  sentence: string;
  who: string;
  link: { href: string; text: string } | null;
};

export type TimelinePage = { items: TimelineItem[]; nextCursor: string | null };

/** Source ranks: the middle part of the order, breaking ties of time between sources. */
const RANK = { audit: 5, provisioning: 4, stripe: 3, milestone: 2, reminder: 1 } as const;

type Row = { key: string; atText: string; rank: number; item: TimelineItem };
type Cursor = { at: string; rank: number; key: string };

/** Microsecond UTC text of a timestamptz column, as the cursor carries it. */
const atText = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const AT_TEXT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * Rows of source `rank` after the cursor in (at, rank, key) descending order: an earlier time, or
 * the same time and a lower rank, or the same time and rank and a lower key (compared bytewise).
 */
function after(cursor: Cursor | null, rank: number, at: SQL, key: SQL): SQL {
  if (!cursor) return sql`true`;
  const time = sql`${cursor.at}::timestamptz`;
  if (rank < cursor.rank) return sql`${at} <= ${time}`;
  if (rank > cursor.rank) return sql`${at} < ${time}`;
  return sql`(${at} < ${time} or (${at} = ${time} and ${key} collate "C" < ${cursor.key}))`;
}

/** The kinds chosen in a query string (`?kind=billing&kind=trial`); unknown ones are ignored, none means all. */
export function timelineKindsOf(url: URL): TimelineKind[] {
  const chosen = url.searchParams
    .getAll("kind")
    .filter((kind): kind is TimelineKind => (TIMELINE_KINDS as readonly string[]).includes(kind));
  return chosen.length ? [...new Set(chosen)] : [...TIMELINE_KINDS];
}

function decodeTimelineCursor(value: string | null | undefined): Cursor | null {
  const parts = decodeCursor(value, ["key", "int", "key"] as const);
  if (!parts || !AT_TEXT.test(parts[0])) return null;
  const time = new Date(parts[0]);
  // A rolled-over day (02-30) would fail the cast in SQL: such a cursor starts from the first page.
  if (Number.isNaN(time.getTime()) || time.toISOString().slice(0, 23) !== parts[0].slice(0, 23)) return null;
  return { at: parts[0], rank: parts[1], key: parts[2] };
}

const who = (actorType: string, staffName: string | null): string =>
  actorType === "staff"
    ? (staffName ?? "a former staff member")
    : actorType === "system"
      ? "the system"
      : "the customer";

/**
 * A page of the account's timeline: `kinds` to show (an item shows when any of its kinds is
 * chosen), `cursor` from the previous page's `nextCursor` (null, or one not made here: the first
 * page), `planNames` to put plans in words. Reads each chosen source once, `pageSize + 1` rows at most.
 */
export async function accountTimeline(
  db: DbOrTx,
  accountId: string,
  options: { kinds: readonly TimelineKind[]; cursor?: string | null; planNames: PlanNames; pageSize?: number },
): Promise<TimelinePage> {
  const size = options.pageSize ?? TIMELINE_PAGE_SIZE;
  const cursor = decodeTimelineCursor(options.cursor);
  const kinds = new Set(options.kinds);
  const read = { db, accountId, cursor, limit: size + 1, kinds, planNames: options.planNames };
  const sources = await Promise.all([
    auditRows(read),
    provisioningRows(read),
    kinds.has("billing") ? stripeRows(read) : [],
    kinds.has("usage") ? milestoneRows(read) : [],
    kinds.has("trial") ? reminderRows(read) : [],
  ]);
  const rows = sources.flat().sort(newestFirst);
  const page = rows.slice(0, size);
  const last = page.at(-1);
  return {
    items: page.map((row) => row.item),
    nextCursor: rows.length > size && last ? encodeCursor([last.atText, last.rank, last.key]) : null,
  };
}

/** (at, rank, key) descending; keys compared by code unit, as `collate "C"` compares their ASCII bytes. */
function newestFirst(a: Row, b: Row): number {
  if (a.atText !== b.atText) return a.atText < b.atText ? 1 : -1;
  if (a.rank !== b.rank) return b.rank - a.rank;
  return a.key === b.key ? 0 : a.key < b.key ? 1 : -1;
}

type Read = {
  db: DbOrTx;
  accountId: string;
  cursor: Cursor | null;
  limit: number;
  kinds: Set<TimelineKind>;
  planNames: PlanNames;
};

async function rowsOf<T>(db: DbOrTx, query: SQL): Promise<T[]> {
  return (await db.execute(query)) as unknown as T[];
}

/** The organisation's audit rows of the chosen kinds (kinds worked out in SQL, so the limit holds). */
async function auditRows({ db, accountId, cursor, limit, kinds, planNames }: Read): Promise<Row[]> {
  const chosen = [...kinds].filter((kind) => kind !== "provisioning");
  if (!chosen.length) return [];
  const rows = await rowsOf<{
    key: string;
    at_text: string;
    actor_type: string;
    action: string;
    details: Record<string, unknown>;
    kinds: TimelineKind[];
    staff_name: string | null;
  }>(
    db,
    sql`select a.key, a.at_text, a.actor_type, a.action, a.details, a.kinds, u.name as staff_name
      from (
        select e.id::text as key, e.occurred_at, ${atText(sql`e.occurred_at`)} as at_text, e.actor_type, e.actor_id,
          e.action, e.details,
          array_remove(array[
            case when e.action like 'order.%' or e.action like 'subscription.%' or e.action like 'billing.%' then 'billing' end,
            case when e.action like 'trial.%'
              or (e.action in ('order.paid', 'order.approved') and e.details ->> 'trial' is not null) then 'trial' end,
            case when e.action like 'usage_key.%' then 'usage' end,
            case when e.actor_type = 'staff' then 'staff' end
          ], null) as kinds
        from audit_events e
        where e.organisation_id = ${accountId}
          and e.action not like 'provisioning_request.%'
          and ${after(cursor, RANK.audit, sql`e.occurred_at`, sql`e.id::text`)}
      ) a
      left join users u on a.actor_type = 'staff' and u.id = a.actor_id
      where a.kinds && ${`{${chosen.join(",")}}`}::text[]
      order by a.occurred_at desc, a.key collate "C" desc
      limit ${limit}`,
  );
  return rows.map((row) => ({
    key: row.key,
    atText: row.at_text,
    rank: RANK.audit,
    item: {
      id: `audit:${row.key}`,
      at: row.at_text,
      kinds: row.kinds,
      sentence: auditSentence(row.action, row.details, planNames),
      who: who(row.actor_type, row.staff_name),
      link: null,
    },
  }));
}

/** Transitions of the account's provisioning requests, each request read by its own index. */
async function provisioningRows({ db, accountId, cursor, limit, kinds }: Read): Promise<Row[]> {
  if (!kinds.has("provisioning") && !kinds.has("staff")) return [];
  const onlyStaff = kinds.has("provisioning") ? sql`true` : sql`e.actor_type = 'staff'`;
  const rows = await rowsOf<{
    key: string;
    at_text: string;
    actor_type: string;
    from_status: RequestStatus | null;
    to_status: RequestStatus;
    message: string;
    request_id: string;
    operation: Operation;
    plan_name: string | null;
    seats: number | null;
    staff_name: string | null;
  }>(
    db,
    sql`select e.key, e.at_text, e.actor_type, e.from_status, e.to_status, e.message, r.id as request_id,
        r.operation, r.snapshot ->> 'planName' as plan_name, (r.snapshot ->> 'seats')::int as seats, u.name as staff_name
      from provisioning_requests r
      cross join lateral (
        select lpad(e.id::text, 20, '0') as key, e.occurred_at, ${atText(sql`e.occurred_at`)} as at_text,
          e.actor_type, e.actor_id, e.from_status, e.to_status, e.message
        from provisioning_events e
        where e.request_id = r.id and ${onlyStaff}
          and ${after(cursor, RANK.provisioning, sql`e.occurred_at`, sql`lpad(e.id::text, 20, '0')`)}
        order by e.occurred_at desc, e.id desc
        limit ${limit}
      ) e
      left join users u on e.actor_type = 'staff'
        and u.id = case when e.actor_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then e.actor_id::uuid end
      where r.account_id = ${accountId}
      order by e.occurred_at desc, e.key collate "C" desc
      limit ${limit}`,
  );
  return rows.map((row) => ({
    key: row.key,
    atText: row.at_text,
    rank: RANK.provisioning,
    item: {
      id: `provisioning:${row.key}`,
      at: row.at_text,
      kinds: row.actor_type === "staff" ? ["provisioning", "staff"] : ["provisioning"],
      sentence: provisioningSentence({
        operation: row.operation,
        planName: row.plan_name,
        seats: row.seats,
        fromStatus: row.from_status,
        toStatus: row.to_status,
        message: row.message,
      }),
      who:
        row.actor_type === "staff"
          ? (row.staff_name ?? "a former staff member")
          : row.actor_type === "customer"
            ? "the customer"
            : row.actor_type === "provisioner"
              ? "the provisioner"
              : "the system",
      link: { href: `/staff/provisioning/${row.request_id}`, text: "Open the request" },
    },
  }));
}

/** Payments, failures, cancellations and endings Stripe reported for the account's customer. */
async function stripeRows({ db, accountId, cursor, limit, planNames }: Read): Promise<Row[]> {
  const types = sql.join(
    TIMELINE_STRIPE_EVENT_TYPES.map((type) => sql`${type}`),
    sql`, `,
  );
  const rows = await rowsOf<{
    key: string;
    at_text: string;
    type: string;
    object: Record<string, unknown>;
    previous: Record<string, unknown> | null;
    plan_slug: string | null;
  }>(
    db,
    sql`select se.id as key, ${atText(sql`se.received_at`)} as at_text, se.type, se.payload -> 'data' -> 'object' as object,
        se.payload -> 'data' -> 'previous_attributes' as previous, s.plan_slug
      from stripe_events se
      left join subscriptions s on s.id = coalesce(
        se.payload #>> '{data,object,parent,subscription_details,subscription}',
        case when se.type like 'customer.subscription.%' then se.payload #>> '{data,object,id}' end)
      where (se.payload #>> '{data,object,customer}') =
          (select stripe_customer_id from billing_customers where account_id = ${accountId})
        and se.type in (${types})
        and se.processed_at is not null and se.unprocessable_reason is null
        and (se.type <> 'customer.subscription.updated' or (se.payload #> '{data,previous_attributes}') ? 'cancel_at_period_end')
        and not (se.type = 'invoice.paid' and coalesce(se.payload #>> '{data,object,amount_paid}', '0') = '0')
        and ${after(cursor, RANK.stripe, sql`se.received_at`, sql`se.id`)}
      order by se.received_at desc, se.id collate "C" desc
      limit ${limit}`,
  );
  return rows.map((row) => ({
    key: row.key,
    atText: row.at_text,
    rank: RANK.stripe,
    item: {
      id: `stripe:${row.key}`,
      at: row.at_text,
      kinds: ["billing"],
      sentence: stripeSentence(row.type, row.object, row.previous, row.plan_slug, planNames),
      who: "Stripe",
      link: null,
    },
  }));
}

/** Milestones reached, titled as the instance's plan defines them (db/seed/demo-catalog.ts). */
async function milestoneRows({ db, accountId, cursor, limit }: Read): Promise<Row[]> {
  const key = sql`(m.instance_id::text || ':' || m.milestone_key)`;
  const rows = await rowsOf<{
    key: string;
    at_text: string;
    milestone_key: string;
    title: string | null;
    days_after: number;
  }>(
    db,
    sql`select ${key} as key, ${atText(sql`m.reached_at`)} as at_text, m.milestone_key,
        floor(extract(epoch from m.reached_at - i.created_at) / 86400)::int as days_after,
        (select x ->> 'title' from plans p cross join jsonb_array_elements(p.milestones) x
          where p.slug = i.plan_slug and x ->> 'key' = m.milestone_key limit 1) as title
      from activation_milestones m
      join service_instances i on i.id = m.instance_id
      where m.account_id = ${accountId} and ${after(cursor, RANK.milestone, sql`m.reached_at`, key)}
      order by m.reached_at desc, ${key} collate "C" desc
      limit ${limit}`,
  );
  return rows.map((row) => ({
    key: row.key,
    atText: row.at_text,
    rank: RANK.milestone,
    item: {
      id: `milestone:${row.key}`,
      at: row.at_text,
      kinds: ["usage"],
      sentence: milestoneSentence(row.title ?? wordsFromKey(row.milestone_key), row.days_after),
      who: "the customer",
      link: null,
    },
  }));
}

/** The trials' "3 days left" reminders sent. */
async function reminderRows({ db, accountId, cursor, limit, planNames }: Read): Promise<Row[]> {
  const rows = await rowsOf<{ key: string; at_text: string; plan_slug: string }>(
    db,
    sql`select t.id::text as key, ${atText(sql`t.reminder_sent_at`)} as at_text, t.plan_slug
      from trials t
      where t.account_id = ${accountId} and t.reminder_sent_at is not null
        and ${after(cursor, RANK.reminder, sql`t.reminder_sent_at`, sql`t.id::text`)}
      order by t.reminder_sent_at desc, t.id::text collate "C" desc
      limit ${limit}`,
  );
  return rows.map((row) => ({
    key: row.key,
    atText: row.at_text,
    rank: RANK.reminder,
    item: {
      id: `reminder:${row.key}`,
      at: row.at_text,
      kinds: ["trial"],
      sentence: `Reminder emailed: 3 days left in the ${planNames[row.plan_slug] ?? wordsFromKey(row.plan_slug)} trial.`,
      who: "the system",
      link: null,
    },
  }));
}
