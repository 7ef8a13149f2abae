import { and, eq } from "drizzle-orm";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as accountKey from "../../app/routes/account.ingest-key.$instanceId";
import * as staffKey from "../../app/routes/staff.accounts.$accountId_.ingest-key.$instanceId";
import { hashIngestKey, issueIngestKey } from "../../app/modules/usage/ingest-keys.server";
import {
  auditEvents,
  demoTenants,
  memberships,
  organisations,
  outgoingEmails,
  serviceInstances,
  usageIngestKeys,
} from "../../db/schema";
import type { Snapshot } from "../../provisioning";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { callRoute, formPost, routeContext, ROUTE_APP_URL, signedIn } from "../support/routes";
import { teamSnapshot } from "../support/usage";
import { insertPerson } from "../support/people";

const snapshot: Snapshot = teamSnapshot();

let database: TestDatabase;
let context: ReturnType<typeof routeContext>;

beforeAll(async () => {
  database = await createTestDatabase();
  // The key pages never call Stripe; the context only needs a client in its place.
  context = routeContext(database, new Stripe("sk_test_unused"));
});
afterAll(async () => {
  await dropTestDatabase(database);
});

function person(name: string, staffRole: "staff" | null = null) {
  return insertPerson(database.db, name, staffRole);
}

/** An organisation with an owner, an admin and a member, and one demo-provisioned service holding a key. */
async function customer(name: string, { withKey = true } = {}) {
  const [org] = await database.db.insert(organisations).values({ name }).returning({ id: organisations.id });
  const accountId = org!.id;
  const [owner, admin, member] = [await person("Olive"), await person("Adam"), await person("Mona")];
  await database.db.insert(memberships).values([
    { organisationId: accountId, userId: owner!.id, role: "owner" },
    { organisationId: accountId, userId: admin!.id, role: "admin" },
    { organisationId: accountId, userId: member!.id, role: "member" },
  ]);
  const [instance] = await database.db
    .insert(serviceInstances)
    .values({ accountId, productSlug: snapshot.productSlug, planSlug: "team", status: "active", snapshot })
    .returning({ id: serviceInstances.id });
  const instanceId = instance!.id;
  const first = withKey
    ? await database.db.transaction((tx) => issueIngestKey(tx, instanceId, { type: "system", id: null }))
    : null;
  await database.db.insert(demoTenants).values({
    instanceId,
    subdomain: `rotate-${instanceId.slice(0, 8)}`,
    planSlug: "team",
    limits: {},
    seats: 5,
    status: "active",
    ingestKey: first?.key ?? null,
  });
  return { accountId, instanceId, owner: owner!, admin: admin!, member: member!, firstKey: first?.key ?? null };
}

const confirmed = { confirm: "yes", mode: "rotate" };

async function customerCall(
  user: { id: string },
  accountId: string,
  instanceId: string,
  fields?: Record<string, string>,
) {
  const cookie = await signedIn(context, user.id, accountId);
  const path = `/account/ingest-key/${instanceId}`;
  return fields
    ? callRoute(accountKey.action, formPost(path, cookie, fields), context, { instanceId })
    : callRoute(accountKey.loader, new Request(`${ROUTE_APP_URL}${path}`, { headers: { cookie } }), context, {
        instanceId,
      });
}

async function staffCall(user: { id: string }, accountId: string, instanceId: string, fields: Record<string, string>) {
  const cookie = await signedIn(context, user.id, null);
  const path = `/staff/accounts/${accountId}/ingest-key/${instanceId}`;
  return callRoute(staffKey.action, formPost(path, cookie, fields), context, { accountId, instanceId });
}

async function keys(instanceId: string) {
  return database.db.select().from(usageIngestKeys).where(eq(usageIngestKeys.instanceId, instanceId));
}

describe("rotating an ingest key", () => {
  it("an owner rotates: the old key is revoked, the new one is answered once, audited by prefix, the owners told", async () => {
    const c = await customer("Rotate Owner Co");

    const answer = await customerCall(c.owner, c.accountId, c.instanceId, confirmed);

    expect(answer.status).toBe(200);
    const body = answer.body as { ok: true; key: string; prefix: string; previousPrefix: string };
    expect(body.key).toMatch(/^pik_/);
    expect(body.previousPrefix).toBe(c.firstKey!.slice(0, 10));
    expect(answer.headers.get("Cache-Control")).toBe("no-store");
    const all = await keys(c.instanceId);
    expect(all.find((k) => k.keyHash === hashIngestKey(c.firstKey!))?.revokedAt).not.toBeNull();
    expect(all.find((k) => k.revokedAt === null)).toMatchObject({
      keyHash: hashIngestKey(body.key),
      createdByType: "user",
      createdBy: c.owner.id,
    });
    const [tenant] = await database.db.select().from(demoTenants).where(eq(demoTenants.instanceId, c.instanceId));
    expect(tenant?.ingestKey).toBe(body.key);
    const audit = await database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.subjectId, c.instanceId), eq(auditEvents.action, "usage.ingest_key_rotated")));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actorType: "user",
      actorId: c.owner.id,
      organisationId: c.accountId,
      details: { prefix: body.prefix, previousPrefix: body.previousPrefix },
    });
    expect(JSON.stringify(audit)).not.toContain(body.key);
    const emails = await database.db.select().from(outgoingEmails).where(eq(outgoingEmails.to, c.owner.email));
    expect(emails).toHaveLength(1);
    expect(emails[0]?.subject).toBe("The usage reporting key of your Team service was replaced");
    expect(emails[0]?.text).toContain(`starting ${body.previousPrefix}`);
    expect(emails[0]?.text).not.toContain(body.key);
    // Owners only: the admin gets no security notice.
    expect(await database.db.select().from(outgoingEmails).where(eq(outgoingEmails.to, c.admin.email))).toEqual([]);
  });

  it("admins may see and rotate; members get 403, other organisations' people 404, and nothing changes", async () => {
    const c = await customer("Rotate Perm Co");
    const stranger = await customer("Rotate Stranger Co");

    expect((await customerCall(c.admin, c.accountId, c.instanceId)).status).toBe(200);
    expect((await customerCall(c.member, c.accountId, c.instanceId)).status).toBe(403);
    expect((await customerCall(c.member, c.accountId, c.instanceId, confirmed)).status).toBe(403);
    expect((await customerCall(stranger.owner, stranger.accountId, c.instanceId, confirmed)).status).toBe(404);
    expect((await keys(c.instanceId)).filter((k) => k.revokedAt === null)[0]?.keyHash).toBe(hashIngestKey(c.firstKey!));

    expect((await customerCall(c.admin, c.accountId, c.instanceId, confirmed)).status).toBe(200);
  });

  it("refuses without the confirmation (400), and past 10 rotations an hour per person (429 with Retry-After)", async () => {
    const c = await customer("Rotate Limit Co");
    const unconfirmed = await customerCall(c.owner, c.accountId, c.instanceId, { mode: "rotate" });
    expect(unconfirmed).toMatchObject({
      status: 400,
      body: { ok: false, message: "Confirm that the old key may stop working." },
    });

    for (let i = 0; i < 10; i++)
      expect((await customerCall(c.owner, c.accountId, c.instanceId, confirmed)).status).toBe(200);
    const refused = await customerCall(c.owner, c.accountId, c.instanceId, confirmed);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect((refused.body as { message: string }).message).toMatch(
      /^You rotated keys several times this hour\. Try again in/,
    );
  });

  it("staff rotate on the account's key page; people who are not staff get 404, another account's service 404", async () => {
    const c = await customer("Rotate Staff Co");
    const other = await customer("Rotate Staff Other Co");
    const staff = await person("Stella", "staff");

    expect((await staffCall(c.owner, c.accountId, c.instanceId, confirmed)).status).toBe(404);
    expect((await staffCall(staff, other.accountId, c.instanceId, confirmed)).status).toBe(404);
    const answer = await staffCall(staff, c.accountId, c.instanceId, confirmed);

    expect(answer.status).toBe(200);
    const { key } = answer.body as { key: string };
    expect((await keys(c.instanceId)).find((k) => k.revokedAt === null)).toMatchObject({
      keyHash: hashIngestKey(key),
      createdByType: "staff",
      createdBy: staff.id,
    });
    const [audit] = await database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, c.instanceId));
    expect(audit).toMatchObject({ actorType: "staff", actorId: staff.id, action: "usage.ingest_key_rotated" });
    const [email] = await database.db.select().from(outgoingEmails).where(eq(outgoingEmails.to, c.owner.email));
    expect(email?.text).toContain("replaced by our support team");
  });

  it("staff show a manual setup's first key once: a second attempt (another tab) is refused and the key stands", async () => {
    const c = await customer("Rotate Manual Co", { withKey: false });
    const staff = await person("Stan", "staff");
    const first = { confirm: "yes", mode: "first" };

    const shown = await staffCall(staff, c.accountId, c.instanceId, first);
    const again = await staffCall(staff, c.accountId, c.instanceId, first);

    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ ok: true, previousPrefix: null });
    expect(again.status).toBe(409);
    const active = (await keys(c.instanceId)).filter((k) => k.revokedAt === null);
    expect(active.map((k) => k.keyHash)).toEqual([hashIngestKey((shown.body as { key: string }).key)]);
    const [audit] = await database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, c.instanceId));
    expect(audit?.action).toBe("usage.ingest_key_issued");
    // Nothing was replaced, so no security notice.
    expect(await database.db.select().from(outgoingEmails).where(eq(outgoingEmails.to, c.owner.email))).toEqual([]);
  });
});
