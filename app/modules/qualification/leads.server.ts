import { and, desc, eq, gte, lt, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "#db/client";
import { leads, organisations } from "#db/schema";
import type { FitResult } from "./evaluate";
import { decodeCursor, encodeCursor } from "#db/keyset-cursor";

export const LEADS_PAGE_SIZE = 25;
/** Someone asking for a sales conversation unprompted is as warm as a lead gets. */
const SALES_REQUEST_SCORE = 90;

export async function saveLead(
  db: DbOrTx,
  lead: {
    answers: Record<string, unknown>;
    verdict: string;
    planSlug: string | null;
    score: number;
    result: Record<string, unknown>;
    attribution: Record<string, unknown> | null;
    userId: string | null;
    organisationId: string | null;
  },
): Promise<string> {
  const [row] = await db.insert(leads).values(lead).returning({ id: leads.id });
  return row!.id;
}

export async function findLead(db: DbOrTx, id: string) {
  if (!z.uuid().safeParse(id).success) return null;
  const [row] = await db
    .select({ lead: leads, organisationName: organisations.name })
    .from(leads)
    .leftJoin(organisations, eq(organisations.id, leads.organisationId))
    .where(eq(leads.id, id));
  return row ? { ...row.lead, organisationName: row.organisationName } : null;
}

/**
 * A prospect asks about a plan staff sell ("contact us"): stored as a lead that asks to be
 * contacted, so it sits in the staff leads list beside qualified ones.
 */
export async function saveSalesRequest(
  db: DbOrTx,
  request: {
    plan: { slug: string; name: string };
    contact: { email: string; company: string; seats: number; message: string };
    attribution: Record<string, unknown> | null;
    userId: string | null;
    organisationId: string | null;
  },
): Promise<string> {
  const { plan, contact } = request;
  const result: FitResult = {
    verdict: "talk_to_us",
    planSlug: plan.slug,
    requirements: [],
    reasons: [`Asked to talk about the ${plan.name} plan for ${contact.seats} users at ${contact.company}.`],
    estimatedMonthly: null,
    score: SALES_REQUEST_SCORE,
  };
  const [row] = await db
    .insert(leads)
    .values({
      answers: { source: "contact_sales", company: contact.company, seats: contact.seats },
      verdict: result.verdict,
      planSlug: plan.slug,
      score: result.score,
      result,
      attribution: request.attribution,
      userId: request.userId,
      organisationId: request.organisationId,
      contactRequestedAt: sql`now()`,
      contactEmail: contact.email,
      contactMessage: contact.message,
    })
    .returning({ id: leads.id });
  return row!.id;
}

/** The prospect asks staff to get in touch; the lead shows it in the staff list. */
export async function requestContact(
  db: DbOrTx,
  id: string,
  contact: { email: string; message: string },
): Promise<boolean> {
  const [row] = await db
    .update(leads)
    .set({ contactRequestedAt: sql`now()`, contactEmail: contact.email, contactMessage: contact.message })
    .where(eq(leads.id, id))
    .returning({ id: leads.id });
  return Boolean(row);
}

/** A day typed into a filter (YYYY-MM-DD), ignored when malformed or outside the years 0001 to 9998 (`to` adds a day). */
const filterDay = z.iso
  .date()
  .refine((day) => day >= "0001-01-01" && day < "9999-01-01")
  .optional()
  .catch(undefined);

export const leadFiltersSchema = z.object({
  verdict: z.enum(["fits", "fits_higher_plan", "talk_to_us", "not_a_fit"]).optional().catch(undefined),
  plan: z
    .string()
    .regex(/^[a-z0-9-]{1,50}$/)
    .optional()
    .catch(undefined),
  from: filterDay,
  to: filterDay,
  cursor: z.string().optional().catch(undefined),
});
export type LeadFilters = z.infer<typeof leadFiltersSchema>;

/** Newest first, a page at a time; the cursor is the last row's (created_at, id), so pages stay fast as leads grow. */
export async function listLeads(db: DbOrTx, filters: LeadFilters, pageSize = LEADS_PAGE_SIZE) {
  const conditions: SQL[] = [];
  if (filters.verdict) conditions.push(eq(leads.verdict, filters.verdict));
  if (filters.plan) conditions.push(eq(leads.planSlug, filters.plan));
  if (filters.from) conditions.push(gte(leads.createdAt, new Date(`${filters.from}T00:00:00Z`)));
  if (filters.to)
    conditions.push(lt(leads.createdAt, new Date(new Date(`${filters.to}T00:00:00Z`).getTime() + 86_400_000)));
  const cursor = decodeCursor(filters.cursor, ["time", "uuid"] as const);
  if (cursor) {
    conditions.push(or(lt(leads.createdAt, cursor[0]), and(eq(leads.createdAt, cursor[0]), lt(leads.id, cursor[1])))!);
  }
  const rows = await db
    .select({
      id: leads.id,
      createdAt: leads.createdAt,
      verdict: leads.verdict,
      planSlug: leads.planSlug,
      score: leads.score,
      answers: leads.answers,
      contactRequestedAt: leads.contactRequestedAt,
      contactEmail: leads.contactEmail,
      organisationName: organisations.name,
    })
    .from(leads)
    .leftJoin(organisations, eq(organisations.id, leads.organisationId))
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(leads.createdAt), desc(leads.id))
    .limit(pageSize + 1);
  const page = rows.slice(0, pageSize);
  const last = page.at(-1);
  return { leads: page, nextCursor: rows.length > pageSize && last ? encodeCursor([last.createdAt, last.id]) : null };
}
