import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, leads, memberships, trials, users } from "../../db/schema";
import { createSignedToken, readSignedToken } from "../../app/modules/accounts/signed-tokens.server";
import { saveLead } from "../../app/modules/qualification/leads.server";
import * as signupRoute from "../../app/routes/signup";
import * as verifyRoute from "../../app/routes/verify-email";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { linkIn, queuedEmails } from "../support/jobs";
import { callRoute, ROUTE_APP_URL, routeContext } from "../support/routes";
import { startWithClient, type EmulatorUnderTest } from "../support/stripe-emulator";

// Issue 14, item 1: the plan (to try or to buy) and the qualification result a person signed up
// from are signed into the confirmation link and carried out when the address is confirmed.

let database: TestDatabase;
let stripe: EmulatorUnderTest;
let context: ReturnType<typeof routeContext>;

beforeAll(async () => {
  database = await createTestDatabase();
  stripe = await startWithClient();
  context = routeContext(database, stripe.stripe);
});
afterAll(async () => {
  await stripe.emulator.stop();
  await dropTestDatabase(database);
});

async function lead(verdict: string, planSlug: string | null, score: number) {
  return saveLead(database.db, {
    answers: {},
    verdict,
    planSlug,
    score,
    result: {},
    attribution: null,
    userId: null,
    organisationId: null,
  });
}

/** Posts the sign-up form at `/signup<query>` with the lead cookie, and returns the emailed confirmation link. */
async function signUpAt(query: string, email: string, leadCookie?: string) {
  const answer = await callRoute(
    signupRoute.action,
    new Request(`${ROUTE_APP_URL}/signup${query}`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        ...(leadCookie ? { cookie: `lead=${leadCookie}` } : {}),
      },
      body: new URLSearchParams({ name: "Pat", email, password: "long enough password", company: `${email} Co` }),
    }),
    context,
  );
  expect(answer).toMatchObject({ status: 302, location: "/check-email?reason=signup" });
  return new URL(linkIn((await queuedEmails(database, email)).at(-1)!.text, "/verify-email?token="));
}

function follow(link: URL) {
  return callRoute(verifyRoute.loader, new Request(`${ROUTE_APP_URL}${link.pathname}${link.search}`), context);
}

async function accountOf(email: string) {
  const [user] = await database.db.select().from(users).where(eq(users.email, email));
  const [membership] = await database.db.select().from(memberships).where(eq(memberships.userId, user!.id));
  return { userId: user!.id, organisationId: membership!.organisationId };
}

describe("the sign-up intent", () => {
  it("starts the trial of the plan signed up for at confirmation, once, and links the result acted on", async () => {
    const first = await lead("fits", "team", 80);
    await lead("fits", "starter", 40);
    const last = await lead("not_a_fit", null, 0);
    // The person reopened the first result and used its trial button; the cookie holds the last answer.
    const link = await signUpAt(`?plan=team&lead=${first}`, "first@intent.test", last);
    const payload = readSignedToken(context.config.sessionSecret, "verify_email", link.searchParams.get("token")!);
    expect(payload?.intent).toEqual({ plan: { slug: "team", action: "trial" }, leadId: first });
    expect(link.searchParams.has("plan")).toBe(false);

    const account = await accountOf("first@intent.test");
    expect(await database.db.select().from(trials).where(eq(trials.accountId, account.organisationId))).toEqual([]);

    expect(await follow(link)).toMatchObject({
      status: 302,
      location: `/login?notice=verified&redirectTo=${encodeURIComponent("/account?notice=trial-started")}`,
    });
    const started = await database.db.select().from(trials).where(eq(trials.accountId, account.organisationId));
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({ planSlug: "team", status: "active", startedBy: account.userId });

    const [linked] = await database.db.select().from(leads).where(eq(leads.id, first));
    expect(linked).toMatchObject({ organisationId: account.organisationId, userId: account.userId });
    const [cookieLead] = await database.db.select().from(leads).where(eq(leads.id, last));
    expect(cookieLead?.organisationId).toBeNull();
    const audit = await database.db.select().from(auditEvents).where(eq(auditEvents.subjectId, first));
    expect(audit.map((a) => a.action)).toEqual(["lead.linked"]);

    // A second click confirms nothing new and starts nothing.
    expect(await follow(link)).toMatchObject({ status: 302, location: "/login?notice=verified" });
    expect(await database.db.select().from(trials).where(eq(trials.accountId, account.organisationId))).toHaveLength(1);
  });

  it("without a result in the link, links the last one answered (the lead cookie)", async () => {
    const answered = await lead("fits", "starter", 40);
    const link = await signUpAt("", "cookie@intent.test", answered);
    expect(await follow(link)).toMatchObject({ status: 302, location: "/login?notice=verified" });
    const account = await accountOf("cookie@intent.test");
    const [linked] = await database.db.select().from(leads).where(eq(leads.id, answered));
    expect(linked?.organisationId).toBe(account.organisationId);
  });

  it("leads a buy intent to the order form, and starts no trial", async () => {
    const link = await signUpAt("?plan=starter&intent=buy", "buyer@intent.test");
    expect(await follow(link)).toMatchObject({
      status: 302,
      location: `/login?notice=verified&redirectTo=${encodeURIComponent("/orders/new?plan=starter")}`,
    });
    const account = await accountOf("buyer@intent.test");
    expect(await database.db.select().from(trials).where(eq(trials.accountId, account.organisationId))).toEqual([]);
  });

  it("ignores an unknown or sales-led plan with a sentence, and signs up without it", async () => {
    const page = async (query: string) =>
      (await callRoute(signupRoute.loader, new Request(`${ROUTE_APP_URL}/signup${query}`), context)).body as {
        goal: string | null;
        notice: string | null;
      };
    expect(await page("?plan=team")).toEqual({ invitation: null, goal: "start your free Team trial", notice: null });
    expect(await page("?plan=no-such-plan")).toMatchObject({
      goal: null,
      notice: expect.stringMatching(/^We do not offer/),
    });
    expect(await page("?plan=%3Cscript%3E")).toMatchObject({ notice: expect.stringMatching(/^We do not offer/) });
    expect(await page("?plan=enterprise")).toMatchObject({ notice: expect.stringMatching(/Enterprise plan with you/) });

    const link = await signUpAt("?plan=no-such-plan", "unknown@intent.test");
    const payload = readSignedToken(context.config.sessionSecret, "verify_email", link.searchParams.get("token")!);
    expect(payload?.intent).toEqual({});
    expect(await follow(link)).toMatchObject({ status: 302, location: "/login?notice=verified" });
  });

  it("refuses an altered, expired or wrongly signed link with a 400 page and confirms nothing", async () => {
    const link = await signUpAt("?plan=team", "tamper@intent.test");
    const token = link.searchParams.get("token")!;
    const [body, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(body!, "base64url").toString("utf8"));
    const altered = Buffer.from(
      JSON.stringify({ ...claims, intent: { plan: { slug: "business", action: "trial" } } }),
    ).toString("base64url");
    const { userId } = await accountOf("tamper@intent.test");
    const expired = createSignedToken(
      context.config.sessionSecret,
      {
        purpose: "verify_email",
        userId,
        email: "tamper@intent.test",
        intent: { plan: { slug: "team", action: "trial" } },
      },
      60_000,
      Date.now() - 120_000,
    );
    const malformed = createSignedToken(
      context.config.sessionSecret,
      // A signed link whose intent is not one the portal writes: refused by the schema, not trusted.
      { purpose: "verify_email", userId, email: "tamper@intent.test", intent: { plan: { slug: "team" } } as never },
      60_000,
    );
    for (const bad of [`${altered}.${signature}`, expired, malformed, "not-a-token", ""]) {
      const answer = await callRoute(
        verifyRoute.loader,
        new Request(`${ROUTE_APP_URL}/verify-email?token=${encodeURIComponent(bad)}`),
        context,
      );
      expect(answer.status).toBe(400);
    }
    const [user] = await database.db.select().from(users).where(eq(users.id, userId));
    expect(user?.emailVerifiedAt).toBeNull();
  });
});
