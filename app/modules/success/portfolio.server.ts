/**
 * The portfolio (`/staff/accounts`, issue 16 item 6): every account from `account_success` joined
 * to its organisation, searched and filtered, ordered by what needs attention (`attention`,
 * `account_id`), a keyset page at a time; the CSV export reads the same list in batches.
 */
import { and, asc, eq, gte, isNull, lt, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "#db/client";
import { decodeCursor, encodeCursor } from "#db/keyset-cursor";
import { accountSuccess, organisations, subscriptions, users } from "#db/schema";
import { failingPaymentWhere } from "./my-day.server";
import { DROPPED_DAYS, TRIAL_ENDING_DAYS } from "./portfolio-format";

export const PORTFOLIO_PAGE_SIZE = 25;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Bad filter values are dropped (the list shows unfiltered), never a 500 (ADR 14). */
const optional = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

export const portfolioFiltersSchema = z.object({
  /** Name, email or domain, any part of it; control characters refused. */
  q: optional(
    z
      .string()
      .trim()
      .toLowerCase()
      .min(1)
      .max(100)
      // eslint-disable-next-line no-control-regex
      .regex(/^[^\u0000-\u001f\u007f]*$/),
  ),
  stage: optional(z.enum(["prospect", "trial", "onboarding", "adopted", "at_risk", "churned"])),
  band: optional(z.enum(["red", "yellow", "green"])),
  plan: optional(z.string().regex(/^[a-z0-9-]{1,50}$/)),
  /** `me`, `unassigned` (the team's queue) or a staff member's id. */
  assigned: optional(z.union([z.enum(["me", "unassigned"]), z.uuid()])),
  trial: optional(z.enum(["ending"])),
  dropped: optional(z.enum(["recent"])),
  payment: optional(z.enum(["failing"])),
  cursor: optional(z.string()),
});
export type PortfolioFilters = z.infer<typeof portfolioFiltersSchema>;

/** `%`, `_` and `\` match themselves in the search, not as patterns. */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/** The attention value in a cursor: a small whole number, possibly negative (smallint). */
const ATTENTION = /^-?\d{1,5}$/;

function conditions(filters: PortfolioFilters, viewer: { staffId: string; now: Date }): SQL[] {
  const where: SQL[] = [];
  // The trigram GIN index (account_success_search_idx) answers `ilike '%…%'`.
  if (filters.q) where.push(sql`${accountSuccess.search} ilike ${`%${likeEscape(filters.q)}%`}`);
  if (filters.stage) where.push(eq(accountSuccess.stage, filters.stage));
  if (filters.band) where.push(eq(accountSuccess.healthBand, filters.band));
  if (filters.plan) where.push(sql`${accountSuccess.planSlugs} @> array[${filters.plan}]::text[]`);
  if (filters.assigned === "unassigned") where.push(isNull(accountSuccess.assignedStaffId));
  else if (filters.assigned)
    where.push(eq(accountSuccess.assignedStaffId, filters.assigned === "me" ? viewer.staffId : filters.assigned));
  if (filters.trial) {
    where.push(gte(accountSuccess.trialEndsAt, viewer.now));
    where.push(lt(accountSuccess.trialEndsAt, new Date(viewer.now.getTime() + TRIAL_ENDING_DAYS * DAY_MS)));
  }
  if (filters.dropped)
    where.push(gte(accountSuccess.healthDroppedAt, new Date(viewer.now.getTime() - DROPPED_DAYS * DAY_MS)));
  if (filters.payment)
    where.push(
      sql`${accountSuccess.accountId} in (select ${subscriptions.accountId} from ${subscriptions} where ${failingPaymentWhere})`,
    );
  const cursor = decodeCursor(filters.cursor, ["key", "uuid"] as const);
  if (cursor && ATTENTION.test(cursor[0])) {
    where.push(sql`(${accountSuccess.attention}, ${accountSuccess.accountId}) > (${Number(cursor[0])}, ${cursor[1]})`);
  }
  return where;
}

/**
 * One page of the portfolio: up to `pageSize` accounts after the filters' cursor, most in need of
 * attention first, and the next page's cursor (null on the last page). Money in minor units.
 */
export async function listPortfolio(
  db: DbOrTx,
  filters: PortfolioFilters,
  viewer: { staffId: string; now: Date },
  pageSize = PORTFOLIO_PAGE_SIZE,
) {
  const where = conditions(filters, viewer);
  const rows = await db
    .select({
      accountId: accountSuccess.accountId,
      name: organisations.name,
      stage: accountSuccess.stage,
      stageDay: accountSuccess.stageDay,
      healthScore: accountSuccess.healthScore,
      healthBand: accountSuccess.healthBand,
      healthChange7d: accountSuccess.healthChange7d,
      planSlugs: accountSuccess.planSlugs,
      mrrMinor: accountSuccess.mrrMinor,
      currency: accountSuccess.currency,
      assignedName: users.name,
      // Tells apart accounts of the same name; one primary-key lookup per listed row.
      ownerEmail: sql<string | null>`(select u.email from memberships m join users u on u.id = m.user_id
        where m.organisation_id = ${organisations.id} and m.role = 'owner' order by m.created_at limit 1)`,
      trialEndsAt: accountSuccess.trialEndsAt,
      attention: accountSuccess.attention,
    })
    .from(accountSuccess)
    .innerJoin(organisations, eq(organisations.id, accountSuccess.accountId))
    .leftJoin(users, eq(users.id, accountSuccess.assignedStaffId))
    .where(where.length ? and(...where) : undefined)
    .orderBy(asc(accountSuccess.attention), asc(accountSuccess.accountId))
    .limit(pageSize + 1);
  const page = rows.slice(0, pageSize);
  const last = page.at(-1);
  return {
    accounts: page,
    nextCursor: rows.length > pageSize && last ? encodeCursor([String(last.attention), last.accountId]) : null,
  };
}

export type PortfolioRow = Awaited<ReturnType<typeof listPortfolio>>["accounts"][number];

/**
 * Every account the filters match, in the list's order, `batchSize` rows at a time (keyset: each
 * batch one indexed query), for the CSV export. Ignores the filters' own cursor.
 */
export async function* portfolioBatches(
  db: DbOrTx,
  filters: PortfolioFilters,
  viewer: { staffId: string; now: Date },
  batchSize = 500,
): AsyncGenerator<PortfolioRow[]> {
  let cursor: string | undefined;
  do {
    const page = await listPortfolio(db, { ...filters, cursor }, viewer, batchSize);
    if (page.accounts.length) yield page.accounts;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}
