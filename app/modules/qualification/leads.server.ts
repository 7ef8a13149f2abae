import { and, asc, desc, eq, gte, isNotNull, lt, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "#db/client";
import { contactRequests, leads, organisations, users } from "#db/schema";
import { recordAudit, type Actor } from "~/lib/audit.server";
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

/** A lead with every contact request sent about it, oldest first, and who was signed in when it was sent. */
export async function findLead(db: DbOrTx, id: string) {
  if (!z.uuid().safeParse(id).success) return null;
  const [row] = await db
    .select({ lead: leads, organisationName: organisations.name })
    .from(leads)
    .leftJoin(organisations, eq(organisations.id, leads.organisationId))
    .where(eq(leads.id, id));
  if (!row) return null;
  const requests = await db
    .select({
      id: contactRequests.id,
      createdAt: contactRequests.createdAt,
      email: contactRequests.email,
      message: contactRequests.message,
      senderName: users.name,
      senderEmail: users.email,
    })
    .from(contactRequests)
    .leftJoin(users, eq(users.id, contactRequests.userId))
    .where(eq(contactRequests.leadId, id))
    .orderBy(asc(contactRequests.createdAt), asc(contactRequests.id));
  return { ...row.lead, organisationName: row.organisationName, contactRequests: requests };
}

type ContactInput = { email: string; message: string };

/**
 * Adds a contact request to the lead, in the caller's transaction: a new row each time, never a
 * change to an earlier one (the result link is shared, so a later sender may be someone else).
 * The same address and message again is the same request and adds nothing. The lead keeps when
 * it was first asked. Audited as `lead.contact_requested` when a row was added.
 */
async function addContactRequest(tx: DbOrTx, leadId: string, contact: ContactInput, userId: string | null) {
  const [added] = await tx
    .insert(contactRequests)
    .values({ leadId, email: contact.email, message: contact.message, userId })
    .onConflictDoNothing()
    .returning({ id: contactRequests.id });
  if (!added) return;
  await tx
    .update(leads)
    .set({ contactRequestedAt: sql`coalesce(${leads.contactRequestedAt}, now())` })
    .where(eq(leads.id, leadId));
  const actor: Actor = userId ? { type: "user", id: userId } : { type: "anonymous", id: null };
  await recordAudit(tx, actor, "lead.contact_requested", { type: "lead", id: leadId }, { contactRequestId: added.id });
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
  return db.transaction(async (tx) => {
    const [row] = await tx
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
      })
      .returning({ id: leads.id });
    await addContactRequest(tx, row!.id, contact, request.userId);
    return row!.id;
  });
}

/**
 * Someone holding the lead's result link asks staff to get in touch: added beside any earlier
 * request (see `addContactRequest`). False when there is no such lead.
 */
export async function requestContact(
  db: DbOrTx,
  id: string,
  contact: ContactInput,
  userId: string | null = null,
): Promise<boolean> {
  if (!z.uuid().safeParse(id).success) return false;
  return db.transaction(async (tx) => {
    const [lead] = await tx.select({ id: leads.id }).from(leads).where(eq(leads.id, id)).for("share");
    if (!lead) return false;
    await addContactRequest(tx, id, contact, userId);
    return true;
  });
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
  /** `requested`: only leads that asked to be contacted (the staff home's "contact requests" link). */
  contact: z.enum(["requested"]).optional().catch(undefined),
  from: filterDay,
  to: filterDay,
  cursor: z.string().optional().catch(undefined),
});
export type LeadFilters = z.infer<typeof leadFiltersSchema>;

/**
 * Newest first, a page at a time; the cursor is the last row's (created_at, id), so pages stay fast
 * as leads grow. Each filter reads its page in that order from an index ending (created_at, id):
 * `leads_created_idx` unfiltered or by date, `leads_verdict_created_idx`, `leads_plan_created_idx`,
 * and `leads_verdict_plan_created_idx` for a fit and a plan together (migration 0021, issue 16's
 * bench: a combination that matches nothing would otherwise read every lead of the fit).
 */
export async function listLeads(db: DbOrTx, filters: LeadFilters, pageSize = LEADS_PAGE_SIZE) {
  const conditions: SQL[] = [];
  if (filters.verdict) conditions.push(eq(leads.verdict, filters.verdict));
  if (filters.plan) conditions.push(eq(leads.planSlug, filters.plan));
  if (filters.contact) conditions.push(isNotNull(leads.contactRequestedAt));
  if (filters.from) conditions.push(gte(leads.createdAt, new Date(`${filters.from}T00:00:00Z`)));
  if (filters.to)
    conditions.push(lt(leads.createdAt, new Date(new Date(`${filters.to}T00:00:00Z`).getTime() + 86_400_000)));
  const cursor = decodeCursor(filters.cursor, ["time", "uuid"] as const);
  if (cursor) {
    // A row comparison bounds the index scan: a later page starts where the last one ended.
    conditions.push(sql`(${leads.createdAt}, ${leads.id}) < (${cursor[0].toISOString()}, ${cursor[1]})`);
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
      /** The first request's address; the lead's page shows them all. */
      contactEmail: sql<
        string | null
      >`(select ${contactRequests.email} from ${contactRequests} where ${contactRequests.leadId} = ${leads.id} order by ${contactRequests.createdAt}, ${contactRequests.id} limit 1)`,
      contactRequestCount: sql<number>`(select count(*)::int from ${contactRequests} where ${contactRequests.leadId} = ${leads.id})`,
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
