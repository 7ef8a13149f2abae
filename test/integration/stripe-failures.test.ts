import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as billingRoute from "../../app/routes/account.billing";
import * as newOrderRoute from "../../app/routes/orders.new";
import { startCheckout } from "../../app/modules/orders/checkout.server";
import { confirmCheckout } from "../../app/modules/orders/payment.server";
import { dropBillingSummary } from "../../app/modules/billing/billing-summary.server";
import { APP_URL, buyer, payForPlan, withBillingFixture } from "../support/billing";
import type { TestDatabase } from "../support/database";
import { STRIPE_ERRORS, startFailingStripe, type FailingStripe } from "../support/failing-stripe";
import { callRoute, formPost, routeContext, ROUTE_APP_URL, signedIn, type RouteAnswer } from "../support/routes";
import type { StripeEmulator } from "../../stripe-emulator";

// The rule (issue 11, case 4): any Stripe API error while opening Checkout or changing a plan
// answers a sentence on the page with the customer's choice kept; never a 5xx. Each Stripe call
// a path makes (recorded in a run that works) is failed in turn, with each kind of error.

let database: TestDatabase;
let emulator: StripeEmulator;
let direct: Stripe;
let proxy: FailingStripe;

withBillingFixture((fixture) => ({ database, emulator, stripe: direct } = fixture));
beforeAll(async () => {
  proxy = await startFailingStripe(emulator.port);
});
afterAll(async () => {
  await proxy.stop();
});

const ERRORS = Object.entries(STRIPE_ERRORS);
const SENTENCE = /^[A-Z][^\n]{10,300}[.!]$/;
let buyers = 0;

/** A signed-in owner of a new organisation, the route context using the failing proxy. */
async function customer() {
  const { userId, accountId } = await buyer(database, `failing${(buyers += 1)}`);
  const context = routeContext(database, proxy.stripe);
  return { userId, accountId, context, cookie: await signedIn(context, userId, accountId) };
}

/** The distinct Stripe calls `run` makes when Stripe answers well. */
async function callsOf(run: () => Promise<RouteAnswer>, expectWorked: (answer: RouteAnswer) => void) {
  proxy.reset();
  expectWorked(await run());
  const calls = [...new Set(proxy.calls())];
  proxy.reset();
  expect(calls.length).toBeGreaterThan(0);
  return calls;
}

async function failing(
  call: string,
  error: (typeof STRIPE_ERRORS)[keyof typeof STRIPE_ERRORS],
  run: () => Promise<RouteAnswer>,
) {
  proxy.reset();
  proxy.fail(call, error);
  try {
    return await run();
  } finally {
    proxy.reset();
  }
}

describe("ordering when Stripe fails", () => {
  const order = { plan: "starter", interval: "year", seats: "7" };
  const submit = (who: Awaited<ReturnType<typeof customer>>) =>
    callRoute(newOrderRoute.action, formPost("/orders/new?plan=starter", who.cookie, order), who.context);
  const expectKept = (answer: RouteAnswer) => {
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    const reply = answer.body as { initialValue: Record<string, string>; error: Record<string, string[]> };
    expect(reply.initialValue).toMatchObject(order);
    expect(reply.error[""]?.[0]).toMatch(SENTENCE);
  };
  const scenarios = {
    "a first order (the customer is created)": async () => customer(),
    "a change of mind (the open checkout is expired, the known customer checked)": async () => {
      const who = await customer();
      const before = await startCheckout(
        { db: database.db, stripe: direct, appUrl: APP_URL },
        { accountId: who.accountId, userId: who.userId, planSlug: "starter", interval: "month", seats: 2 },
      );
      expect(before.ok).toBe(true);
      return who;
    },
  };

  for (const [name, setup] of Object.entries(scenarios)) {
    it(`${name}: every failing Stripe call answers a sentence with the choice kept, and a retry works`, async () => {
      const calls = await callsOf(
        async () => submit(await setup()),
        (answer) => expect(answer).toMatchObject({ status: 302, location: expect.stringContaining("/c/pay/") }),
      );
      for (const call of calls) {
        for (const [kind, error] of ERRORS) {
          const who = await setup();
          const answer = await failing(call, error, () => submit(who));
          expect.soft(answer.status, `${call} ${kind}`).toBeLessThan(500);
          expectKept(answer);
          expect(await submit(who), `retry after ${call} ${kind}`).toMatchObject({ status: 302 });
        }
      }
    });
  }
});

describe("changing the plan when Stripe fails", () => {
  /** A customer paying for Team × 3 monthly. */
  async function subscriber() {
    const who = await customer();
    const paid = await payForPlan(database, direct, who.accountId, who.userId, { planSlug: "team", seats: 3 });
    await confirmCheckout(database.db, direct, paid.stripeCheckoutSessionId!);
    return who;
  }
  const query = (choice: Record<string, string>) => `/account/billing?${new URLSearchParams(choice).toString()}`;
  const preview = (who: Awaited<ReturnType<typeof customer>>, choice: Record<string, string>) =>
    callRoute(
      billingRoute.loader,
      new Request(`${ROUTE_APP_URL}${query(choice)}`, { headers: { cookie: who.cookie } }),
      who.context,
    );
  const change = async (who: Awaited<ReturnType<typeof customer>>, choice: Record<string, string>) => {
    proxy.reset();
    const previewed = (await preview(who, choice)).body as { preview: { quote: string | null } | null };
    const fields = {
      intent: "change",
      ...choice,
      ...(previewed.preview?.quote ? { quote: previewed.preview.quote } : {}),
    };
    return () => callRoute(billingRoute.action, formPost(query(choice), who.cookie, fields), who.context);
  };
  const expectSentence = (answer: RouteAnswer) => {
    expect(answer.status).toBe(400);
    expect((answer.body as { message: string }).message).toMatch(SENTENCE);
  };

  it("the preview: every failing call shows a sentence beside what it spoiled, with a 200", async () => {
    const who = await subscriber();
    const choice = { plan: "team", interval: "month", seats: "6" };
    // The page also shows the billing summary (next invoice, card, invoices): uncached, it calls Stripe each time.
    const fresh = () => {
      dropBillingSummary(who.accountId);
      return preview(who, choice);
    };
    const calls = await callsOf(fresh, (answer) =>
      expect(answer.body).toMatchObject({
        preview: { kind: "upgrade" },
        previewError: null,
        summary: { available: true },
      }),
    );
    for (const call of calls)
      for (const [kind, error] of ERRORS) {
        const answer = await failing(call, error, fresh);
        expect(answer.status, `${call} ${kind}`).toBe(200);
        const body = answer.body as {
          preview: unknown;
          previewError: string | null;
          asked: unknown;
          summary: { available: boolean; message?: string };
        };
        expect(body.asked).toEqual({ plan: "team", interval: "month", seats: 6 });
        // The preview failed and says so, or it stands and the summary says it is unavailable.
        if (body.preview === null) expect(body.previewError, `${call} ${kind}`).toMatch(SENTENCE);
        else
          expect(body.summary, `${call} ${kind}`).toMatchObject({
            available: false,
            message: expect.stringMatching(SENTENCE),
          });
      }
  });

  for (const [name, choice] of [
    ["an upgrade", { plan: "team", interval: "month", seats: "6" }],
    ["a downgrade", { plan: "starter", interval: "month", seats: "3" }],
  ] as const) {
    it(`${name}: every failing call answers 400 with a sentence`, async () => {
      const worked = await subscriber();
      const calls = await callsOf(await change(worked, choice), (answer) =>
        expect(answer).toMatchObject({ status: 302, location: expect.stringContaining("notice=") }),
      );
      const who = await subscriber();
      for (const call of calls)
        for (const [, error] of ERRORS) {
          const confirm = await change(who, choice);
          expectSentence(await failing(call, error, confirm));
        }
    });
  }

  it("opening cards and invoices: every failing call answers 400 with a sentence", async () => {
    const who = await subscriber();
    const open = () =>
      callRoute(billingRoute.action, formPost("/account/billing", who.cookie, { intent: "portal" }), who.context);
    const calls = await callsOf(open, (answer) => expect(answer.status).toBe(302));
    for (const call of calls) for (const [, error] of ERRORS) expectSentence(await failing(call, error, open));
  });
});
