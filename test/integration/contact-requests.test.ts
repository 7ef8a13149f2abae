import { readdirSync, readFileSync } from "node:fs";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, contactRequests, leads, users } from "../../db/schema";
import { findLead, listLeads, requestContact, saveSalesRequest } from "../../app/modules/qualification/leads.server";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await dropTestDatabase(database);
});

async function newLead(): Promise<string> {
  const [lead] = await database.db
    .insert(leads)
    .values({ answers: {}, verdict: "fits", planSlug: "team", score: 50, result: {} })
    .returning({ id: leads.id });
  return lead!.id;
}

describe("rule: a sent contact request is never changed by a later one", () => {
  it("keeps the first request as sent and adds later ones beside it, with who and when", async () => {
    const id = await newLead();
    const [colleague] = await database.db
      .insert(users)
      .values({ email: "colleague@example.test", name: "Col League", passwordHash: "x" })
      .returning({ id: users.id });
    expect(await requestContact(database.db, id, { email: "cto@example.test", message: "Call me" })).toBe(true);
    const first = await findLead(database.db, id);
    // Someone else with the shared link asks too, signed in this time.
    expect(
      await requestContact(database.db, id, { email: "other@example.test", message: "Me instead" }, colleague!.id),
    ).toBe(true);

    const lead = await findLead(database.db, id);
    expect(lead!.contactRequestedAt).toEqual(first!.contactRequestedAt);
    expect(lead!.contactRequests).toEqual([
      expect.objectContaining({ email: "cto@example.test", message: "Call me", senderEmail: null }),
      expect.objectContaining({
        email: "other@example.test",
        message: "Me instead",
        senderName: "Col League",
        senderEmail: "colleague@example.test",
      }),
    ]);
    expect(lead!.contactRequests[0]).toEqual(first!.contactRequests[0]);
    const audited = await database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, id));
    expect(audited.map((event) => [event.action, event.actorType])).toEqual([
      ["lead.contact_requested", "anonymous"],
      ["lead.contact_requested", "user"],
    ]);
    const [listed] = (await listLeads(database.db, {}, 100)).leads.filter((row) => row.id === id);
    expect(listed).toMatchObject({ contactEmail: "cto@example.test", contactRequestCount: 2 });
  });

  it("counts the same request sent twice at once (double click, two tabs) as one", async () => {
    const id = await newLead();
    const contact = { email: "twice@example.test", message: "Once is enough" };
    expect(await Promise.all([1, 2, 3].map(() => requestContact(database.db, id, contact)))).toEqual([
      true,
      true,
      true,
    ]);
    expect((await findLead(database.db, id))!.contactRequests).toHaveLength(1);
    const audited = await database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, id));
    expect(audited).toHaveLength(1);
  });

  it("refuses any change to a stored request, whatever code tries it", async () => {
    const id = await newLead();
    await requestContact(database.db, id, { email: "first@example.test", message: "" });
    await expect(
      database.db.update(contactRequests).set({ email: "attacker@example.test" }).where(eq(contactRequests.leadId, id)),
    ).rejects.toThrow();
    expect((await findLead(database.db, id))!.contactRequests.map((c) => c.email)).toEqual(["first@example.test"]);
  });

  it("knows no unknown lead, and adds nothing for it", async () => {
    expect(await requestContact(database.db, "not-a-uuid", { email: "a@example.test", message: "" })).toBe(false);
    expect(
      await requestContact(database.db, "00000000-0000-4000-8000-000000000000", {
        email: "a@example.test",
        message: "",
      }),
    ).toBe(false);
    expect(await findLead(database.db, "not-a-uuid")).toBeNull();
  });

  it("stores a sales request as a lead with its first contact request", async () => {
    const id = await saveSalesRequest(database.db, {
      plan: { slug: "enterprise", name: "Enterprise" },
      contact: { email: "buyer@example.test", company: "Buyer Co", seats: 40, message: "A proposal, please" },
      attribution: null,
      userId: null,
      organisationId: null,
    });
    const lead = await findLead(database.db, id);
    expect(lead!.contactRequestedAt).not.toBeNull();
    expect(lead!.contactRequests).toEqual([
      expect.objectContaining({ email: "buyer@example.test", message: "A proposal, please" }),
    ]);
  });
});

describe("migration 0015", () => {
  it("moves each lead's stored request into contact_requests, unchanged", async () => {
    const empty = await createTestDatabase({ empty: true });
    try {
      const folder = new URL("../../db/migrations/", import.meta.url);
      const files = readdirSync(folder)
        .filter((file) => file.endsWith(".sql"))
        .sort();
      const apply = async (file: string) => {
        for (const statement of readFileSync(new URL(file, folder), "utf8").split("--> statement-breakpoint"))
          if (statement.trim()) await empty.sql.unsafe(statement);
      };
      for (const file of files.filter((f) => f < "0015")) await apply(file);
      const [asked] = await empty.sql<{ id: string }[]>`
        insert into leads (answers, verdict, score, result, contact_requested_at, contact_email, contact_message)
        values ('{}', 'fits', 1, '{}', '2026-11-02T10:00:00Z', 'early@example.test', 'Call me') returning id`;
      await empty.sql`insert into leads (answers, verdict, score, result) values ('{}', 'fits', 1, '{}')`;
      await apply(files.find((f) => f.startsWith("0015"))!);
      const moved =
        await empty.sql`select lead_id, created_at = '2026-11-02T10:00:00Z' as asked_then, email, message, user_id from contact_requests`;
      expect(moved).toEqual([
        {
          lead_id: asked!.id,
          asked_then: true,
          email: "early@example.test",
          message: "Call me",
          user_id: null,
        },
      ]);
    } finally {
      await dropTestDatabase(empty);
    }
  });
});
