import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Stripe from "stripe";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createMonthlyPrice, startWithClient } from "../test/support/stripe-emulator";
import type { EmulatorUnderTest } from "../test/support/stripe-emulator";

let dir: string;
let running: EmulatorUnderTest | undefined;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "stripe-emulator-"));
});
afterEach(async () => {
  await running?.emulator.stop();
  running = undefined;
  await rm(dir, { recursive: true, force: true });
});

it("keeps state across stop() and a restart with the same stateFile", async () => {
  const stateFile = path.join(dir, "state.json");
  running = await startWithClient({ stateFile });
  const price = await createMonthlyPrice(running.stripe, 1500, "pro_monthly");
  await running.stripe.customers.create({ email: "ada@example.test" }, { idempotencyKey: "signup" });
  await running.emulator.stop();

  running = await startWithClient({ stateFile });
  const found = await running.stripe.prices.list({ lookup_keys: ["pro_monthly"] });
  expect(found.data.map((p) => p.id)).toEqual([price.id]);
  expect(String(found.data[0]?.unit_amount_decimal)).toBe("1500");
  expect((await running.stripe.customers.list()).data.map((c) => c.email)).toEqual(["ada@example.test"]);
  const reuse = running.stripe.customers.create({ email: "other@example.test" }, { idempotencyKey: "signup" });
  await expect(reuse).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
});

it("loads a state file written before the clock, cards and schedules existed", async () => {
  const stateFile = path.join(dir, "state.json");
  const collections = ["customers", "products", "prices", "checkoutSessions", "subscriptions", "invoices", "events"];
  const firstSlice = {
    version: 1,
    ...Object.fromEntries(collections.map((name) => [name, []])),
    checkoutSubscriptionData: [],
    idempotency: [],
  };
  await writeFile(
    stateFile,
    JSON.stringify({ ...firstSlice, customers: [{ id: "cus_old", object: "customer", email: "old@example.test" }] }),
  );
  running = await startWithClient({ stateFile });
  expect(await running.stripe.customers.retrieve("cus_old")).toMatchObject({ email: "old@example.test" });
  expect(Math.abs(running.emulator.now() - Math.floor(Date.now() / 1000))).toBeLessThanOrEqual(1);
});
