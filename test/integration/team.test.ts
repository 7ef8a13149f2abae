import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  auditEvents,
  memberships,
  plans,
  prices,
  priceVersions,
  sessions,
  subscriptions,
  users,
  type MembershipRole,
} from "../../db/schema";
import {
  createOrganisation,
  inviteMember,
  listPendingInvitations,
  revokeInvitation,
} from "../../app/modules/accounts/organisations.server";
import { seatUsage } from "../../app/modules/accounts/seats.server";
import { changeRole, leaveOrganisation, removeMember, transferOwnership } from "../../app/modules/accounts/team.server";
import { startTrial } from "../../app/modules/trials/trials.server";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { queuedEmails } from "../support/jobs";

/** Rules of issue 14, item 4: users bought versus used, and who may change whom in a team. */

let database: TestDatabase;
let deps: { db: TestDatabase["db"]; config: { appUrl: string; sessionSecret: string } };

beforeAll(async () => {
  database = await createTestDatabase();
  deps = { db: database.db, config: { appUrl: "https://portal.test", sessionSecret: "s".repeat(32) } };
});
afterAll(async () => {
  await dropTestDatabase(database);
});

type Person = { userId: string; name: string; email: string };

async function person(name: string): Promise<Person> {
  const email = `${name.toLowerCase().replaceAll(" ", "")}-${randomBytes(4).toString("hex")}@team.test`;
  const [user] = await database.db
    .insert(users)
    .values({ email, name, passwordHash: "not used here", emailVerifiedAt: new Date() })
    .returning({ userId: users.id });
  return { userId: user!.userId, name, email };
}

/** An organisation owned by `owner`, with the others as members of the given roles. */
async function team(name: string, others: [string, MembershipRole][] = []) {
  const owner = await person(`${name}Owner`);
  const organisationId = await database.db.transaction((tx) => createOrganisation(tx, owner.userId, name));
  const people: Record<string, Person> = {};
  for (const [who, role] of others) {
    people[who] = await person(who);
    await database.db.insert(memberships).values({ organisationId, userId: people[who]!.userId, role });
  }
  return { organisationId, name, owner, people };
}

async function roleOf(organisationId: string, userId: string): Promise<MembershipRole | null> {
  const [row] = await database.db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.organisationId, organisationId), eq(memberships.userId, userId)));
  return row?.role ?? null;
}

async function auditOf(organisationId: string, action: string) {
  return database.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.organisationId, organisationId), eq(auditEvents.action, action)));
}

/** Subscribes the organisation to a plan's monthly price, as the Stripe mirror would hold it. */
async function subscribe(organisationId: string, planSlug: string, quantity: number) {
  const [price] = await database.db
    .select({ id: prices.id, unitAmount: prices.unitAmount, currency: prices.currency })
    .from(prices)
    .innerJoin(plans, eq(plans.id, prices.planId))
    .where(and(eq(plans.slug, planSlug), eq(prices.interval, "month")));
  const stripePriceId = `price_${planSlug}_${randomBytes(4).toString("hex")}`;
  await database.db.insert(priceVersions).values({
    priceId: price!.id,
    stripePriceId,
    unitAmount: price!.unitAmount,
    currency: price!.currency,
    archivedAt: new Date(),
  });
  await database.db.insert(subscriptions).values({
    id: `sub_${randomBytes(6).toString("hex")}`,
    accountId: organisationId,
    status: "active",
    planSlug,
    stripePriceId,
    quantity,
  });
}

const invite = (org: Awaited<ReturnType<typeof team>>, email: string, role: MembershipRole = "member") =>
  inviteMember(
    deps,
    { userId: org.owner.userId, name: org.owner.name, role: "owner" },
    { organisationId: org.organisationId, name: org.name },
    email,
    role,
  );

describe("seats", () => {
  it("counts members and pending invitations, with no limit without a plan", async () => {
    const org = await team("Loose");
    expect(await seatUsage(database.db, org.organisationId)).toEqual({ used: 1, bought: null });
    expect(await invite(org, "a@loose.test")).toEqual({ ok: true });
    expect(await seatUsage(database.db, org.organisationId)).toEqual({ used: 2, bought: null });
  });

  it("refuses an invitation past the users a per-seat plan bought, with the way to buy more", async () => {
    const org = await team("Starter Co");
    await subscribe(org.organisationId, "starter", 2);
    expect(await invite(org, "first@starter.test")).toEqual({ ok: true });
    expect(await seatUsage(database.db, org.organisationId)).toEqual({ used: 2, bought: 2 });

    const refused = await invite(org, "second@starter.test");
    expect(refused).toEqual({
      ok: false,
      message:
        "Starter Co uses 2 of 2 users it pays for (members and pending invitations). Buy more users, or withdraw an invitation, to invite someone else.",
      moreSeats: {
        path: "/account/billing?plan=starter&interval=month&seats=3#change-heading",
        label: "Buy more users",
      },
    });
    expect(await queuedEmails(database, "second@starter.test")).toEqual([]);
    expect(await auditOf(org.organisationId, "invitation.created")).toHaveLength(1);

    // Sending the pending invitation again takes no further user.
    expect(await invite(org, "first@starter.test", "admin")).toEqual({ ok: true });
    const [pending] = await listPendingInvitations(database.db, org.organisationId);
    expect(pending?.role).toBe("admin");
    // Withdrawing it frees the user.
    await revokeInvitation(database.db, org.owner.userId, org.organisationId, pending!.id);
    expect(await invite(org, "second@starter.test")).toEqual({ ok: true });
  });

  it("lets only one of many simultaneous invitations take the last user", async () => {
    const org = await team("Race Co");
    await subscribe(org.organisationId, "starter", 3);
    await invite(org, "taken@race.test");
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => invite(org, `racer${i}@race.test`)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await seatUsage(database.db, org.organisationId)).toEqual({ used: 3, bought: 3 });
  });

  it("takes a flat plan's and a trial's limit from the catalog", async () => {
    const flat = await team("Flat Co");
    await subscribe(flat.organisationId, "business", 1);
    expect(await seatUsage(database.db, flat.organisationId)).toEqual({ used: 1, bought: 50 });

    const trying = await team("Trial Co");
    expect((await startTrial(database.db, trying.organisationId, "starter", trying.owner.userId)).ok).toBe(true);
    expect(await seatUsage(database.db, trying.organisationId)).toEqual({ used: 1, bought: 10 });
  });
});

describe("roles", () => {
  it("lets owners and admins change roles, admins never touching owners, and audits and emails each change once", async () => {
    const org = await team("Roles Co", [
      ["Ada", "admin"],
      ["Max", "member"],
    ]);
    const ada = org.people.Ada!;
    const max = org.people.Max!;
    const asAda = { userId: ada.userId, name: ada.name };
    const asMax = { userId: max.userId, name: max.name };

    expect(await changeRole(deps, asMax, org.organisationId, { userId: ada.userId, role: "member" })).toEqual({
      ok: false,
      status: 403,
      message: "Only owners and admins can change roles.",
    });
    expect(await changeRole(deps, asAda, org.organisationId, { userId: org.owner.userId, role: "admin" })).toEqual({
      ok: false,
      status: 403,
      message: "Only an owner can change an owner's role.",
    });
    expect(await changeRole(deps, asAda, org.organisationId, { userId: max.userId, role: "owner" })).toEqual({
      ok: false,
      status: 403,
      message: "Only an owner can make someone an owner.",
    });

    const promote = { userId: max.userId, role: "admin" as const, expectedRole: "member" as const };
    expect(await changeRole(deps, asAda, org.organisationId, promote)).toEqual({
      ok: true,
      changed: true,
      message: "Max is now an admin.",
    });
    // The same form sent twice (two tabs, a double click): already done, nothing more.
    expect(await changeRole(deps, asAda, org.organisationId, promote)).toMatchObject({ ok: true, changed: false });
    expect(await roleOf(org.organisationId, max.userId)).toBe("admin");
    const audits = await auditOf(org.organisationId, "membership.role_changed");
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      actorId: ada.userId,
      subjectId: max.userId,
      details: { from: "member", to: "admin" },
    });
    const mails = await queuedEmails(database, max.email);
    expect(mails.map((m) => m.subject)).toEqual(["You are now an admin of Roles Co"]);
    expect(mails[0]!.text).toContain("Ada made you an admin of Roles Co");

    // A page loaded before that change is stale: it is refused with a sentence, not applied.
    expect(
      await changeRole(deps, asAda, org.organisationId, { userId: max.userId, role: "owner", expectedRole: "member" }),
    ).toMatchObject({ ok: false, status: 403 });
    expect(
      await changeRole(deps, { userId: org.owner.userId, name: org.owner.name }, org.organisationId, {
        userId: max.userId,
        role: "member",
        expectedRole: "member",
      }),
    ).toEqual({
      ok: false,
      status: 409,
      message: "Max became an admin since this page was loaded. Check the team below and try again.",
    });
  });

  it("never leaves an organisation without an owner", async () => {
    const org = await team("Owners Co", [["Bea", "owner"]]);
    const bea = org.people.Bea!;
    const asOwner = { userId: org.owner.userId, name: org.owner.name };
    const asBea = { userId: bea.userId, name: bea.name };

    // Two owners demote each other at once: one wins, the other finds the last owner.
    const results = await Promise.all([
      changeRole(deps, asOwner, org.organisationId, { userId: bea.userId, role: "admin" }),
      changeRole(deps, asBea, org.organisationId, { userId: org.owner.userId, role: "admin" }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const refusal = results.find((r) => !r.ok);
    expect(refusal).toMatchObject({ ok: false, status: expect.any(Number) });
    const owners = await database.db
      .select()
      .from(memberships)
      .where(and(eq(memberships.organisationId, org.organisationId), eq(memberships.role, "owner")));
    expect(owners).toHaveLength(1);

    const last = owners[0]!.userId === org.owner.userId ? asOwner : asBea;
    expect(await changeRole(deps, last, org.organisationId, { userId: last.userId, role: "member" })).toEqual({
      ok: false,
      status: 409,
      message: "You are the only owner of Owners Co. Transfer the ownership to someone else first.",
    });
    expect(await leaveOrganisation(deps, last, org.organisationId)).toEqual({
      ok: false,
      status: 409,
      message: "You are the only owner of Owners Co. Transfer the ownership to someone else before you leave.",
    });
    expect(await roleOf(org.organisationId, last.userId)).toBe("owner");
  });
});

describe("removing and leaving", () => {
  it("removes a member once, audited and emailed, and the removed person's sessions forget the organisation", async () => {
    const org = await team("Remove Co", [
      ["Ann", "admin"],
      ["Rex", "member"],
    ]);
    const ann = org.people.Ann!;
    const rex = org.people.Rex!;
    await database.db.insert(sessions).values({
      id: `session-${randomBytes(6).toString("hex")}`,
      userId: rex.userId,
      organisationId: org.organisationId,
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    const asAnn = { userId: ann.userId, name: ann.name };

    expect(await removeMember(deps, asAnn, org.organisationId, org.owner.userId)).toEqual({
      ok: false,
      status: 403,
      message: "Only an owner can remove an owner.",
    });
    expect(await removeMember(deps, asAnn, org.organisationId, rex.userId)).toEqual({
      ok: true,
      changed: true,
      message: "Rex was removed from Remove Co.",
    });
    expect(await removeMember(deps, asAnn, org.organisationId, rex.userId)).toEqual({
      ok: true,
      changed: false,
      message: "Rex is no longer a member of Remove Co.",
    });
    expect(await roleOf(org.organisationId, rex.userId)).toBeNull();
    const [session] = await database.db.select().from(sessions).where(eq(sessions.userId, rex.userId));
    expect(session?.organisationId).toBeNull();
    expect(await auditOf(org.organisationId, "membership.removed")).toMatchObject([
      { actorId: ann.userId, subjectId: rex.userId, details: { role: "member" } },
    ]);
    expect((await queuedEmails(database, rex.email)).map((m) => m.subject)).toEqual([
      "You were removed from Remove Co",
    ]);
    // A removed admin can no longer act.
    expect(await removeMember(deps, { userId: rex.userId, name: rex.name }, org.organisationId, ann.userId)).toEqual({
      ok: false,
      status: 403,
      message: "You are no longer a member of Remove Co.",
    });
  });

  it("lets a member leave, once", async () => {
    const org = await team("Leave Co", [["Lou", "member"]]);
    const lou = { userId: org.people.Lou!.userId, name: "Lou" };
    expect(await leaveOrganisation(deps, lou, org.organisationId)).toEqual({
      ok: true,
      changed: true,
      message: "You left Leave Co.",
    });
    expect(await leaveOrganisation(deps, lou, org.organisationId)).toMatchObject({ ok: true, changed: false });
    expect(await auditOf(org.organisationId, "membership.left")).toHaveLength(1);
    expect((await queuedEmails(database, org.people.Lou!.email)).map((m) => m.subject)).toEqual(["You left Leave Co"]);
  });
});

describe("ownership transfer", () => {
  it("makes the other person the owner and the old owner an admin, emails both, and a repeat changes nothing", async () => {
    const org = await team("Transfer Co", [
      ["Tia", "member"],
      ["Ari", "admin"],
    ]);
    const tia = org.people.Tia!;
    const asOwner = { userId: org.owner.userId, name: org.owner.name };

    expect(
      await transferOwnership(deps, { userId: org.people.Ari!.userId, name: "Ari" }, org.organisationId, tia.userId),
    ).toEqual({ ok: false, status: 403, message: "Only an owner can transfer the ownership." });
    expect(await transferOwnership(deps, asOwner, org.organisationId, tia.userId)).toEqual({
      ok: true,
      changed: true,
      message: "Tia now owns Transfer Co; you are an admin.",
    });
    expect(await transferOwnership(deps, asOwner, org.organisationId, tia.userId)).toEqual({
      ok: true,
      changed: false,
      message: "Tia already owns Transfer Co.",
    });
    expect(await roleOf(org.organisationId, tia.userId)).toBe("owner");
    expect(await roleOf(org.organisationId, org.owner.userId)).toBe("admin");
    expect(await auditOf(org.organisationId, "organisation.ownership_transferred")).toMatchObject([
      { actorId: org.owner.userId, details: { from: org.owner.userId, to: tia.userId, previousRole: "member" } },
    ]);
    expect((await queuedEmails(database, tia.email)).map((m) => m.subject)).toEqual([
      "You are now the owner of Transfer Co",
    ]);
    expect((await queuedEmails(database, org.owner.email)).map((m) => m.subject)).toEqual([
      "You transferred the ownership of Transfer Co to Tia",
    ]);
    // Stripe's customer carries the owner's email: the transfer queued its sync (one job per organisation).
    const syncs = await database.sql<{ n: number }[]>`
      select count(*)::int as n from graphile_worker._private_jobs j
      join graphile_worker._private_tasks t on t.id = j.task_id
      where t.identifier = 'stripe_customer_sync' and j.payload ->> 'accountId' = ${org.organisationId}`;
    expect(syncs[0]!.n).toBe(1);
    // The old owner, now an admin, may leave.
    expect(await leaveOrganisation(deps, asOwner, org.organisationId)).toMatchObject({ ok: true, changed: true });
  });
});
