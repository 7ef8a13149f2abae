import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { clientFor, createMonthlyPrice, withEmulatorPerTest } from "../test/support/stripe-emulator";
import type { EmulatorUnderTest } from "../test/support/stripe-emulator";

let env: EmulatorUnderTest;
withEmulatorPerTest((started) => {
  env = started;
});

describe("products and prices", () => {
  it("creates a product and a recurring price and finds the price by lookup key", async () => {
    const { stripe } = env;
    const product = await stripe.products.create({ name: "Team plan", metadata: { tier: "team" } });
    expect(product).toMatchObject({ object: "product", name: "Team plan", active: true, metadata: { tier: "team" } });
    expect(product.id).toMatch(/^prod_/);

    const price = await stripe.prices.create({
      product: product.id,
      currency: "EUR",
      unit_amount: 2900,
      recurring: { interval: "year" },
      lookup_key: "team_yearly",
    });
    expect(price).toMatchObject({
      object: "price",
      currency: "eur",
      unit_amount: 2900,
      type: "recurring",
      product: product.id,
    });
    expect(price.recurring).toMatchObject({ interval: "year", interval_count: 1 });

    await createMonthlyPrice(stripe, 1000, "other");
    const found = await stripe.prices.list({ lookup_keys: ["team_yearly"], expand: ["data.product"] });
    expect(found.data.map((p) => p.id)).toEqual([price.id]);
    expect(found.data[0]?.product).toMatchObject({ id: product.id, name: "Team plan" });
    expect(await stripe.prices.retrieve(price.id)).toMatchObject({ id: price.id, lookup_key: "team_yearly" });
  });

  it("refuses a taken lookup key unless transfer_lookup_key moves it", async () => {
    const { stripe } = env;
    const old = await createMonthlyPrice(stripe, 1000, "pro_monthly");
    await expect(createMonthlyPrice(stripe, 1200, "pro_monthly")).rejects.toMatchObject({
      type: "StripeInvalidRequestError",
      param: "lookup_key",
    });
    const product = await stripe.products.create({ name: "Pro plan v2" });
    const replacement = await stripe.prices.create({
      product: product.id,
      currency: "usd",
      unit_amount: 1200,
      recurring: { interval: "month" },
      lookup_key: "pro_monthly",
      transfer_lookup_key: true,
    });
    expect((await stripe.prices.retrieve(old.id)).lookup_key).toBeNull();
    expect((await stripe.prices.list({ lookup_keys: ["pro_monthly"] })).data.map((p) => p.id)).toEqual([
      replacement.id,
    ]);
  });

  it("updates a price's active flag and metadata", async () => {
    const price = await createMonthlyPrice(env.stripe);
    const updated = await env.stripe.prices.update(price.id, { active: false, metadata: { retired: "yes" } });
    expect(updated).toMatchObject({ active: false, metadata: { retired: "yes" } });
    expect((await env.stripe.prices.list({ active: true })).data).toEqual([]);
  });
});

describe("lists", () => {
  it("pages newest first with has_more and starting_after, and auto-pages through the SDK", async () => {
    const { stripe } = env;
    const product = await stripe.products.create({ name: "Seats" });
    const created: string[] = [];
    for (let amount = 100; amount <= 500; amount += 100) {
      created.push((await stripe.prices.create({ product: product.id, currency: "usd", unit_amount: amount })).id);
    }
    const newestFirst = [...created].reverse();

    const first = await stripe.prices.list({ limit: 2 });
    expect(first).toMatchObject({ object: "list", url: "/v1/prices", has_more: true });
    expect(first.data.map((p) => p.id)).toEqual(newestFirst.slice(0, 2));

    const second = await stripe.prices.list({ limit: 2, starting_after: first.data[1]?.id });
    expect(second.data.map((p) => p.id)).toEqual(newestFirst.slice(2, 4));
    const last = await stripe.prices.list({ limit: 2, starting_after: second.data[1]?.id });
    expect(last.has_more).toBe(false);
    expect(last.data.map((p) => p.id)).toEqual(newestFirst.slice(4));

    expect((await stripe.prices.list({ limit: 2 }).autoPagingToArray({ limit: 100 })).map((p) => p.id)).toEqual(
      newestFirst,
    );
  });
});

describe("idempotency", () => {
  it("replays the stored response for a repeated key and body", async () => {
    const first = await env.stripe.customers.create({ email: "ada@example.test" }, { idempotencyKey: "signup-1" });
    const again = await env.stripe.customers.create({ email: "ada@example.test" }, { idempotencyKey: "signup-1" });
    expect(again.id).toBe(first.id);
    expect((await env.stripe.customers.list()).data).toHaveLength(1);
  });

  it("rejects the same key with a different body", async () => {
    await env.stripe.customers.create({ email: "ada@example.test" }, { idempotencyKey: "signup-2" });
    const reuse = env.stripe.customers.create({ email: "grace@example.test" }, { idempotencyKey: "signup-2" });
    await expect(reuse).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });
});

describe("errors", () => {
  it("reports a missing param as StripeInvalidRequestError naming the param", async () => {
    const product = await env.stripe.products.create({ name: "No price" });
    const error: unknown = await env.stripe.prices
      .create({ product: product.id, currency: "usd" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ param: "unit_amount", statusCode: 400 });
  });

  it("names a nested param in form syntax and answers 404 for unknown ids", async () => {
    const badItem = env.stripe.checkout.sessions.create({
      mode: "subscription",
      success_url: "https://portal.example.test/done",
      line_items: [{ price: "price_missing", quantity: 1 }],
    });
    await expect(badItem).rejects.toMatchObject({
      type: "StripeInvalidRequestError",
      param: "line_items[0][price]",
      statusCode: 404,
    });
    await expect(env.stripe.customers.retrieve("cus_missing")).rejects.toMatchObject({
      code: "resource_missing",
      statusCode: 404,
    });
  });

  it("refuses requests without a test secret key", async () => {
    const anonymous = await fetch(`${env.emulator.url}/v1/customers`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { type: "authentication_error" } });
    await expect(clientFor(env.emulator, "sk_live_nope").customers.list()).rejects.toBeInstanceOf(
      Stripe.errors.StripeAuthenticationError,
    );
  });
});
