import { readdirSync, readFileSync } from "node:fs";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, invitations, memberships, organisations, sessions, users } from "../../db/schema";
import { requestPasswordReset, signUp } from "../../app/modules/accounts/accounts.server";
import { inviteMember, acceptInvitation } from "../../app/modules/accounts/organisations.server";
import * as accountRoute from "../../app/routes/account._index";
import * as billingRoute from "../../app/routes/account.billing";
import * as confirmEmailRoute from "../../app/routes/account.confirm-email";
import * as settingsRoute from "../../app/routes/account.settings";
import * as invitationRoute from "../../app/routes/invitations.$token";
import * as logoutRoute from "../../app/routes/logout";
import * as ordersRoute from "../../app/routes/orders.new";
import * as membersRoute from "../../app/routes/orgs.$orgId.members";
import * as resetRoute from "../../app/routes/reset-password";
import * as trialsRoute from "../../app/routes/trials.start";
import * as verifyRoute from "../../app/routes/verify-email";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { linkIn, queuedEmails } from "../support/jobs";
import { callRoute, formPost, ROUTE_APP_URL, routeContext, signedIn } from "../support/routes";
import { startWithClient, type EmulatorUnderTest } from "../support/stripe-emulator";

// The rules (issue 13, case 5):
// - an unconfirmed account can change nothing but its own address confirmation (and its address,
//   its sessions by logging out, and an invitation sent to it, which confirms it);
// - an account taken over through a reset (or confirmed by the link) keeps nothing the previous
//   unconfirmed holder set up.

const PASSWORD = "long enough password";
let database: TestDatabase;
let stripe: EmulatorUnderTest;
let deps: { db: TestDatabase["db"]; config: { appUrl: string; sessionSecret: string } };
let context: ReturnType<typeof routeContext>;

beforeAll(async () => {
  database = await createTestDatabase();
  stripe = await startWithClient();
  context = routeContext(database, stripe.stripe);
  deps = { db: database.db, config: context.config };
});
afterAll(async () => {
  await stripe.emulator.stop();
  await dropTestDatabase(database);
});

/** Signs up through the module (unconfirmed, with an organisation it owns) and returns its ids. */
async function signUpUnconfirmed(email: string, company = "Unconfirmed Co") {
  await signUp(deps, { name: "Una", email, password: PASSWORD, company });
  const [user] = await database.db.select().from(users).where(eq(users.email, email));
  const [membership] = await database.db.select().from(memberships).where(eq(memberships.userId, user!.id));
  return { userId: user!.id, email, organisationId: membership!.organisationId };
}

async function confirmed(email: string, company: string) {
  const person = await signUpUnconfirmed(email, company);
  await database.db.update(users).set({ emailVerifiedAt: new Date() }).where(eq(users.id, person.userId));
  return person;
}

/** Every table an action could change, each as a digest of its rows. */
async function snapshot(): Promise<Record<string, string>> {
  const tables = [
    "users",
    "organisations",
    "memberships",
    "invitations",
    "sessions",
    "orders",
    "trials",
    "subscriptions",
    "provisioning_requests",
    "outgoing_emails",
    "audit_events",
    "leads",
  ];
  const digests: Record<string, string> = {};
  for (const table of tables) {
    const [row] = await database.sql.unsafe(
      `select count(*)::text || ':' || coalesce(md5(string_agg(t::text, ',' order by t::text)), '') as digest from ${table} t`,
    );
    digests[table] = String(row!.digest);
  }
  return digests;
}

type Handler = Parameters<typeof callRoute>[0];
type Case = {
  name: string;
  handler: Handler;
  path: string;
  fields?: Record<string, string>;
  params?: (who: Awaited<ReturnType<typeof signUpUnconfirmed>>) => Record<string, string>;
};

/** Everything an unconfirmed account is refused: each would create, invite, order, start a trial or change something. */
const refused: Case[] = [
  {
    name: "create an organisation",
    handler: accountRoute.action,
    path: "/account",
    fields: { intent: "create", name: "Another one" },
  },
  { name: "switch organisation", handler: accountRoute.action, path: "/account", fields: { intent: "switch" } },
  {
    name: "open the billing portal",
    handler: billingRoute.action,
    path: "/account/billing",
    fields: { intent: "portal" },
  },
  {
    name: "change the plan",
    handler: billingRoute.action,
    path: "/account/billing",
    fields: { intent: "change", plan: "team", interval: "month", seats: "3" },
  },
  {
    name: "keep the plan",
    handler: billingRoute.action,
    path: "/account/billing",
    fields: { intent: "keep-plan" },
  },
  {
    name: "change the password",
    handler: settingsRoute.action,
    path: "/account/settings",
    fields: { intent: "change-password", currentPassword: PASSWORD, newPassword: "another long password" },
  },
  {
    name: "sign out other devices",
    handler: settingsRoute.action,
    path: "/account/settings",
    fields: { intent: "end-other-sessions" },
  },
  {
    name: "invite a stranger as owner",
    handler: membersRoute.action,
    path: "/orgs/x/members",
    fields: { intent: "invite", email: "stranger@elsewhere.test", role: "owner" },
    params: (who) => ({ orgId: who.organisationId }),
  },
  {
    name: "withdraw an invitation",
    handler: membersRoute.action,
    path: "/orgs/x/members",
    fields: { intent: "revoke", invitationId: "00000000-0000-4000-8000-000000000000" },
    params: (who) => ({ orgId: who.organisationId }),
  },
  {
    name: "order a plan",
    handler: ordersRoute.action,
    path: "/orders/new?plan=starter",
    fields: { plan: "starter", interval: "month", seats: "3" },
  },
  { name: "start a trial", handler: trialsRoute.action, path: "/trials/start", fields: { plan: "starter" } },
  {
    name: "start a trial set up by staff",
    handler: trialsRoute.action,
    path: "/trials/start",
    fields: { plan: "team" },
  },
];

describe("an unconfirmed account can change nothing but its own address confirmation", () => {
  it.each(refused)("is sent to the confirm-your-email page, and nothing is saved: $name", async (route) => {
    const who = await signUpUnconfirmed(`una-${Math.random().toString(36).slice(2)}@example.test`);
    const cookie = await signedIn(context, who.userId, who.organisationId);
    await signedIn(context, who.userId, who.organisationId); // another device, for "sign out other devices"
    const fields =
      route.fields?.intent === "switch" ? { ...route.fields, organisationId: who.organisationId } : route.fields;
    const before = await snapshot();
    const answer = await callRoute(
      route.handler,
      formPost(route.path, cookie, fields ?? {}),
      context,
      route.params?.(who),
    );
    expect(answer).toMatchObject({ status: 302, location: "/account/confirm-email" });
    expect(await snapshot()).toEqual(before);
  });

  it("the order page itself asks for the confirmation first", async () => {
    const who = await signUpUnconfirmed("una-orders@example.test");
    const cookie = await signedIn(context, who.userId, who.organisationId);
    const request = new Request(`${ROUTE_APP_URL}/orders/new?plan=starter`, { headers: { cookie } });
    expect(await callRoute(ordersRoute.loader, request, context)).toMatchObject({
      status: 302,
      location: "/account/confirm-email",
    });
  });

  it("may have the link sent again (5 an hour), change the address it typed and log out", async () => {
    const who = await signUpUnconfirmed("una-allowed@example.test");
    const cookie = await signedIn(context, who.userId, who.organisationId);
    const page = await callRoute(
      confirmEmailRoute.loader,
      new Request(`${ROUTE_APP_URL}/account/confirm-email`, { headers: { cookie } }),
      context,
    );
    expect(page).toMatchObject({ status: 200, body: { email: who.email } });

    const change = await callRoute(
      settingsRoute.action,
      formPost("/account/settings", cookie, {
        intent: "change-email",
        newEmail: "una-typo-fixed@example.test",
        currentPassword: PASSWORD,
      }),
      context,
    );
    expect(change).toMatchObject({ status: 302, location: "/check-email?reason=email-change" });
    expect(await queuedEmails(database, "una-typo-fixed@example.test")).toHaveLength(1);

    const resends = [];
    for (let i = 0; i < 5; i += 1)
      resends.push(await callRoute(confirmEmailRoute.action, formPost("/account/confirm-email", cookie, {}), context));
    expect(resends.slice(0, 4).map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(resends[4]).toMatchObject({ status: 429 });
    expect(Number(resends[4]!.headers.get("Retry-After"))).toBeGreaterThan(3000);
    // One link at sign-up, four sent again: the address change spent the fifth from the same budget.
    expect((await queuedEmails(database, who.email)).filter((m) => /Confirm your email/.test(m.subject))).toHaveLength(
      5,
    );

    const logout = await callRoute(logoutRoute.action, formPost("/logout", cookie, {}), context);
    expect(logout).toMatchObject({ status: 302, location: "/login?notice=logged-out" });
    expect(await database.db.select().from(sessions).where(eq(sessions.userId, who.userId))).toHaveLength(0);
  });

  it("may accept an invitation sent to its address, which confirms it", async () => {
    const owner = await confirmed("olga-owner@example.test", "Olga's");
    const who = await signUpUnconfirmed("una-invited@example.test");
    await inviteMember(
      deps,
      { userId: owner.userId, name: "Olga", role: "owner" },
      { organisationId: owner.organisationId, name: "Olga's" },
      who.email,
      "member",
    );
    const token = linkIn((await queuedEmails(database, who.email)).at(-1)!.text, "/invitations/").split(
      "/invitations/",
    )[1]!;
    const cookie = await signedIn(context, who.userId, who.organisationId);
    const answer = await callRoute(invitationRoute.action, formPost(`/invitations/${token}`, cookie, {}), context, {
      token,
    });
    expect(answer).toMatchObject({ status: 302, location: `/orgs/${owner.organisationId}/members` });
    const [user] = await database.db.select().from(users).where(eq(users.id, who.userId));
    expect(user!.emailVerifiedAt).toBeInstanceOf(Date);
  });

  it("covers every route that changes something: each is refused above, allowed above, public or staff-only", () => {
    const routes = readdirSync("app/routes").filter((file) =>
      /export (async )?function action/.test(readFileSync(`app/routes/${file}`, "utf8")),
    );
    const guarded = [
      "account._index.tsx",
      "account.billing.tsx",
      "account.ingest-key.$instanceId.tsx",
      "account.settings.tsx",
      "demo.$subdomain.integrations.tsx",
      "demo.$subdomain.projects.tsx",
      "demo.$subdomain.team.tsx",
      "orgs.$orgId.members.tsx",
      "orders.new.tsx",
      "trials.start.tsx",
    ];
    const allowed = ["account.confirm-email.tsx", "invitations.$token.tsx", "logout.tsx"];
    // Public forms (anyone, signed in or not) and the control plane's signed callback.
    const publicRoutes = [
      "contact-sales.tsx",
      "forgot-password.tsx",
      "login.tsx",
      "provisioning.callbacks.$requestId.ts",
      "qualify._index.tsx",
      "qualify.results.$leadId.tsx",
      "reset-password.tsx",
      "signup.tsx",
      // The signed link is the authority (RFC 8058 one-click): no session needed.
      "unsubscribe.$token.tsx",
    ];
    const staffOnly = routes.filter((file) => file.startsWith("staff."));
    expect(routes.sort()).toEqual([...guarded, ...allowed, ...publicRoutes, ...staffOnly].sort());
    for (const file of guarded)
      expect(readFileSync(`app/routes/${file}`, "utf8"), file).toMatch(/requireVerifiedUser\(request, context\)/);
  });
});

describe("an account taken over through a reset keeps nothing the previous unconfirmed holder set up", () => {
  /**
   * Mallory registers the victim's address, invites herself in as owner (and a pending accomplice),
   * and her own account brings in a helper: what the unconfirmed holder could set up before the gate.
   */
  async function preHijacked(victimEmail: string) {
    const holder = await signUpUnconfirmed(victimEmail, "Victim Corp");
    const mallory = await confirmed(`mallory-${victimEmail}`, "Mallory Ltd");
    const organisation = { organisationId: holder.organisationId, name: "Victim Corp" };
    await inviteMember(
      deps,
      { userId: holder.userId, name: "Victim", role: "owner" },
      organisation,
      mallory.email,
      "owner",
    );
    await inviteMember(
      deps,
      { userId: holder.userId, name: "Victim", role: "owner" },
      organisation,
      `pending-${victimEmail}`,
      "admin",
    );
    const tokenFor = async (email: string) =>
      linkIn((await queuedEmails(database, email)).at(-1)!.text, "/invitations/").split("/invitations/")[1]!;
    expect(await acceptInvitation(database.db, await tokenFor(mallory.email), mallory)).toMatchObject({ ok: true });
    const helper = await confirmed(`helper-${victimEmail}`, "Helper Ltd");
    await inviteMember(
      deps,
      { userId: mallory.userId, name: "Mallory", role: "owner" },
      organisation,
      helper.email,
      "admin",
    );
    expect(await acceptInvitation(database.db, await tokenFor(helper.email), helper)).toMatchObject({ ok: true });
    const holderSessions = [
      await signedIn(context, holder.userId, holder.organisationId),
      await signedIn(context, holder.userId, holder.organisationId),
    ];
    return { holder, mallory, helper, holderSessions };
  }

  async function members(organisationId: string) {
    return (await database.db.select().from(memberships).where(eq(memberships.organisationId, organisationId))).map(
      (m) => [m.userId, m.role],
    );
  }

  it("drops the memberships and invitations it brought in and every session, audited, when the owner resets", async () => {
    const { holder } = await preHijacked("victim@corp.test");
    expect(await members(holder.organisationId)).toHaveLength(3);

    await requestPasswordReset(deps, holder.email);
    const link = linkIn((await queuedEmails(database, holder.email)).at(-1)!.text, "/reset-password?token=");
    const token = new URL(link).searchParams.get("token")!;
    // Two tabs at once: one reset happens, the other is told the link was used.
    const answers = await Promise.all(
      [1, 2].map(() =>
        callRoute(
          resetRoute.action,
          formPost("/reset-password", "", { token, password: "the real owner's password" }),
          context,
        ),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([302, 400]);

    expect(await members(holder.organisationId)).toEqual([[holder.userId, "owner"]]);
    const open = await database.db
      .select()
      .from(invitations)
      .where(eq(invitations.organisationId, holder.organisationId));
    expect(open.filter((i) => !i.acceptedAt && !i.revokedAt)).toEqual([]);
    expect(await database.db.select().from(sessions).where(eq(sessions.userId, holder.userId))).toEqual([]);
    const [owner] = await database.db.select().from(users).where(eq(users.id, holder.userId));
    expect(owner!.emailVerifiedAt).toBeInstanceOf(Date);
    const audit = await database.db.select().from(auditEvents).where(eq(auditEvents.actorId, holder.userId));
    expect(audit.filter((a) => a.action === "membership.dropped_on_takeover")).toHaveLength(2);
    expect(audit.find((a) => a.action === "user.unconfirmed_setup_dropped")?.details).toEqual({
      memberships: 2,
      invitations: 1,
      sessions: 2,
    });
    const [organisation] = await database.db
      .select()
      .from(organisations)
      .where(eq(organisations.id, holder.organisationId));
    expect(organisation?.name).toBe("Victim Corp");
  });

  it("drops the same when the owner confirms by the emailed link, keeping only the browser that followed it", async () => {
    const { holder, holderSessions } = await preHijacked("victim2@corp.test");
    const link = linkIn((await queuedEmails(database, holder.email))[0]!.text, "/verify-email?token=");
    const request = new Request(`${ROUTE_APP_URL}${new URL(link).pathname}${new URL(link).search}`, {
      headers: { cookie: holderSessions[0]! },
    });
    expect(await callRoute(verifyRoute.loader, request, context)).toMatchObject({ status: 302, location: "/account" });
    expect(await members(holder.organisationId)).toEqual([[holder.userId, "owner"]]);
    expect(await database.db.select().from(sessions).where(eq(sessions.userId, holder.userId))).toHaveLength(1);
    // Following the link again changes nothing more.
    expect(await callRoute(verifyRoute.loader, request, context)).toMatchObject({ status: 302, location: "/account" });
    const audit = await database.db.select().from(auditEvents).where(eq(auditEvents.actorId, holder.userId));
    expect(audit.filter((a) => a.action === "user.unconfirmed_setup_dropped")).toHaveLength(1);
  });

  it("a confirmed account's reset keeps its team: only the unconfirmed holder's setup is dropped", async () => {
    const owner = await confirmed("real-owner@corp.test", "Real Corp");
    const colleague = await confirmed("colleague@corp.test", "Colleague Co");
    const organisation = { organisationId: owner.organisationId, name: "Real Corp" };
    await inviteMember(
      deps,
      { userId: owner.userId, name: "Owner", role: "owner" },
      organisation,
      colleague.email,
      "admin",
    );
    const token = linkIn((await queuedEmails(database, colleague.email)).at(-1)!.text, "/invitations/").split(
      "/invitations/",
    )[1]!;
    expect(await acceptInvitation(database.db, token, colleague)).toMatchObject({ ok: true });
    await requestPasswordReset(deps, owner.email);
    const link = linkIn((await queuedEmails(database, owner.email)).at(-1)!.text, "/reset-password?token=");
    const answer = await callRoute(
      resetRoute.action,
      formPost("/reset-password", "", { token: new URL(link).searchParams.get("token")!, password: "a new password!" }),
      context,
    );
    expect(answer.status).toBe(302);
    expect(await members(owner.organisationId)).toHaveLength(2);
  });

  it("a prospect who signs up to buy a plan is led on to its order form after confirming", async () => {
    await signUp(
      deps,
      { name: "Pat", email: "pat@prospect.test", password: PASSWORD, company: "Pat's" },
      { intent: { plan: { slug: "starter", action: "buy" } } },
    );
    const link = linkIn((await queuedEmails(database, "pat@prospect.test"))[0]!.text, "/verify-email?token=");
    const url = new URL(link);
    const answer = await callRoute(
      verifyRoute.loader,
      new Request(`${ROUTE_APP_URL}${url.pathname}${url.search}`),
      context,
    );
    expect(answer).toMatchObject({
      status: 302,
      location: `/login?notice=verified&redirectTo=${encodeURIComponent("/orders/new?plan=starter")}`,
    });
  });
});
