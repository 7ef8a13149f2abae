import { randomUUID } from "node:crypto";
import { and, eq, like } from "drizzle-orm";
import { Logger, run } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../app/lib/logger.server";
import { createStripeClient } from "../../app/modules/billing/stripe.server";
import { LIFECYCLE_LIST, sweepLifecycleEmails } from "../../app/modules/email/lifecycle.server";
import { queueEmail } from "../../app/modules/email/outbox.server";
import { receiptMessage } from "../../app/modules/email/templates";
import { startTrialClock } from "../../app/modules/trials/clock.server";
import { startTrial } from "../../app/modules/trials/trials.server";
import { action, loader } from "../../app/routes/unsubscribe.$token";
import {
  activationMilestones,
  auditEvents,
  emailUnsubscribes,
  memberships,
  outgoingEmails,
  serviceInstances,
  trials,
  users,
} from "../../db/schema";
import { startMailCatcher, type MailCatcher } from "../../server/mail-catcher";
import { mailTaskList } from "../../server/worker";
import { buyer } from "../support/billing";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { callRoute, ROUTE_APP_URL, routeContext } from "../support/routes";

// Issue 15: trial owners get a getting-started email on day 1 and an offer of help when nothing is
// reached by day 3, each once, with a one-click unsubscribe link (RFC 8058) that works without login.

let database: TestDatabase;
let catcher: MailCatcher;
const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;
const context = () => routeContext(database, createStripeClient({ emulatorPort: 9 }));
const deps = () => ({ db: database.db, appUrl: ROUTE_APP_URL, secret: context().config.sessionSecret });
const sweep = (now = new Date()) => sweepLifecycleEmails(deps(), now);

beforeAll(async () => {
  database = await createTestDatabase();
  catcher = await startMailCatcher();
});
afterAll(async () => {
  await catcher.stop();
  await dropTestDatabase(database);
});

/**
 * A Starter trial of a new organisation whose clock started `ago` ms before now, its service ready
 * at `workspace` (unless `ready: false`), with extra owners and an admin besides the first owner.
 */
async function trialStarted(name: string, ago: number, { ready = true, extraOwners = 0 } = {}) {
  const owner = await buyer(database, name);
  expect(await startTrial(database.db, owner.accountId, "starter", owner.userId)).toMatchObject({ ok: true });
  const clockStartedAt = new Date(Date.now() - ago);
  const [trial] = await database.db
    .update(trials)
    .set({ clockStartedAt, endsAt: new Date(clockStartedAt.getTime() + 14 * DAY) })
    .where(eq(trials.accountId, owner.accountId))
    .returning();
  const workspace = `https://${name}.workspace.test`;
  if (ready)
    await database.db
      .update(serviceInstances)
      .set({ status: "active", access: { workspace_url: workspace } })
      .where(eq(serviceInstances.id, trial!.instanceId));
  const owners = [owner];
  for (let i = 0; i < extraOwners; i++) owners.push(await member(owner.accountId, `${name}-owner${i}`, "owner"));
  await member(owner.accountId, `${name}-admin`, "admin");
  return { trial: trial!, owners, workspace };
}

async function member(accountId: string, name: string, role: "owner" | "admin") {
  const [user] = await database.db
    .insert(users)
    .values({ email: `${name}@buy.test`, name, passwordHash: "x", emailVerifiedAt: new Date() })
    .returning();
  await database.db.insert(memberships).values({ organisationId: accountId, userId: user!.id, role });
  return { userId: user!.id, accountId, email: user!.email };
}

/** The lifecycle emails queued for a trial, with what the sender needs. */
async function emailsOf(trialId: string) {
  return database.db
    .select({
      to: outgoingEmails.to,
      subject: outgoingEmails.subject,
      text: outgoingEmails.text,
      dedupeKey: outgoingEmails.dedupeKey,
      listUnsubscribe: outgoingEmails.listUnsubscribe,
    })
    .from(outgoingEmails)
    .where(like(outgoingEmails.dedupeKey, `lifecycle:%:${trialId}:%`));
}

describe("a trial's clock start, which the emails count from", () => {
  it("is the start for a plan set up automatically, and the setup's completion for one staff set up", async () => {
    const auto = await buyer(database, "pia");
    const before = Date.now();
    await startTrial(database.db, auto.accountId, "starter", auto.userId);
    const [started] = await database.db.select().from(trials).where(eq(trials.accountId, auto.accountId));
    expect(started!.clockStartedAt!.getTime()).toBeGreaterThanOrEqual(before);
    expect(started!.endsAt!.getTime() - started!.clockStartedAt!.getTime()).toBe(14 * DAY);

    const manual = await buyer(database, "quin");
    await startTrial(database.db, manual.accountId, "business", manual.userId);
    const [waiting] = await database.db.select().from(trials).where(eq(trials.accountId, manual.accountId));
    expect(waiting!.clockStartedAt).toBeNull();
    await database.db.transaction((tx) =>
      startTrialClock(tx, { instanceId: waiting!.instanceId, operation: "provision" }),
    );
    const [counting] = await database.db.select().from(trials).where(eq(trials.id, waiting!.id));
    expect(counting!.endsAt!.getTime() - counting!.clockStartedAt!.getTime()).toBe(14 * DAY);
  });
});

describe("the getting-started email", () => {
  it("goes once to each owner (not admins) under repeated and concurrent sweeps, with steps, days left and an unsubscribe link", async () => {
    const { trial, owners, workspace } = await trialStarted("ada", HOUR, { extraOwners: 1 });
    await Promise.all([sweep(), sweep(), sweep()]);
    await sweep();
    const emails = await emailsOf(trial.id);
    expect(emails.map((e) => e.to).sort()).toEqual(owners.map((o) => o.email).sort());
    for (const email of emails) {
      expect(email.dedupeKey).toMatch(/^lifecycle:getting_started:/);
      expect(email.subject).toBe("Getting started with your Starter trial");
      expect(email.text).toContain(`1. Create your first project\n   ${workspace}/projects`);
      expect(email.text).toContain(`2. Invite 2 teammates\n   ${workspace}/team`);
      expect(email.text).toContain("3. Use it on 3 different days in the first week");
      expect(email.text).toMatch(/Your Starter trial is ready: 14 days left, until \d{1,2} \w+ \d{4} \(UTC\)\./);
      expect(email.text).toContain("Reply to this email");
      expect(email.listUnsubscribe).toMatch(new RegExp(`^${ROUTE_APP_URL}/unsubscribe/[\\w-]+\\.[\\w-]+$`));
      expect(email.text.trimEnd().endsWith(`unsubscribe here: ${email.listUnsubscribe}`)).toBe(true);
    }
    const audits = await database.db
      .select({ details: auditEvents.details })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "trial.lifecycle_email_queued"), eq(auditEvents.subjectId, trial.id)));
    expect(audits.reduce((sum, a) => sum + (a.details as { recipients: number }).recipients, 0)).toBe(2);
  });

  it("waits until the service is ready, and is not sent once day 1 has long passed", async () => {
    const waiting = await trialStarted("bo", HOUR, { ready: false });
    const late = await trialStarted("cy", 2 * DAY + HOUR);
    await sweep();
    expect(await emailsOf(waiting.trial.id)).toEqual([]);
    expect(await emailsOf(late.trial.id)).toEqual([]);
    await database.db
      .update(serviceInstances)
      .set({ status: "active" })
      .where(eq(serviceInstances.id, waiting.trial.instanceId));
    await sweep();
    expect((await emailsOf(waiting.trial.id)).map((e) => e.subject)).toEqual([
      "Getting started with your Starter trial",
    ]);
  });

  it("skips an owner who left the onboarding list", async () => {
    const { trial, owners } = await trialStarted("dee", HOUR, { extraOwners: 1 });
    await database.db.insert(emailUnsubscribes).values({ userId: owners[0]!.userId, list: LIFECYCLE_LIST });
    await sweep();
    expect((await emailsOf(trial.id)).map((e) => e.to)).toEqual([owners[1]!.email]);
  });
});

describe("the stalled-onboarding email", () => {
  const stalledOf = async (trialId: string) =>
    (await emailsOf(trialId)).filter((e) => e.dedupeKey!.startsWith("lifecycle:stalled:"));

  it("goes on day 3 when no milestone is reached, once, with the first milestone's link", async () => {
    const { trial, owners, workspace } = await trialStarted("eve", 3 * DAY + HOUR);
    await Promise.all([sweep(), sweep()]);
    await sweep();
    const emails = await stalledOf(trial.id);
    expect(emails.map((e) => e.to)).toEqual([owners[0]!.email]);
    expect(emails[0]!.subject).toBe("Can we help you get started with Starter?");
    expect(emails[0]!.text).toContain(`Create your first project:\n\n${workspace}/projects`);
    expect(emails[0]!.text).toContain("(11 days left, until ");
    expect(emails[0]!.listUnsubscribe).toBeTruthy();
  });

  it("is not sent before day 3, nor when a milestone is reached, nor for expired or converted trials", async () => {
    const early = await trialStarted("fay", 2 * DAY + 20 * HOUR);
    const reached = await trialStarted("gus", 3 * DAY + HOUR);
    await database.db.insert(activationMilestones).values({
      instanceId: reached.trial.instanceId,
      accountId: reached.trial.accountId,
      milestoneKey: "first_project",
      reachedAt: new Date(),
    });
    const expired = await trialStarted("hal", 3 * DAY + HOUR);
    const converted = await trialStarted("ivy", 3 * DAY + HOUR);
    await database.db.update(trials).set({ status: "expired" }).where(eq(trials.id, expired.trial.id));
    await database.db.update(trials).set({ status: "converted" }).where(eq(trials.id, converted.trial.id));
    await sweep();
    for (const { trial } of [early, reached, expired, converted]) expect(await stalledOf(trial.id)).toEqual([]);
    // The early one's day 3 comes: it is sent then.
    await sweep(new Date(Date.now() + 5 * HOUR));
    expect(await stalledOf(early.trial.id)).toHaveLength(1);
  });
});

describe("delivery", () => {
  it("puts List-Unsubscribe and one-click headers on lifecycle emails, and none on a receipt", async () => {
    const { owners } = await trialStarted("jo", HOUR);
    await sweep();
    await database.db.transaction((tx) =>
      queueEmail(tx, {
        to: "jo-receipt@buy.test",
        ...receiptMessage("Jo", {
          planName: "Starter",
          number: "INV-1",
          paidOn: "1 March 2026",
          lines: [{ description: "Starter, 1 user", amount: "$12.00" }],
          taxes: "$0.00",
          total: "$12.00",
          invoiceLink: `${ROUTE_APP_URL}/account/billing`,
        }),
      }),
    );
    const worker = await run({
      connectionString: database.url,
      concurrency: 1,
      noHandleSignals: true,
      pollInterval: 100,
      logger: new Logger(() => () => {}),
      taskList: mailTaskList({
        database,
        smtpUrl: catcher.smtpUrl,
        mailFrom: "Portal <no-reply@portal.test>",
        appUrl: ROUTE_APP_URL,
        logger: createLogger("silent"),
      }),
    });
    try {
      const lifecycle = await catcher.waitFor((m) => m.to.includes(owners[0]!.email));
      const url = /unsubscribe here: (\S+)/.exec(lifecycle.text)![1]!;
      expect(lifecycle.headers["list-unsubscribe"]).toBe(`<${url}>`);
      expect(lifecycle.headers["list-unsubscribe-post"]).toBe("List-Unsubscribe=One-Click");
      const receipt = await catcher.waitFor((m) => m.to.includes("jo-receipt@buy.test"));
      expect(receipt.headers["list-unsubscribe"]).toBeUndefined();
      expect(receipt.headers["list-unsubscribe-post"]).toBeUndefined();
    } finally {
      await worker.stop();
    }
  });
});

describe("the unsubscribe link", () => {
  async function linkOf(name: string) {
    const { trial, owners } = await trialStarted(name, HOUR);
    await sweep();
    const [email] = await emailsOf(trial.id);
    const url = new URL(email!.listUnsubscribe!);
    return { owner: owners[0]!, url, token: url.pathname.split("/").at(-1)! };
  }
  const post = (url: URL, body: Record<string, string>) =>
    new Request(url.toString().replace(/^https?:\/\/[^/]+/, ROUTE_APP_URL), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(body).toString(),
    });
  const isUnsubscribed = async (userId: string) =>
    (await database.db.select().from(emailUnsubscribes).where(eq(emailUnsubscribes.userId, userId))).length === 1;
  const auditsOf = (userId: string) =>
    database.db
      .select({ action: auditEvents.action })
      .from(auditEvents)
      .where(and(eq(auditEvents.subjectType, "user"), eq(auditEvents.subjectId, userId)));

  it("shows whose emails and which, then takes a mail provider's one-click POST without cookies or origin, once", async () => {
    const { owner, url, token } = await linkOf("kit");
    const page = await callRoute(loader, new Request(url), context(), { token });
    expect(page).toMatchObject({
      status: 200,
      body: { link: { name: "kit", email: owner.email, list: "getting-started tips for kit Org", subscribed: true } },
    });
    for (let i = 0; i < 2; i++) {
      const answer = await callRoute(action, post(url, { "List-Unsubscribe": "One-Click" }), context(), { token });
      expect(answer).toMatchObject({ status: 200, body: { error: null, done: "unsubscribe" } });
    }
    expect(await isUnsubscribed(owner.userId)).toBe(true);
    expect((await auditsOf(owner.userId)).map((a) => a.action)).toEqual(["email.unsubscribed"]);
    const { trial } = await trialStarted("kit2", HOUR);
    await database.db
      .insert(memberships)
      .values({ organisationId: trial.accountId, userId: owner.userId, role: "owner" });
    await sweep();
    expect((await emailsOf(trial.id)).map((e) => e.to)).not.toContain(owner.email);
  });

  it("subscribes again from the page's button, audited", async () => {
    const { owner, url, token } = await linkOf("lou");
    await callRoute(action, post(url, { intent: "unsubscribe" }), context(), { token });
    expect(await isUnsubscribed(owner.userId)).toBe(true);
    const again = await callRoute(action, post(url, { intent: "resubscribe" }), context(), { token });
    expect(again).toMatchObject({ status: 200, body: { done: "resubscribe" } });
    expect(await isUnsubscribed(owner.userId)).toBe(false);
    expect((await auditsOf(owner.userId)).map((a) => a.action).sort()).toEqual([
      "email.resubscribed",
      "email.unsubscribed",
    ]);
  });

  it("is rate-limited per person: past 20 changes an hour, 429 with Retry-After and a sentence", async () => {
    const { url, token } = await linkOf("ned");
    for (let i = 0; i < 20; i++)
      expect((await callRoute(action, post(url, { intent: "unsubscribe" }), context(), { token })).status).toBe(200);
    const refused = await callRoute(action, post(url, { intent: "resubscribe" }), context(), { token });
    expect(refused).toMatchObject({
      status: 429,
      body: { error: expect.stringMatching(/^Too many changes.*Try again in/) },
    });
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
  });

  it("answers 400 with a sentence for a tampered token or a body that is not a choice, and changes nothing", async () => {
    const { owner, url, token } = await linkOf("max");
    const [body, signature] = token.split(".");
    const encode = (payload: object) => Buffer.from(JSON.stringify(payload)).toString("base64url");
    for (const bad of [
      `${body}.${signature!.slice(0, -2)}xx`, // signature altered
      `${encode({ userId: randomUUID(), list: "onboarding" })}.${signature}`, // someone else, same signature
      encode({ userId: owner.userId, list: "onboarding" }), // unsigned
      "not-a-token",
    ]) {
      const badUrl = new URL(`/unsubscribe/${bad}`, url);
      expect(await callRoute(loader, new Request(badUrl), context(), { token: bad })).toMatchObject({
        status: 400,
        body: { link: null },
      });
      const answer = await callRoute(action, post(badUrl, { "List-Unsubscribe": "One-Click" }), context(), {
        token: bad,
      });
      expect(answer).toMatchObject({ status: 400, body: { error: expect.stringMatching(/link is incomplete/) } });
    }
    const wrongShape = await callRoute(action, post(url, { intent: "delete-everything" }), context(), { token });
    expect(wrongShape).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^We could not tell/) } });
    expect(await isUnsubscribed(owner.userId)).toBe(false);
  });
});
