import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plans, prices, products } from "../../db/schema";
import { demoCatalog } from "../../db/seed/demo-catalog";
import { assertCatalogConsistent, seedCatalog } from "../../db/seed/seed-catalog";
import { loadCatalog, requireCatalog } from "../../app/modules/catalog/catalog.server";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await dropTestDatabase(database);
});

/** Collects catalog_changed notifications until stop() is called. */
async function watchCatalogChanges(db: TestDatabase) {
  let count = 0;
  const subscription = await db.sql.listen("catalog_changed", () => {
    count += 1;
  });
  return {
    async stop() {
      // Notifications arrive asynchronously; a round trip on the listening side flushes them.
      await db.sql`select 1`;
      await new Promise((resolve) => setTimeout(resolve, 100));
      await subscription.unlisten();
      return count;
    },
  };
}

describe("the demo catalog", () => {
  it("loads four active plans in display order with both prices and every feature", async () => {
    const catalog = await requireCatalog(database.db);
    expect(catalog.product.name).toBe(demoCatalog.name);
    expect(catalog.plans.map((p) => p.slug)).toEqual(["starter", "team", "business", "enterprise"]);
    for (const definition of demoCatalog.plans) {
      const plan = catalog.plans.find((p) => p.slug === definition.slug)!;
      expect(plan.prices.month).toEqual({ amount: definition.prices.month, currency: definition.currency });
      expect(plan.prices.year).toEqual({ amount: definition.prices.year, currency: definition.currency });
      expect(plan.features).toEqual(definition.features);
    }
    expect(catalog.features.map((f) => f.key)).toEqual(demoCatalog.features.map((f) => f.key));
  });

  it("has two automatic self-serve plans, one manual self-serve plan and one contact-us plan", async () => {
    const rows = await database.db.select().from(plans).orderBy(plans.sortOrder);
    const summary = rows.map((p) => [p.slug, p.salesMode, p.provisioner, p.provisioningTrigger]);
    expect(summary).toEqual([
      ["starter", "self_serve", "demo", "on_payment"],
      ["team", "self_serve", "demo", "on_payment"],
      ["business", "self_serve", "manual", "on_payment"],
      ["enterprise", "contact_sales", "manual", "after_approval"],
    ]);
  });

  it("gives every price a unique lookup key for the billing sync", async () => {
    const rows = await database.db.select({ key: prices.lookupKey }).from(prices);
    expect(rows).toHaveLength(8);
    expect(rows.map((r) => r.key)).toContain("northwind-projects.team.year.usd");
  });
});

describe("seedCatalog", () => {
  it("changes nothing, and notifies no one, when run again", async () => {
    const before = await database.db
      .select({ id: plans.id, updatedAt: plans.updatedAt })
      .from(plans)
      .orderBy(plans.slug);
    const watcher = await watchCatalogChanges(database);
    await seedCatalog(database.db, demoCatalog);
    expect(await watcher.stop()).toBe(0);
    const after = await database.db
      .select({ id: plans.id, updatedAt: plans.updatedAt })
      .from(plans)
      .orderBy(plans.slug);
    expect(after).toEqual(before);
  });

  it("applies a changed price and tells the web servers once per transaction", async () => {
    const watcher = await watchCatalogChanges(database);
    const changed = structuredClone(demoCatalog);
    changed.plans[1]!.prices.month = 2600;
    changed.plans[0]!.name = "Starter+";
    await seedCatalog(database.db, changed);
    expect(await watcher.stop()).toBe(1);
    const catalog = await requireCatalog(database.db);
    expect(catalog.plans[1]!.prices.month.amount).toBe(2600);
    expect(catalog.plans[0]!.name).toBe("Starter+");
    await seedCatalog(database.db, demoCatalog);
  });

  it("rejects a plan whose features do not match the product's list, saving nothing", async () => {
    const broken = structuredClone(demoCatalog);
    broken.slug = "broken-product";
    delete broken.plans[0]!.features.sso;
    broken.plans[1]!.features.teleport = true;
    expect(() => assertCatalogConsistent(broken)).toThrow(/missing features \[sso\], unknown features \[\]/);
    await expect(seedCatalog(database.db, broken)).rejects.toThrow(/Plan starter/);
    expect(await database.db.select().from(products).where(eq(products.slug, "broken-product"))).toEqual([]);
  });

  it("rejects a flag with a number value", () => {
    const broken = structuredClone(demoCatalog);
    broken.plans[0]!.features.sso = 3;
    expect(() => assertCatalogConsistent(broken)).toThrow(/feature sso has a value of the wrong kind/);
  });
});

describe("loadCatalog", () => {
  it("hides inactive plans and plans missing a price", async () => {
    await database.db.update(plans).set({ active: false }).where(eq(plans.slug, "starter"));
    const team = (await database.db.select().from(plans).where(eq(plans.slug, "team")))[0]!;
    await database.db
      .update(prices)
      .set({ active: false })
      .where(sql`${prices.planId} = ${team.id} and ${prices.interval} = 'year'`);
    try {
      const catalog = await requireCatalog(database.db);
      expect(catalog.plans.map((p) => p.slug)).toEqual(["business", "enterprise"]);
    } finally {
      await database.db.update(plans).set({ active: true }).where(eq(plans.slug, "starter"));
      await database.db.update(prices).set({ active: true }).where(eq(prices.planId, team.id));
    }
  });

  it("returns null for an empty database, and requireCatalog answers 503", async () => {
    const empty = await createTestDatabase({ empty: true });
    try {
      const { migrateDatabase } = await import("../../db/migrate");
      await migrateDatabase(empty);
      expect(await loadCatalog(empty.db)).toBeNull();
      const error = await requireCatalog(empty.db).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Response);
      expect((error as Response).status).toBe(503);
    } finally {
      await dropTestDatabase(empty);
    }
  });
});
