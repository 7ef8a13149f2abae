import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { connectDb, type DbHandle } from "../../db/client";

import { TEMPLATE_DATABASE } from "./template";

export type TestDatabase = DbHandle & { name: string };

function urlFor(database: string): string {
  const url = new URL(inject("postgresUrl"));
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin(run: (admin: DbHandle) => Promise<unknown>): Promise<void> {
  const admin = connectDb(inject("postgresUrl"), { max: 1 });
  try {
    await run(admin);
  } finally {
    await admin.close();
  }
}

/** A fresh database copied from the migrated, seeded template: each test file gets its own. */
export async function createTestDatabase({ empty = false } = {}): Promise<TestDatabase> {
  const name = `test_${randomBytes(6).toString("hex")}`;
  await withAdmin((admin) =>
    admin.sql.unsafe(empty ? `create database ${name}` : `create database ${name} template ${TEMPLATE_DATABASE}`),
  );
  const url = urlFor(name);
  return { ...connectDb(url, { max: 4 }), name };
}

export async function dropTestDatabase(database: TestDatabase): Promise<void> {
  await database.close();
  await withAdmin((admin) => admin.sql.unsafe(`drop database if exists ${database.name} with (force)`));
}
