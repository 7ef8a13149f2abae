import type { Database } from "../client";
import { demoCatalog } from "./demo-catalog";
import { seedCatalog } from "./seed-catalog";

/** Idempotent demo data for the zero-setup start. */
export async function seedDemo(db: Database): Promise<void> {
  await seedCatalog(db, demoCatalog);
}
