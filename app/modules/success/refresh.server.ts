/**
 * The health job (issue 16 item 2, ADR 22): for a batch of accounts, facts → health → lifecycle
 * stage → PQL score → `account_success` and today's `health_snapshots` row → playbooks. Set-based
 * throughout: a chunk of 1,000 accounts is a dozen reads and two bulk writes
 * (`jsonb_to_recordset`), never a statement per account, so 100,000 accounts fit in a minute.
 */
import { sql } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import type { HealthBand, HealthProfile } from "#db/schema";
import { attentionOf } from "./attention";
import type { AccountFacts } from "./facts";
import { loadAccountFacts } from "./facts.server";
import { scoreHealth, type HealthResult } from "./health";
import { overridesInForce } from "./overrides.server";
import { evaluatePlaybooks } from "./playbooks.server";
import { scorePql } from "./pql";
import { isPaying, lifecycleStage } from "./stage";
import { currentWeights, type WeightsInForce } from "./weights.server";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Accounts per chunk of `refreshAllAccounts`. */
export const REFRESH_CHUNK = 1_000;
/** A fall of this many points (computed score) within 7 days is a drop staff are alerted to. */
export const DROP_POINTS = 15;

const utcDay = (at: Date, daysBefore = 0) => new Date(at.getTime() - daysBefore * DAY_MS).toISOString().slice(0, 10);
const uuidArray = (ids: string[]) => sql`${`{${ids.join(",")}}`}::uuid[]`;

/** An account is scored while it has a service: a live paid subscription or an active trial. */
function inService(facts: AccountFacts): boolean {
  return facts.subscriptions.some(isPaying) || facts.trial?.status === "active";
}

type Past = {
  account_id: string;
  score7: number | null;
  score30: number | null;
  max7: number | null;
  dropped_at: string | null;
  search_emails: string | null;
};

/**
 * For each account: the snapshot score 7 and 30 days ago (the latest within the week before
 * each mark), the highest computed score of the last 7 days before today, the current drop mark
 * and members' emails. Each lookup is a few rows of a primary key or index.
 */
async function loadPast(db: DbOrTx, ids: string[], now: Date): Promise<Map<string, Past>> {
  const rows = await db.execute<Past>(sql`
    select a.id as account_id,
      (select s.score from health_snapshots s where s.account_id = a.id
          and s.day <= ${utcDay(now, 7)}::date and s.day > ${utcDay(now, 14)}::date order by s.day desc limit 1) as score7,
      (select s.score from health_snapshots s where s.account_id = a.id
          and s.day <= ${utcDay(now, 30)}::date and s.day > ${utcDay(now, 37)}::date order by s.day desc limit 1) as score30,
      (select max(s.computed_score) from health_snapshots s where s.account_id = a.id
          and s.day >= ${utcDay(now, 7)}::date and s.day < ${utcDay(now)}::date) as max7,
      x.health_dropped_at as dropped_at,
      (select string_agg(u.email, ' ' order by u.email) from memberships m join users u on u.id = m.user_id
        where m.organisation_id = a.id) as search_emails
    from unnest(${uuidArray(ids)}) as a(id)
    left join account_success x on x.account_id = a.id`);
  return new Map([...rows].map((row) => [row.account_id, row]));
}

/** Lowercased name, member emails and their domains: what the portfolio search matches. */
export function searchText(name: string, emails: string[]): string {
  const domains = [...new Set(emails.map((email) => email.split("@")[1] ?? "").filter(Boolean))];
  return [name, ...emails, ...domains].join(" ").toLowerCase();
}

/**
 * When the drop alert is set: the computed score fell `DROP_POINTS` or more below the highest of
 * the 7 days before today. Once per drop: a mark set within the last 7 days (the same fall) is
 * kept, a new fall later sets a new one; without a fall the last mark stays (the staff home lists
 * recent ones only).
 */
export function dropMark(computed: number | null, max7: number | null, previous: Date | null, now: Date): Date | null {
  if (computed === null || max7 === null || max7 - computed < DROP_POINTS) return previous;
  return previous && now.getTime() - previous.getTime() < 7 * DAY_MS ? previous : now;
}

type Prepared = { facts: AccountFacts[]; snapshots: object[]; standings: object[]; now: Date; weights: WeightsInForce };

/** Reads a chunk's facts, overrides and past snapshots, and computes what `writeChunk` stores. */
async function prepareChunk(db: DbOrTx, accountIds: string[], now: Date, weights: WeightsInForce): Promise<Prepared> {
  const [facts, overrides, past] = await Promise.all([
    loadAccountFacts(db, accountIds, now),
    overridesInForce(db, accountIds, now),
    loadPast(db, accountIds, now),
  ]);
  const snapshots: (Pick<HealthResult, "score" | "band" | "profile" | "computedScore" | "measures" | "overrideId"> & {
    account_id: string;
  })[] = [];
  const standings = facts.map((f) => {
    const health = inService(f) ? scoreHealth(f, weights.weights, overrides.get(f.accountId) ?? null, now) : null;
    if (health) snapshots.push({ account_id: f.accountId, ...health });
    const { stage, stageDay } = lifecycleStage(f, health);
    const pql = scorePql(f);
    const before = past.get(f.accountId);
    const droppedAt = dropMark(
      health?.computedScore ?? null,
      before?.max7 ?? null,
      before?.dropped_at ? new Date(before.dropped_at) : null,
      now,
    );
    const paying = f.subscriptions.filter(isPaying);
    const currency =
      paying.find((s) => s.mrrMinor > 0 && s.currency)?.currency ?? paying.find((s) => s.currency)?.currency ?? null;
    const activeTrial = f.trial?.status === "active" ? f.trial : null;
    const score = health?.score ?? null;
    const band: HealthBand | null = health?.band ?? null;
    const profile: HealthProfile | null = health?.profile ?? null;
    return {
      account_id: f.accountId,
      stage,
      stage_day: stageDay,
      health_score: score,
      health_band: band,
      health_profile: profile,
      health_change_7d: score !== null && before?.score7 != null ? score - before.score7 : null,
      health_change_30d: score !== null && before?.score30 != null ? score - before.score30 : null,
      health_dropped_at: droppedAt?.toISOString() ?? null,
      pql_score: pql?.score ?? null,
      pql_reasons: pql?.reasons ?? null,
      mrr_minor: paying.filter((s) => s.currency === currency).reduce((sum, s) => sum + s.mrrMinor, 0),
      currency,
      plan_slugs: [
        ...new Set([
          ...paying.flatMap((s) => (s.planSlug ? [s.planSlug] : [])),
          ...(activeTrial ? [activeTrial.planSlug] : []),
        ]),
      ],
      trial_ends_at: activeTrial?.endsAt?.toISOString() ?? null,
      attention: attentionOf({ facts: f, stage, score, band, droppedAt }),
      search: searchText(f.name, before?.search_emails?.split(" ") ?? []),
    };
  });
  return { facts, snapshots, standings, now, weights };
}

/** Stores a prepared chunk in one transaction: today's snapshots, the standings, then (unless told not to) the playbooks. */
async function writeChunk(
  db: DbOrTx,
  { facts, snapshots, standings, now, weights }: Prepared,
  playbooks: boolean,
): Promise<number> {
  if (!facts.length) return 0;
  const today = utcDay(now);
  await db.transaction(async (tx) => {
    if (snapshots.length)
      await tx.execute(sql`
        insert into health_snapshots
          (account_id, day, score, band, profile, computed_score, measures, weights_version, override_id, computed_at)
        select r.account_id, ${today}::date, r.score, r.band, r.profile, r."computedScore", r.measures,
               ${weights.version}, r."overrideId", ${now.toISOString()}::timestamptz
          from jsonb_to_recordset(${JSON.stringify(snapshots)}::jsonb) as r(account_id uuid, score smallint, band text,
               profile text, "computedScore" smallint, measures jsonb, "overrideId" uuid)
         order by r.account_id
        on conflict (account_id, day) do update set
          score = excluded.score, band = excluded.band, profile = excluded.profile,
          computed_score = excluded.computed_score, measures = excluded.measures,
          weights_version = excluded.weights_version, override_id = excluded.override_id,
          computed_at = excluded.computed_at`);
    await tx.execute(sql`
      update account_success a set
        stage = r.stage, stage_day = r.stage_day, health_score = r.health_score, health_band = r.health_band,
        health_profile = r.health_profile, health_change_7d = r.health_change_7d, health_change_30d = r.health_change_30d,
        health_dropped_at = r.health_dropped_at, pql_score = r.pql_score, pql_reasons = r.pql_reasons,
        mrr_minor = r.mrr_minor, currency = r.currency, plan_slugs = r.plan_slugs, trial_ends_at = r.trial_ends_at,
        attention = r.attention, search = r.search, computed_at = ${now.toISOString()}::timestamptz
      from jsonb_to_recordset(${JSON.stringify(standings)}::jsonb) as r(account_id uuid, stage text, stage_day int,
           health_score smallint, health_band text, health_profile text, health_change_7d smallint,
           health_change_30d smallint, health_dropped_at timestamptz, pql_score smallint, pql_reasons jsonb,
           mrr_minor bigint, currency text, plan_slugs text[], trial_ends_at timestamptz, attention smallint, search text)
      where a.account_id = r.account_id`);
    if (playbooks) await evaluatePlaybooks(tx, facts, now);
  });
  return facts.length;
}

/**
 * Runs the chunks through prepare and write, reading the next chunk while the current one is
 * written (they touch different accounts), so the database and the scoring overlap.
 */
async function pipeline(
  db: DbOrTx,
  chunks: AsyncIterable<string[]> | Iterable<string[]>,
  now: Date,
  weights: WeightsInForce,
  playbooks = true,
): Promise<number> {
  let accounts = 0;
  let pending: Promise<number> = Promise.resolve(0);
  for await (const ids of chunks) {
    const [written, chunk] = await Promise.all([pending, prepareChunk(db, ids, now, weights)]);
    accounts += written;
    pending = writeChunk(db, chunk, playbooks);
    // Marked handled now, so a failed write waiting for the next page's ids is not an unhandled
    // rejection (which ends the process); it still throws where it is awaited.
    pending.catch(() => undefined);
  }
  return accounts + (await pending);
}

/**
 * Recomputes these accounts' standing (stage, health, trend, drop alert, PQL, MRR, plans, trial
 * end, attention, search), upserts today's health snapshot (UTC day; overwritten until the day
 * ends) for those in service, and evaluates the playbooks (unless `playbooks` is false: a replay
 * of past days that should not hand staff tasks already overdue), in one transaction per chunk of
 * 1,000. Unknown ids are skipped. Returns how many accounts were refreshed.
 */
export async function refreshAccounts(
  db: DbOrTx,
  accountIds: string[],
  now: Date,
  { playbooks = true }: { playbooks?: boolean } = {},
): Promise<{ accounts: number }> {
  const weights = await currentWeights(db);
  const chunks: string[][] = [];
  for (let i = 0; i < accountIds.length; i += REFRESH_CHUNK) chunks.push(accountIds.slice(i, i + REFRESH_CHUNK));
  return { accounts: await pipeline(db, chunks, now, weights, playbooks) };
}

/** Every organisation id in keyset pages of `REFRESH_CHUNK`, by id. */
async function* organisationChunks(db: DbOrTx): AsyncGenerator<string[]> {
  let after: string | null = null;
  for (;;) {
    const rows: { id: string }[] = [
      ...(await db.execute<{ id: string }>(sql`
        select id from organisations ${after ? sql`where id > ${after}::uuid` : sql``} order by id limit ${REFRESH_CHUNK}`)),
    ];
    if (!rows.length) return;
    after = rows.at(-1)!.id;
    yield rows.map((row) => row.id);
  }
}

/**
 * Recomputes every account (see `refreshAccounts`) in keyset chunks of 1,000 by organisation id,
 * with the weights in force when it starts. The hourly `cs_refresh_all` job runs it; the bench
 * measures it. Returns how many accounts were refreshed.
 */
export async function refreshAllAccounts(db: DbOrTx, now: Date): Promise<{ accounts: number }> {
  const weights = await currentWeights(db);
  return { accounts: await pipeline(db, organisationChunks(db), now, weights) };
}
