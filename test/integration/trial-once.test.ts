/**
 * Issue 11, case 6: no organisation gets a second trial of a product, whatever the path. One trial
 * per organisation and product, ever (staff may grant another, audited); none while the organisation
 * pays for the product; none before the email address is confirmed; two tabs get one trial; the plan
 * page says why instead of offering a trial that would be refused.
 */
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, memberships, organisations, subscriptions, trials, users } from "../../db/schema";
import { requireCatalog } from "../../app/modules/catalog/catalog.server";
import { trialUnavailableReason } from "../../app/modules/trials/eligibility.server";
import { sweepTrials } from "../../app/modules/trials/lifecycle.server";
import { grantAnotherTrial, startTrial } from "../../app/modules/trials/trials.server";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";

let database: TestDatabase;
const DAY = 24 * 60 * 60 * 1000;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await dropTestDatabase(database);
});

async function organisation(name: string, { verified = true, role = "owner" as "owner" | "member" } = {}) {
  const [user] = await database.db
    .insert(users)
    .values({ email: `${name}@once.test`, name, passwordHash: "x", emailVerifiedAt: verified ? new Date() : null })
    .returning();
  const [org] = await database.db
    .insert(organisations)
    .values({ name: `${name} Org` })
    .returning();
  await database.db.insert(memberships).values({ organisationId: org!.id, userId: user!.id, role });
  return { userId: user!.id, accountId: org!.id };
}

async function trialsOf(accountId: string) {
  return database.db.select().from(trials).where(eq(trials.accountId, accountId));
}

async function planPageReason(userId: string, accountId: string) {
  return trialUnavailableReason(database.db, await requireCatalog(database.db), { userId, organisationId: accountId });
}

async function expireTrials(accountId: string) {
  const [trial] = await trialsOf(accountId);
  await sweepTrials(database.db, "https://portal.test", new Date(trial!.endsAt!.getTime() + 60_000));
}

describe("one trial per organisation and product, ever", () => {
  it("refuses a second trial after the first expired, on the plan page and on submit, and the database refuses it too", async () => {
    const { userId, accountId } = await organisation("again");
    expect(await planPageReason(userId, accountId)).toBeNull();
    expect((await startTrial(database.db, accountId, "starter", userId)).ok).toBe(true);
    await expireTrials(accountId);

    const refusal =
      /^Your organisation has had its free trial of .+ \(Starter, ended \d+ \w+ \d{4}\); each organisation gets one\./;
    expect(await startTrial(database.db, accountId, "team", userId)).toEqual({
      ok: false,
      message: expect.stringMatching(refusal),
    });
    expect(await planPageReason(userId, accountId)).toMatch(refusal);
    expect(await trialsOf(accountId)).toHaveLength(1);

    // Whatever the path: a second ungranted trial row is refused by the unique index.
    const [first] = await trialsOf(accountId);
    await expect(
      database.db.insert(trials).values({ ...first!, id: undefined, status: "expired", planSlug: "team" }),
    ).rejects.toThrow();
  });

  it("refuses a trial while the organisation pays for the product, active, past due or in Stripe's trial", async () => {
    for (const status of ["active", "past_due", "trialing"]) {
      const { userId, accountId } = await organisation(`paying-${status}`);
      await database.db
        .insert(subscriptions)
        .values({ id: `sub_${status}_${accountId}`, accountId, status, planSlug: "starter", quantity: 1 });
      const refused = await startTrial(database.db, accountId, "team", userId);
      expect(refused).toEqual({
        ok: false,
        message:
          "Your organisation already pays for Starter, so there is no trial to start: to try another plan, change your plan on the billing page.",
      });
      expect(await planPageReason(userId, accountId)).toBe(refused.ok ? null : refused.message);
      expect(await trialsOf(accountId)).toHaveLength(0);
    }
    // A subscription that ended is not paying: an organisation that never had a trial may start one.
    const { userId, accountId } = await organisation("ended-sub");
    await database.db
      .insert(subscriptions)
      .values({ id: `sub_ended_${accountId}`, accountId, status: "canceled", planSlug: "starter", quantity: 1 });
    expect((await startTrial(database.db, accountId, "team", userId)).ok).toBe(true);
  });

  it("refuses a trial to a person whose email address is not confirmed, and to members", async () => {
    const unconfirmed = await organisation("unconfirmed", { verified: false });
    const message = "Confirm your email address first: use the link we sent you, then start your trial.";
    expect(await startTrial(database.db, unconfirmed.accountId, "team", unconfirmed.userId)).toEqual({
      ok: false,
      message,
    });
    expect(await planPageReason(unconfirmed.userId, unconfirmed.accountId)).toBe(message);
    const member = await organisation("member", { role: "member" });
    expect(await planPageReason(member.userId, member.accountId)).toBe(
      "Ask an owner or admin of member Org to start the trial; members cannot start one.",
    );
  });

  it("gives two tabs starting trials at once one trial", async () => {
    const { userId, accountId } = await organisation("tabs");
    const results = await Promise.all([
      startTrial(database.db, accountId, "team", userId),
      startTrial(database.db, accountId, "starter", userId),
      startTrial(database.db, accountId, "team", userId),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.message.startsWith("Your organisation"))).toBe(true);
    expect(await trialsOf(accountId)).toHaveLength(1);
  });

  it("lets staff grant one more trial, audited with the reason; the grant is used once", async () => {
    const { userId, accountId } = await organisation("granted");
    const [staff] = await database.db
      .insert(users)
      .values({ email: "grantor@staff.test", name: "Grace", passwordHash: "x", staffRole: "staff" })
      .returning();
    await startTrial(database.db, accountId, "starter", userId);
    await expireTrials(accountId);
    expect((await startTrial(database.db, accountId, "team", userId)).ok).toBe(false);

    expect(await grantAnotherTrial(database.db, staff!, accountId, "Pilot restarted with a new team")).toEqual({
      ok: true,
    });
    expect(await grantAnotherTrial(database.db, staff!, accountId, "twice")).toEqual({
      ok: false,
      message: "This organisation may already start another trial; it has not used it yet.",
    });
    const [audit] = await database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.organisationId, accountId), eq(auditEvents.action, "trial.granted")));
    expect(audit).toMatchObject({
      actorType: "staff",
      actorId: staff!.id,
      details: { reason: "Pilot restarted with a new team" },
    });

    expect(await planPageReason(userId, accountId)).toBeNull();
    const [second, third] = await Promise.all([
      startTrial(database.db, accountId, "team", userId),
      startTrial(database.db, accountId, "team", userId),
    ]);
    expect([second, third].filter((r) => r.ok)).toHaveLength(1);
    const all = await trialsOf(accountId);
    expect(all).toHaveLength(2);
    expect(all.filter((t) => t.grantId !== null)).toHaveLength(1);

    // After the granted trial, the rule applies again.
    await database.db
      .update(trials)
      .set({ status: "expired", expiredAt: sql`now()`, endsAt: new Date(Date.now() - DAY) })
      .where(eq(trials.accountId, accountId));
    expect((await startTrial(database.db, accountId, "team", userId)).ok).toBe(false);
  });
});
