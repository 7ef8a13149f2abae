import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import {
  createMonthlyPrice,
  DAY_SECONDS,
  startWithClient,
  subscribeThroughCheckout,
  TEST_KEY,
} from "../test/support/stripe-emulator";
import type { EmulatorUnderTest } from "../test/support/stripe-emulator";

let env: EmulatorUnderTest | undefined;
let dir: string | undefined;
afterEach(async () => {
  await env?.emulator.stop();
  env = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

function postAdvance(url: string, body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${url}/_emulator/advance_time`, { method: "POST", body, headers });
}

describe("the clock", () => {
  it("starts at real time and moves forward with advanceTime; new objects carry the moved time", async () => {
    env = await startWithClient();
    const realNow = Math.floor(Date.now() / 1000);
    expect(Math.abs(env.emulator.now() - realNow)).toBeLessThanOrEqual(1);
    await env.emulator.advanceTime(10 * DAY_SECONDS);
    expect(env.emulator.now() - realNow).toBeGreaterThanOrEqual(10 * DAY_SECONDS);
    const customer = await env.stripe.customers.create({ email: "ada@example.test" });
    expect(customer.created).toBeGreaterThanOrEqual(realNow + 10 * DAY_SECONDS);
    await expect(env.emulator.advanceTime(-1)).rejects.toThrow(/only moves forward/);
  });

  it("dates its API answers on its own clock (the Date header), as Stripe's answers carry Stripe's time", async () => {
    env = await startWithClient();
    await env.emulator.advanceTime(3 * DAY_SECONDS);
    const customer = await env.stripe.customers.create({ email: "ada@example.test" });
    const dated = Math.floor(Date.parse(customer.lastResponse.headers.date ?? "") / 1000);
    expect(Math.abs(dated - env.emulator.now())).toBeLessThanOrEqual(1);
    const missing = await fetch(`${env.emulator.url}/v1/customers/cus_missing`, {
      headers: { authorization: `Bearer ${TEST_KEY}` },
    });
    expect(missing.status).toBe(404);
    expect(Math.abs(Date.parse(missing.headers.get("date") ?? "") / 1000 - env.emulator.now())).toBeLessThanOrEqual(1);
  });

  it("POST /_emulator/advance_time takes a form or JSON body, needs a secret key and answers the new time", async () => {
    env = await startWithClient();
    const { url } = env.emulator;
    const unauthenticated = await postAdvance(url, "seconds=60", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(unauthenticated.status).toBe(401);
    expect(await unauthenticated.json()).toMatchObject({ error: { type: "authentication_error" } });

    const auth = { authorization: `Bearer ${TEST_KEY}` };
    const before = env.emulator.now();
    const form = await postAdvance(url, "seconds=3600", {
      ...auth,
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(form.status).toBe(200);
    const { now } = (await form.json()) as { now: number };
    expect(now - before).toBeGreaterThanOrEqual(3600);
    expect(now - before).toBeLessThanOrEqual(3601);

    const json = await postAdvance(url, JSON.stringify({ seconds: DAY_SECONDS }), {
      ...auth,
      "content-type": "application/json",
    });
    expect(((await json.json()) as { now: number }).now - now).toBeGreaterThanOrEqual(DAY_SECONDS);

    const invalid = await postAdvance(url, "seconds=soon", {
      ...auth,
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: { type: "invalid_request_error", param: "seconds" } });
  });

  it("keeps the clock, trial reminders and retry bookkeeping across a restart", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "stripe-emulator-"));
    const stateFile = path.join(dir, "state.json");
    env = await startWithClient({ stateFile });
    const price = await createMonthlyPrice(env.stripe, 1500);
    const subscription = await subscribeThroughCheckout(env.stripe, price, {
      trialDays: 5,
      cardNumber: "4000000000000341",
    });
    await env.emulator.advanceTime(6 * DAY_SECONDS);
    const movedTo = env.emulator.now();
    await env.emulator.stop();

    env = await startWithClient({ stateFile });
    expect(env.emulator.now() - movedTo).toBeLessThanOrEqual(1);
    const invoice = await env.stripe.invoices.retrieve(
      String((await env.stripe.subscriptions.retrieve(subscription.id)).latest_invoice),
    );
    expect(invoice).toMatchObject({ status: "open", attempt_count: 1 });
    await env.emulator.advanceTime(3 * DAY_SECONDS);
    expect(await env.stripe.invoices.retrieve(invoice.id)).toMatchObject({ attempt_count: 2 });
    expect(env.emulator.events().filter((event) => event.type === "customer.subscription.trial_will_end")).toHaveLength(
      1,
    );
  });
});

describe("Checkout Session expiry", () => {
  async function openSession(): Promise<Stripe.Checkout.Session> {
    const price = await createMonthlyPrice(env!.stripe, 1500);
    return env!.stripe.checkout.sessions.create({
      mode: "subscription",
      line_items: [{ price: price.id, quantity: 1 }],
      customer_email: "ada@example.test",
      success_url: "https://portal.example.test/done",
    });
  }

  it("expires an open session at expires_at with checkout.session.expired, and its page closes", async () => {
    env = await startWithClient();
    const session = await openSession();
    await env.emulator.advanceTime(session.expires_at - env.emulator.now() - 60);
    expect((await env.stripe.checkout.sessions.retrieve(session.id)).status).toBe("open");
    await env.emulator.advanceTime(120);
    expect((await env.stripe.checkout.sessions.retrieve(session.id)).status).toBe("expired");
    expect(env.emulator.events()[0]).toMatchObject({
      type: "checkout.session.expired",
      created: session.expires_at,
      data: { object: { id: session.id } },
    });
    const page = await fetch(session.url ?? "");
    expect(page.status).toBe(410);
    expect(await page.text()).toContain("This Checkout Session has expired.");
  });

  it("expires a session on request, once", async () => {
    env = await startWithClient();
    const session = await openSession();
    expect(await env.stripe.checkout.sessions.expire(session.id)).toMatchObject({ id: session.id, status: "expired" });
    await expect(env.stripe.checkout.sessions.expire(session.id)).rejects.toMatchObject({
      statusCode: 400,
      type: "StripeInvalidRequestError",
    });
    expect(env.emulator.events().filter((event) => event.type === "checkout.session.expired")).toHaveLength(1);
  });
});
