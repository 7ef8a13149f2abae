/**
 * Gathers `AccountFacts` (facts.ts) for a batch of accounts (issue 16, ADR 22): one set-based
 * query per concern for the whole batch (`account_id = any($ids)`, each on an index), never one
 * per account, and never raw `usage_events` (the daily rollups only).
 */
import { sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import { LIMIT_FEATURES } from "~/modules/usage/usage-summary.server";
import type { AccountFacts, SubscriptionFacts, TrialFacts } from "./facts";
import { isPaying } from "./stage";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Active users, active days and features used are counted over the last 28 UTC days, today included. */
const ACTIVE_DAYS = 28;
/**
 * "Features ever used" looks back this far: the rollups keep every day, but reading all of an
 * account's history on each hourly run would cost what the 60 s budget for 100,000 accounts cannot.
 */
const FEATURE_HISTORY_DAYS = 90;
/** Contact requests and unpaid checkouts count when this recent. */
const RECENT_DAYS = 30;

/** `{a,b}`::uuid[]: one bound array parameter, so a batch of 1,000 ids is one parameter, not 1,000. */
function uuidArray(ids: string[]): SQL {
  return sql`${`{${ids.join(",")}}`}::uuid[]`;
}

/** The UTC day (YYYY-MM-DD) `days` before `now`'s. */
function dayBefore(now: Date, days: number): string {
  return new Date(now.getTime() - days * DAY_MS).toISOString().slice(0, 10);
}

const date = (value: string | Date | null | undefined) => (value ? new Date(value) : null);
const num = (value: unknown) => (value === null || value === undefined ? 0 : Number(value));

/** A trait as a non-negative number, or null (the product sent none, or something else). */
function traitNumber(value: unknown): number | null {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) && n >= 0 ? n : null;
}

type Instance = {
  id: string;
  account_id: string;
  status: string;
  created_at: string;
  seats: number | null;
  limits: Record<string, number | null> | null;
  planned: number | null;
  traits: Record<string, unknown> | null;
};

/**
 * What the customer-success computations know of each account, in `accountIds`' order (unknown ids
 * are left out), as of `now`:
 * - subscriptions with their MRR as the subscription ledger last recorded it (the mirror's
 *   `mrr_minor`, minor units of its `currency`: the figure the revenue pages count, discounts
 *   included, docs/metrics.md) and their billing interval (Stripe's, else the catalog price's);
 * - the first paid order, and a checkout opened in the last 30 days and not paid since (an open,
 *   expired or failed order, or the `checkout_opened` signal) → `signals.checkoutUnpaid`;
 * - the latest trial, with `manualSetup` when its plan's provisioner is `manual`;
 * - service start = the first `provision` that succeeded, or the latest trial's clock start if earlier;
 * - setup: the oldest failed request of a live instance not followed by a success on that instance,
 *   the oldest request waiting on the customer, on staff (since its last update);
 * - milestones of the main instance (a paying subscription's, else the active trial's, else the
 *   newest live one): the plan's count (`plans.milestones`) and those reached (`activation_milestones`);
 * - usage from the rollups: `hasData` when `usage_daily` has any row, distinct active users
 *   (`usage_daily_users`) and active days (`usage_daily`) over 28 days, distinct events used in 28
 *   days and in 90 (`featuresEverUsed`), the last active day, and the highest share of a plan limit
 *   in use (`usage_instance_traits` vs the instance snapshot's limits);
 * - seats bought: the instance seats of paying subscriptions (else their quantity), or the active
 *   trial's seats;
 * - payment: unpaid > past due > failing (a live subscription whose latest payment failed) > ok;
 * - the newest lead (`organisation_id`) with its company size answer, its contact requests in the
 *   last 30 days, the intent signals, and the assigned staff member (`account_success`).
 * Twelve queries whatever the batch size.
 */
export async function loadAccountFacts(db: DbOrTx, accountIds: string[], now: Date): Promise<AccountFacts[]> {
  const unique = [...new Set(accountIds)];
  if (!unique.length) return [];
  const ids = uuidArray(unique);
  const nowAt = now.toISOString();
  const since28 = dayBefore(now, ACTIVE_DAYS - 1);
  const since90 = dayBefore(now, FEATURE_HISTORY_DAYS - 1);
  const recent = new Date(now.getTime() - RECENT_DAYS * DAY_MS).toISOString();
  const [
    accounts,
    subscriptions,
    orders,
    trials,
    instances,
    provisioning,
    reached,
    activity,
    users28,
    features,
    leads,
    contacts,
    signals,
  ] = await Promise.all([
    db.execute<{ id: string; name: string; created_at: string; assigned_staff_id: string | null }>(sql`
      select o.id, o.name, o.created_at, s.assigned_staff_id
        from organisations o left join account_success s on s.account_id = o.id
       where o.id = any(${ids})`),
    db.execute<SubscriptionRow & { account_id: string; seats: number | null; instance_id: string | null }>(sql`
      select s.id, s.account_id, s.instance_id, s.status, s.plan_slug, s.quantity, s.current_period_end, s.payment_failed_at,
             s.cancel_at_period_end, s.ended_at, s.mrr_minor, s.currency,
             coalesce(s.billing_interval, p.interval) as interval, (si.snapshot ->> 'seats')::int as seats
        from subscriptions s
        left join price_versions pv on pv.stripe_price_id = s.stripe_price_id
        left join prices p on p.id = pv.price_id or (pv.id is null and p.stripe_price_id = s.stripe_price_id)
        left join service_instances si on si.id = s.instance_id
       where s.account_id = any(${ids})`),
    db.execute<{
      account_id: string;
      first_paid_at: string | null;
      last_paid_at: string | null;
      last_open_at: string | null;
    }>(sql`
      select account_id, min(paid_at) as first_paid_at, max(created_at) filter (where paid_at is not null) as last_paid_at,
             max(created_at) filter (where paid_at is null and status in ('checkout_open', 'expired', 'payment_failed')) as last_open_at
        from orders where account_id = any(${ids}) group by account_id`),
    db.execute<{
      id: string;
      account_id: string;
      plan_slug: string;
      status: TrialFacts["status"];
      started_at: string;
      clock_started_at: string | null;
      ends_at: string | null;
      manual: boolean | null;
      instance_id: string;
    }>(sql`
      select distinct on (t.account_id) t.id, t.account_id, t.plan_slug, t.status, t.started_at, t.clock_started_at,
             t.ends_at, pl.provisioner = 'manual' as manual, t.instance_id
        from trials t
        left join products pr on pr.slug = t.product_slug
        left join plans pl on pl.product_id = pr.id and pl.slug = t.plan_slug
       where t.account_id = any(${ids})
       order by t.account_id, t.started_at desc`),
    db.execute<Instance>(sql`
      select si.id, si.account_id, si.status, si.created_at, (si.snapshot ->> 'seats')::int as seats,
             si.snapshot -> 'limits' as limits, jsonb_array_length(pl.milestones) as planned, tr.traits
        from service_instances si
        left join products pr on pr.slug = si.product_slug
        left join plans pl on pl.product_id = pr.id and pl.slug = si.plan_slug
        left join usage_instance_traits tr on tr.instance_id = si.id
       where si.account_id = any(${ids})`),
    db.execute<{
      account_id: string;
      first_setup_at: string | null;
      failed_since: string | null;
      waiting_customer_since: string | null;
      waiting_staff_since: string | null;
    }>(sql`
      select r.account_id,
             min(r.completed_at) filter (where r.operation = 'provision' and r.status = 'succeeded') as first_setup_at,
             min(r.updated_at) filter (
               where r.status = 'failed' and si.status <> 'deprovisioned'
                 and not exists (select 1 from provisioning_requests later
                                  where later.account_id = r.account_id and later.instance_id = r.instance_id
                                    and later.created_at > r.created_at and later.status = 'succeeded')
             ) as failed_since,
             min(r.updated_at) filter (where r.status = 'waiting_customer') as waiting_customer_since,
             min(r.updated_at) filter (where r.status = 'waiting_staff') as waiting_staff_since
        from provisioning_requests r join service_instances si on si.id = r.instance_id
       where r.account_id = any(${ids})
       group by r.account_id`),
    db.execute<{ instance_id: string; reached: number; last_at: string | null }>(sql`
      select instance_id, count(*)::int as reached, max(reached_at) as last_at
        from activation_milestones where account_id = any(${ids}) group by instance_id`),
    db.execute<{ account_id: string; has_data: boolean; active_days: number; last_active_day: string | null }>(sql`
      select a.id as account_id,
             exists (select 1 from usage_daily d where d.account_id = a.id) as has_data,
             (select count(*)::int from usage_daily d
               where d.account_id = a.id and d.day >= ${since28}::date and d.active_users > 0) as active_days,
             (select d.day::text from usage_daily d
               where d.account_id = a.id and d.active_users > 0 order by d.day desc limit 1) as last_active_day
        from unnest(${ids}) as a(id)`),
    db.execute<{ account_id: string; users: number }>(sql`
      select si.account_id, count(distinct u.user_id)::int as users
        from service_instances si
        join usage_daily_users u on u.instance_id = si.id and u.day >= ${since28}::date
       where si.account_id = any(${ids})
       group by si.account_id`),
    db.execute<{ account_id: string; used28: number; used90: number }>(sql`
      select account_id, count(distinct event) filter (where day >= ${since28}::date)::int as used28,
             count(distinct event)::int as used90
        from usage_daily_events where account_id = any(${ids}) and day >= ${since90}::date
       group by account_id`),
    db.execute<{
      id: string;
      organisation_id: string;
      verdict: string;
      score: number;
      company_size: string | null;
    }>(sql`
      select distinct on (organisation_id) id, organisation_id, verdict, score, answers ->> 'companySize' as company_size
        from leads where organisation_id = any(${ids})
       order by organisation_id, created_at desc`),
    db.execute<{ account_id: string; last30d: number; last_at: string | null }>(sql`
      select l.organisation_id as account_id, count(*) filter (where c.created_at >= ${recent}::timestamptz)::int as last30d,
             max(c.created_at) as last_at
        from leads l join contact_requests c on c.lead_id = l.id
       where l.organisation_id = any(${ids}) and c.created_at <= ${nowAt}::timestamptz
       group by l.organisation_id`),
    db.execute<{ account_id: string; kind: string; last_at: string }>(sql`
      select account_id, kind, last_at from account_signals where account_id = any(${ids})`),
  ]);

  const byAccount = <T extends { account_id: string }>(rows: Iterable<T>) => {
    const map = new Map<string, T[]>();
    for (const row of rows) map.set(row.account_id, [...(map.get(row.account_id) ?? []), row]);
    return map;
  };
  const subsOf = byAccount(subscriptions);
  const ordersOf = new Map([...orders].map((row) => [row.account_id, row]));
  const trialOf = new Map([...trials].map((row) => [row.account_id, row]));
  const instancesOf = byAccount(instances);
  const provisioningOf = new Map([...provisioning].map((row) => [row.account_id, row]));
  const reachedOf = new Map([...reached].map((row) => [row.instance_id, row]));
  const activityOf = new Map([...activity].map((row) => [row.account_id, row]));
  const usersOf = new Map([...users28].map((row) => [row.account_id, row.users]));
  const featuresOf = new Map([...features].map((row) => [row.account_id, row]));
  const leadOf = new Map([...leads].map((row) => [row.organisation_id, row]));
  const contactsOf = new Map([...contacts].map((row) => [row.account_id, row]));
  const signalsOf = byAccount(signals);

  const byId = new Map([...accounts].map((row) => [row.id, row]));
  return unique.flatMap((accountId): AccountFacts[] => {
    const account = byId.get(accountId);
    if (!account) return [];
    const subs = (subsOf.get(accountId) ?? []).map((row) => subscriptionFacts(row));
    const seatsBySub = new Map((subsOf.get(accountId) ?? []).map((row) => [row.id, row.seats ?? row.quantity]));
    const trialRow = trialOf.get(accountId);
    const trial: TrialFacts | null = trialRow
      ? {
          id: trialRow.id,
          planSlug: trialRow.plan_slug,
          status: trialRow.status,
          startedAt: new Date(trialRow.started_at),
          clockStartedAt: date(trialRow.clock_started_at),
          endsAt: date(trialRow.ends_at),
          manualSetup: Boolean(trialRow.manual),
        }
      : null;
    const accountInstances = instancesOf.get(accountId) ?? [];
    const paying = subs.filter(isPaying);
    const payingInstanceIds = new Set(
      (subsOf.get(accountId) ?? []).flatMap((row) =>
        row.instance_id && paying.some((s) => s.id === row.id) ? [row.instance_id] : [],
      ),
    );
    const main = mainInstance(accountInstances, payingInstanceIds, trialRow);
    const milestoneRow = main ? reachedOf.get(main.id) : undefined;
    const order = ordersOf.get(accountId);
    const setupRow = provisioningOf.get(accountId);
    const firstSetup = date(setupRow?.first_setup_at);
    const trialClock = trial?.clockStartedAt ?? null;
    const serviceStartedAt =
      firstSetup && trialClock ? (firstSetup < trialClock ? firstSetup : trialClock) : (firstSetup ?? trialClock);
    const live = accountInstances.filter((i) => i.status !== "deprovisioned");
    const seatsBought = paying.length
      ? paying.reduce((sum, s) => sum + (seatsBySub.get(s.id) ?? s.quantity), 0)
      : trial?.status === "active"
        ? (accountInstances.find((i) => i.id === trialRow?.instance_id)?.seats ?? 0)
        : 0;
    const act = activityOf.get(accountId);
    const signal = (kind: string) => date(signalsOf.get(accountId)?.find((s) => s.kind === kind)?.last_at);
    const checkoutOpenedAt = signal("checkout_opened");
    const lastPaid = date(order?.last_paid_at);
    const lastOpen = date(order?.last_open_at);
    const unpaidSince = (opened: Date | null) =>
      opened !== null && opened.toISOString() >= recent && (!lastPaid || lastPaid < opened);
    const lead = leadOf.get(accountId);
    const contact = contactsOf.get(accountId);
    return [
      {
        accountId,
        name: account.name,
        createdAt: new Date(account.created_at),
        now,
        assignedStaffId: account.assigned_staff_id,
        subscriptions: subs,
        firstPaidAt: date(order?.first_paid_at),
        serviceStartedAt,
        trial,
        milestones: {
          planned: num(main?.planned),
          reached: Math.min(num(milestoneRow?.reached), num(main?.planned)),
          lastReachedAt: date(milestoneRow?.last_at),
        },
        usage: {
          hasData: Boolean(act?.has_data),
          activeUsers28d: usersOf.get(accountId) ?? 0,
          seatsBought,
          activeDays28d: num(act?.active_days),
          featuresUsed28d: num(featuresOf.get(accountId)?.used28),
          featuresEverUsed: num(featuresOf.get(accountId)?.used90),
          lastActiveAt: act?.last_active_day ? new Date(`${act.last_active_day}T00:00:00Z`) : null,
          maxLimitShare: maxLimitShare(live),
        },
        setup: {
          failedSince: date(setupRow?.failed_since),
          waitingCustomerSince: date(setupRow?.waiting_customer_since),
          waitingStaffSince: date(setupRow?.waiting_staff_since),
        },
        payment: paymentOf(paying),
        contactRequests: { last30d: num(contact?.last30d), lastAt: date(contact?.last_at) },
        lead: lead
          ? { id: lead.id, verdict: lead.verdict, score: Number(lead.score), companySize: lead.company_size }
          : null,
        signals: {
          pricingViewedAt: signal("pricing_viewed"),
          billingViewedAt: signal("billing_viewed"),
          upgradePreviewAt: signal("upgrade_preview"),
          checkoutOpenedAt,
          checkoutUnpaid: unpaidSince(lastOpen) || unpaidSince(checkoutOpenedAt),
        },
      },
    ];
  });
}

/** A subscription as the batch query reads it, with its price. */
type SubscriptionRow = {
  id: string;
  status: string;
  plan_slug: string | null;
  quantity: number;
  current_period_end: string | null;
  payment_failed_at: string | null;
  cancel_at_period_end: boolean;
  ended_at: string | null;
  mrr_minor: number | string;
  currency: string | null;
  interval: "month" | "year" | null;
};

function subscriptionFacts(row: SubscriptionRow): SubscriptionFacts {
  return {
    id: row.id,
    status: row.status,
    planSlug: row.plan_slug,
    quantity: row.quantity,
    interval: row.interval,
    mrrMinor: num(row.mrr_minor),
    currency: row.currency,
    currentPeriodEnd: date(row.current_period_end),
    paymentFailedAt: date(row.payment_failed_at),
    cancelAtPeriodEnd: row.cancel_at_period_end,
    endedAt: date(row.ended_at),
  };
}

/**
 * The instance whose plan's milestones count: a paying subscription's (newest), else the latest
 * trial's when active, else the newest instance not removed.
 */
function mainInstance(
  instances: Instance[],
  paying: Set<string>,
  trial: { status: string; instance_id: string } | undefined,
): Instance | undefined {
  const newestFirst = [...instances].sort(
    (a, b) => new Date(b.created_at).getTime() - new Date(a.created_at).getTime(),
  );
  return (
    newestFirst.find((i) => paying.has(i.id)) ??
    (trial?.status === "active" ? newestFirst.find((i) => i.id === trial.instance_id) : undefined) ??
    newestFirst.find((i) => i.status !== "deprovisioned")
  );
}

/** The highest share of a finite, non-zero plan limit in use across live instances; null without any. */
function maxLimitShare(instances: Instance[]): number | null {
  let max: number | null = null;
  for (const instance of instances) {
    for (const feature of LIMIT_FEATURES) {
      const limit = instance.limits?.[feature];
      const used = traitNumber(instance.traits?.[feature]);
      if (typeof limit !== "number" || limit <= 0 || used === null) continue;
      max = Math.max(max ?? 0, used / limit);
    }
  }
  return max;
}

/** The worst payment state of the live subscriptions: unpaid, past due, failing (latest payment failed), ok. */
function paymentOf(paying: SubscriptionFacts[]): AccountFacts["payment"] {
  const failed = paying.map((s) => s.paymentFailedAt).filter((at): at is Date => at !== null);
  const failingSince = failed.length ? new Date(Math.min(...failed.map((at) => at.getTime()))) : null;
  const worstStatus = paying.some((s) => s.status === "unpaid")
    ? "unpaid"
    : paying.some((s) => s.status === "past_due")
      ? "past_due"
      : failingSince
        ? "failing"
        : "ok";
  return { failingSince, worstStatus };
}
