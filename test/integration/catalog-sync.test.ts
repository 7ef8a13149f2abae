import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prices, products } from "../../db/schema";
import { createStripeClient } from "../../app/modules/billing/stripe.server";
import { syncCatalogToStripe } from "../../app/modules/billing/catalog-sync.server";
import { startStripeEmulator, type StripeEmulator } from "../../stripe-emulator";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";

let database: TestDatabase;
let emulator: StripeEmulator;
let stripe: Stripe;

beforeAll(async () => {
  database = await createTestDatabase();
  emulator = await startStripeEmulator();
  stripe = createStripeClient({ emulatorPort: emulator.port });
});
afterAll(async () => {
  await emulator.stop();
  await dropTestDatabase(database);
});

describe("syncCatalogToStripe", () => {
  it("creates the product and a price per lookup key once; a second run changes nothing", async () => {
    expect(await syncCatalogToStripe(database.db, stripe)).toEqual({
      productsCreated: 5,
      productsUpdated: 0,
      pricesCreated: 8,
      pricesUnchanged: 0,
      pricesAdopted: 0,
    });
    expect(await syncCatalogToStripe(database.db, stripe)).toEqual({
      productsCreated: 0,
      productsUpdated: 0,
      pricesCreated: 0,
      pricesUnchanged: 8,
      pricesAdopted: 0,
    });

    const team = await stripe.prices.list({
      lookup_keys: ["northwind-projects.team.month.usd"],
      expand: ["data.product"],
    });
    expect(team.data).toHaveLength(1);
    expect(team.data[0]).toMatchObject({
      unit_amount: 2400,
      currency: "usd",
      recurring: { interval: "month" },
      product: { name: "Northwind Projects Team", metadata: { product: "northwind-projects", plan: "team" } },
    });
    const [row] = await database.db
      .select()
      .from(prices)
      .where(eq(prices.lookupKey, "northwind-projects.team.month.usd"));
    expect(row?.stripePriceId).toBe(team.data[0]!.id);
  });

  it("moves the lookup key to a new Stripe price when an amount changes, and archives the old one", async () => {
    const [before] = await database.db
      .select()
      .from(prices)
      .where(eq(prices.lookupKey, "northwind-projects.team.month.usd"));
    await database.db.update(prices).set({ unitAmount: 2600 }).where(eq(prices.id, before!.id));
    await database.db.update(products).set({ name: "Northwind Projects Cloud" });
    expect(await syncCatalogToStripe(database.db, stripe)).toEqual({
      productsCreated: 0,
      // The product and each of its four plans' products carry the new name.
      productsUpdated: 5,
      pricesCreated: 1,
      pricesUnchanged: 7,
      pricesAdopted: 0,
    });

    const [after] = await database.db.select().from(prices).where(eq(prices.id, before!.id));
    expect(after!.stripePriceId).not.toBe(before!.stripePriceId);
    const current = await stripe.prices.retrieve(after!.stripePriceId!);
    expect(current).toMatchObject({ unit_amount: 2600, lookup_key: "northwind-projects.team.month.usd", active: true });
    const old = await stripe.prices.retrieve(before!.stripePriceId!);
    expect(old).toMatchObject({ active: false, lookup_key: null });
  });
});
