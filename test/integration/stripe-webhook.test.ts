import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../app/lib/logger.server";
import { StripeInbox } from "../../app/modules/billing/inbox.server";
import { stripeWebhook } from "../../server/stripe-webhook";
import { signatureHeader } from "../../stripe-emulator";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";

const secret = "whsec_test_secret";
let database: TestDatabase;
let server: Server;
let url: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const handler = stripeWebhook({
    sql: database.sql,
    stripe: new Stripe("sk_test_unused"),
    secret,
    livemode: false,
    logger: createLogger("silent"),
  });
  server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await dropTestDatabase(database);
});

const event = (id: string, fields: Record<string, unknown> = {}) =>
  JSON.stringify(
    { id, object: "event", type: "invoice.created", livemode: false, data: { object: { id: `in_${id}` } }, ...fields },
    null,
    2,
  );
const post = (body: string, signature = signatureHeader(body, secret, Math.floor(Date.now() / 1000))) =>
  fetch(url, { method: "POST", body, headers: { "Content-Type": "application/json", "Stripe-Signature": signature } });
const stored = async (id: string) => {
  const [row] = await database.sql<{ events: number; jobs: number }[]>`
    select (select count(*)::int from stripe_events where id = ${id}) as events,
           (select count(*)::int from graphile_worker._private_jobs where payload->>'eventId' = ${id}) as jobs`;
  return row;
};

describe("the Stripe webhook route", () => {
  it("stores a signed event with one job, and a second delivery adds nothing", async () => {
    expect(await (await post(event("evt_route_1"))).json()).toEqual({ received: true, duplicate: false });
    expect(await (await post(event("evt_route_1"))).json()).toEqual({ received: true, duplicate: true });
    expect(await stored("evt_route_1")).toEqual({ events: 1, jobs: 1 });
  });

  it("refuses forged and stale signatures, storing nothing", async () => {
    const body = event("evt_route_forged");
    expect((await post(body, signatureHeader(body, "whsec_other", Math.floor(Date.now() / 1000)))).status).toBe(400);
    expect((await post(body, signatureHeader(body, secret, Math.floor(Date.now() / 1000) - 3600))).status).toBe(400);
    expect((await post(body, "")).status).toBe(400);
    expect(await stored("evt_route_forged")).toEqual({ events: 0, jobs: 0 });
  });

  it("refuses a signature dated in the future beyond Stripe's tolerance, as it refuses a stale one", async () => {
    const body = event("evt_route_future");
    const now = Math.floor(Date.now() / 1000);
    expect((await post(body, signatureHeader(body, secret, now + 3600))).status).toBe(400);
    expect((await post(body, signatureHeader(body, secret, now + 60))).status).toBe(200);
    expect(await stored("evt_route_future")).toEqual({ events: 1, jobs: 1 });
  });

  it("answers 400 with a sentence to a signed body that is not a Stripe event, storing nothing", async () => {
    for (const body of [
      JSON.stringify({ object: "event", type: "invoice.created", livemode: false, data: { object: {} } }),
      event("evt_route_no_type", { type: undefined }),
      event("evt_route_no_mode", { livemode: undefined }),
      event("evt_route_no_data", { data: undefined }),
      event("not-an-event-id"),
      JSON.stringify([1, 2, 3]),
      "null",
    ]) {
      const response = await post(body);
      expect(response.status, body).toBe(400);
      expect((await response.json()).error).toMatch(/^not a Stripe event/);
    }
    const rows =
      await database.sql`select id from stripe_events where id like 'evt_route_no%' or id = 'not-an-event-id'`;
    expect(rows).toHaveLength(0);
  });

  it("refuses an event of the other mode than the portal's key (a live event at a test key), storing nothing", async () => {
    const response = await post(event("evt_route_live", { livemode: true }));
    expect(response.status).toBe(400);
    expect((await response.json()).error).toContain("other mode");
    expect(await stored("evt_route_live")).toEqual({ events: 0, jobs: 0 });
  });

  it("answers many deliveries at once, each stored with its job", async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `evt_route_burst_${i}`);
    const answers = await Promise.all(ids.map(async (id) => (await post(event(id))).status));
    expect(answers.every((status) => status === 200)).toBe(true);
    const [counts] = await database.sql<{ events: number; jobs: number }[]>`
      select (select count(*)::int from stripe_events where id like 'evt_route_burst_%') as events,
             (select count(*)::int from graphile_worker._private_jobs where payload->>'eventId' like 'evt_route_burst_%') as jobs`;
    expect(counts).toEqual({ events: 60, jobs: 60 });
  });
});

describe("StripeInbox", () => {
  it("shares one statement among waiting deliveries; a duplicate in the batch is stored once, a refused event fails alone", async () => {
    const inbox = new StripeInbox(database.sql);
    // The first goes alone; the rest wait for it and then share one statement.
    const receipts = await Promise.allSettled([
      inbox.receive("evt_batch_a", event("evt_batch_a")),
      inbox.receive("evt_batch_b", event("evt_batch_b")),
      inbox.receive("evt_batch_b", event("evt_batch_b")),
      inbox.receive("evt_batch_bad", `{"id": "evt_batch_bad", "type": "invoice.created", "note": "\\u0000"}`),
      inbox.receive("evt_batch_c", event("evt_batch_c")),
    ]);
    expect(receipts.map((r) => (r.status === "fulfilled" ? r.value : "refused"))).toEqual([
      "new",
      "new",
      "duplicate",
      "refused",
      "new",
    ]);
    for (const id of ["evt_batch_a", "evt_batch_b", "evt_batch_c"])
      expect(await stored(id)).toEqual({ events: 1, jobs: 1 });
    expect(await stored("evt_batch_bad")).toEqual({ events: 0, jobs: 0 });
  });
});
