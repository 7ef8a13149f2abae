import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memberships, users } from "../../db/schema";
import { signUp } from "../../app/modules/accounts/accounts.server";
import {
  acceptInvitation,
  findOpenInvitation,
  inviteMember,
  listMembers,
  listPendingInvitations,
  requireMembership,
  revokeInvitation,
} from "../../app/modules/accounts/organisations.server";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { linkIn, queuedEmails } from "../support/jobs";

let database: TestDatabase;
let deps: { db: TestDatabase["db"]; config: { appUrl: string; sessionSecret: string } };
let owner: { userId: string; name: string; role: "owner" };
let organisation: { organisationId: string; name: string };

beforeAll(async () => {
  database = await createTestDatabase();
  deps = { db: database.db, config: { appUrl: "https://portal.test", sessionSecret: "s".repeat(32) } };
  await signUp(deps, {
    name: "Olivia Owner",
    email: "olivia@acme.test",
    password: "long enough password",
    company: "Acme",
  });
  const [user] = await database.db.select().from(users).where(eq(users.email, "olivia@acme.test"));
  const [membership] = await database.db.select().from(memberships).where(eq(memberships.userId, user!.id));
  owner = { userId: user!.id, name: user!.name, role: "owner" };
  organisation = { organisationId: membership!.organisationId, name: "Acme" };
});
afterAll(async () => {
  await dropTestDatabase(database);
});

async function invitationToken(email: string): Promise<string> {
  const link = linkIn((await queuedEmails(database, email)).at(-1)!.text, "/invitations/");
  return link.split("/invitations/")[1]!;
}

async function signUpAndVerify(email: string) {
  await signUp(deps, { name: "Ivan Invitee", email, password: "long enough password", company: "Own company" });
  const [user] = await database.db
    .update(users)
    .set({ emailVerifiedAt: new Date() })
    .where(eq(users.email, email))
    .returning();
  return { userId: user!.id, email, emailVerified: true };
}

describe("invitations", () => {
  it("lets the invited address join with the invited role, once", async () => {
    expect(await inviteMember(deps, owner, organisation, "ivan@acme.test", "admin")).toEqual({ ok: true });
    const token = await invitationToken("ivan@acme.test");
    expect(await listPendingInvitations(database.db, organisation.organisationId)).toHaveLength(1);

    const stranger = await signUpAndVerify("eve@elsewhere.test");
    expect(await acceptInvitation(database.db, token, stranger)).toMatchObject({
      ok: false,
      message: expect.stringContaining("ivan@acme.test"),
    });

    const ivan = await signUpAndVerify("ivan@acme.test");
    expect(await acceptInvitation(database.db, token, ivan)).toEqual({
      ok: true,
      organisationId: organisation.organisationId,
    });
    expect(await acceptInvitation(database.db, token, ivan)).toMatchObject({ ok: false });
    const members = await listMembers(database.db, organisation.organisationId);
    expect(members.map((m) => [m.email, m.role])).toContainEqual(["ivan@acme.test", "admin"]);
    expect(await listPendingInvitations(database.db, organisation.organisationId)).toEqual([]);
  });

  it("lets a new person sign up straight into the organisation from the invitation", async () => {
    await inviteMember(deps, owner, organisation, "nina@acme.test", "member");
    const invitation = await findOpenInvitation(database.db, await invitationToken("nina@acme.test"));
    const outcome = await signUp(
      deps,
      { name: "Nina", email: "nina@acme.test", password: "long enough password" },
      { invitation },
    );
    expect(outcome).toMatchObject({ kind: "joined", organisationId: organisation.organisationId });
    const [nina] = await database.db.select().from(users).where(eq(users.email, "nina@acme.test"));
    expect(nina?.emailVerifiedAt).toBeInstanceOf(Date);
    const own = await database.db.select().from(memberships).where(eq(memberships.userId, nina!.id));
    expect(own).toHaveLength(1);
  });

  it("replaces a pending invitation to the same address, and a withdrawn one no longer works", async () => {
    await inviteMember(deps, owner, organisation, "sam@acme.test", "member");
    const first = await invitationToken("sam@acme.test");
    await inviteMember(deps, owner, organisation, "sam@acme.test", "admin");
    const second = await invitationToken("sam@acme.test");
    expect(await findOpenInvitation(database.db, first)).toBeNull();
    const open = await findOpenInvitation(database.db, second);
    expect(open?.role).toBe("admin");
    expect(await revokeInvitation(database.db, owner.userId, organisation.organisationId, open!.id)).toBe(true);
    expect(await findOpenInvitation(database.db, second)).toBeNull();
  });

  it("keeps members from inviting and admins from inviting owners", async () => {
    expect(await inviteMember(deps, { ...owner, role: "member" }, organisation, "x@acme.test", "member")).toMatchObject(
      { ok: false },
    );
    expect(await inviteMember(deps, { ...owner, role: "admin" }, organisation, "x@acme.test", "owner")).toEqual({
      ok: false,
      message: "Only an owner can invite another owner",
    });
    expect(await inviteMember(deps, owner, organisation, "olivia@acme.test", "member")).toEqual({
      ok: false,
      message: "That person is already a member",
    });
  });
});

describe("requireMembership", () => {
  it("answers 404 to outsiders and for malformed ids, 403 to members without the role", async () => {
    const outsider = await signUpAndVerify("outsider@else.test");
    for (const id of [organisation.organisationId, "not-a-uuid"]) {
      const error = await requireMembership(database.db, outsider.userId, id).catch((e: unknown) => e);
      expect((error as Response).status).toBe(404);
    }
    const nina = (await database.db.select().from(users).where(eq(users.email, "nina@acme.test")))[0]!;
    const forbidden = await requireMembership(database.db, nina.id, organisation.organisationId, [
      "owner",
      "admin",
    ]).catch((e: unknown) => e);
    expect((forbidden as Response).status).toBe(403);
    expect((await requireMembership(database.db, owner.userId, organisation.organisationId)).role).toBe("owner");
  });
});
