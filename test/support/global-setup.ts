import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { connectDb } from "../../db/client";
import { startEmbeddedPostgres } from "../../db/embedded";
import { migrateDatabase } from "../../db/migrate";
import { seedDemo } from "../../db/seed";

import { TEMPLATE_DATABASE } from "./template";

declare module "vitest" {
  export interface ProvidedContext {
    /** Admin URL of the run's PostgreSQL server, database part "postgres". */
    postgresUrl: string;
  }
}

/**
 * One real PostgreSQL for the whole run, with a migrated and seeded template database that tests
 * copy. Its data lives in a new folder under DATA_DIR (the system's temporary folder when unset).
 */
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(path.join(process.env.DATA_DIR ?? tmpdir(), "portal-vitest-"));
  const server = await startEmbeddedPostgres({ dir, durable: false });
  const admin = connectDb(server.url(), { max: 1 });
  await admin.sql.unsafe(`create database ${TEMPLATE_DATABASE}`);
  await admin.close();
  const template = connectDb(server.url(TEMPLATE_DATABASE), { max: 2 });
  await migrateDatabase(template);
  await seedDemo(template.db);
  await template.close();
  project.provide("postgresUrl", server.url());

  return async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
