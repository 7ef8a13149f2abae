import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, leads, memberships, organisations, sessions, users } from "../../db/schema";
import {
  authenticate,
  changePassword,
  confirmEmailChange,
  requestEmailChange,
  requestPasswordReset,
  resetPassword,
  resetTokenUser,
  signUp,
  verifyEmail,
} from "../../app/modules/accounts/accounts.server";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { linkIn, queuedEmails } from "../support/jobs";

let database: TestDatabase;
let deps: { db: TestDatabase["db"]; config: { appUrl: string; sessionSecret: string } };

beforeAll(async () => {
  database = await createTestDatabase();
  deps = { db: database.db, config: { appUrl: "https://portal.test", sessionSecret: "s".repeat(32) } };
});
afterAll(async () => {
  await dropTestDatabase(database);
});

function tokenOf(link: string): string {
  return new URL(link).searchParams.get("token")!;
}

async function signUpPerson(email: string, extras = {}) {
  await signUp(
    deps,
    { name: "Ada Lovelace", email, password: "correct horse battery", company: "Analytical Engines" },
    extras,
  );
  const [user] = await database.db.select().from(users).where(eq(users.email, email));
  return user!;
}

describe("signUp", () => {
  it("creates the person, an organisation they own, an audit record and a verification email in one go", async () => {
    const [lead] = await database.db
      .insert(leads)
      .values({ answers: {}, verdict: "fits", planSlug: "team", score: 50, result: {} })
      .returning();
    const user = await signUpPerson("ada@engines.test", {
      attribution: { utm_source: "newsletter" },
      intent: { leadId: lead!.id },
    });
    expect(user.emailVerifiedAt).toBeNull();
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    const [membership] = await database.db.select().from(memberships).where(eq(memberships.userId, user.id));
    expect(membership?.role).toBe("owner");
    const [organisation] = await database.db
      .select()
      .from(organisations)
      .where(eq(organisations.id, membership!.organisationId));
    expect(organisation).toMatchObject({ name: "Analytical Engines", attribution: { utm_source: "newsletter" } });
    // The lead is linked when the address is confirmed (signup-intent.test.ts), not before.
    const [waitingLead] = await database.db.select().from(leads).where(eq(leads.id, lead!.id));
    expect(waitingLead).toMatchObject({ organisationId: null, userId: null });
    const audit = await database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, user.id));
    expect(audit.map((a) => a.action)).toContain("user.signed_up");
    const [email] = await queuedEmails(database, "ada@engines.test");
    expect(email?.subject).toMatch(/Confirm your email/);
  });

  it("emails the owner of an existing address instead of creating anything", async () => {
    const before = await database.db.select().from(organisations);
    await signUp(deps, {
      name: "Mallory",
      email: "ada@engines.test",
      password: "another long password",
      company: "Evil",
    });
    expect(await database.db.select().from(organisations)).toHaveLength(before.length);
    const emails = await queuedEmails(database, "ada@engines.test");
    expect(emails.at(-1)?.subject).toMatch(/already have/);
  });
});

describe("verifyEmail", () => {
  it("confirms the address with the emailed link, and refuses a tampered one", async () => {
    const user = await signUpPerson("grace@navy.test");
    const link = linkIn((await queuedEmails(database, "grace@navy.test"))[0]!.text, "/verify-email?token=");
    const token = tokenOf(link);
    expect(await verifyEmail(deps, `${token.slice(0, -2)}xx`)).toBeNull();
    expect(await verifyEmail(deps, token)).toEqual({ userId: user.id, confirmedNow: true, intent: {} });
    expect(await verifyEmail(deps, token)).toEqual({ userId: user.id, confirmedNow: false, intent: {} });
    const [verified] = await database.db.select().from(users).where(eq(users.id, user.id));
    expect(verified?.emailVerifiedAt).toBeInstanceOf(Date);
  });
});

describe("authenticate", () => {
  it("accepts the right password only", async () => {
    expect(await authenticate(database.db, "ada@engines.test", "correct horse battery")).not.toBeNull();
    expect(await authenticate(database.db, "ada@engines.test", "wrong password")).toBeNull();
    expect(await authenticate(database.db, "nobody@engines.test", "correct horse battery")).toBeNull();
  });
});

describe("password reset", () => {
  it("works once, signs out every session and is silent for unknown addresses", async () => {
    const user = await signUpPerson("linus@kernel.test");
    await database.db
      .insert(sessions)
      .values({ id: "a".repeat(64), userId: user.id, expiresAt: new Date(Date.now() + 60_000) });
    await requestPasswordReset(deps, "unknown@kernel.test");
    expect(await queuedEmails(database, "unknown@kernel.test")).toEqual([]);

    await requestPasswordReset(deps, "linus@kernel.test");
    const token = tokenOf(
      linkIn((await queuedEmails(database, "linus@kernel.test")).at(-1)!.text, "/reset-password?token="),
    );
    expect(await resetTokenUser(deps, token)).not.toBeNull();
    expect(await resetPassword(deps, token, "a brand new password")).toBe(true);
    expect(await resetPassword(deps, token, "yet another password")).toBe(false);
    expect(await authenticate(database.db, "linus@kernel.test", "a brand new password")).not.toBeNull();
    expect(await database.db.select().from(sessions).where(eq(sessions.userId, user.id))).toEqual([]);
  });
});

describe("changePassword", () => {
  it("needs the current password and keeps only this session", async () => {
    const user = await signUpPerson("barbara@liskov.test");
    await database.db.insert(sessions).values([
      { id: "b".repeat(64), userId: user.id, expiresAt: new Date(Date.now() + 60_000) },
      { id: "c".repeat(64), userId: user.id, expiresAt: new Date(Date.now() + 60_000) },
    ]);
    expect(await changePassword(deps, user.id, "b".repeat(64), "not it", "new password here")).toEqual({
      ok: false,
      field: "currentPassword",
      message: "That is not your current password",
    });
    expect(await changePassword(deps, user.id, "b".repeat(64), "correct horse battery", "new password here")).toEqual({
      ok: true,
    });
    const left = await database.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, user.id));
    expect(left).toEqual([{ id: "b".repeat(64) }]);
  });
});

describe("email change", () => {
  it("happens only when the new address confirms, and tells the old one", async () => {
    const user = await signUpPerson("edsger@dijkstra.test");
    expect((await requestEmailChange(deps, user.id, "ed@dijkstra.test", "wrong")).ok).toBe(false);
    expect(await requestEmailChange(deps, user.id, "ed@dijkstra.test", "correct horse battery")).toEqual({ ok: true });
    const [unchanged] = await database.db.select().from(users).where(eq(users.id, user.id));
    expect(unchanged?.email).toBe("edsger@dijkstra.test");
    const token = tokenOf(
      linkIn((await queuedEmails(database, "ed@dijkstra.test"))[0]!.text, "/confirm-email-change?token="),
    );
    expect(await confirmEmailChange(deps, token)).toBe("changed");
    expect(await confirmEmailChange(deps, token)).toBe("invalid");
    const [changed] = await database.db.select().from(users).where(eq(users.id, user.id));
    expect(changed?.email).toBe("ed@dijkstra.test");
    expect((await queuedEmails(database, "edsger@dijkstra.test")).at(-1)?.subject).toMatch(/was changed/);
  });

  it("refuses an address another account took meanwhile", async () => {
    const user = await signUpPerson("alan@turing.test");
    await requestEmailChange(deps, user.id, "grace@navy.test", "correct horse battery");
    const token = tokenOf(
      linkIn((await queuedEmails(database, "grace@navy.test")).at(-1)!.text, "/confirm-email-change?token="),
    );
    expect(await confirmEmailChange(deps, token)).toBe("taken");
  });
});
