/**
 * `npm run staff:create -- --email ops@example.com --name "Ops" [--role admin] [--password …]`
 * Makes a staff account (or turns an existing account into one). Without --password, a random
 * one is generated and printed once.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { z } from "zod";
import { parseEnv } from "../app/lib/env.server";
import { emailField, nameField, newPasswordField } from "../app/modules/accounts/schemas";
import { upsertStaffAccount } from "../app/modules/accounts/staff.server";
import { migrateDatabase } from "../db/migrate";
import { openDatabase } from "../db/open";
import { runCli } from "./cli";

const argsSchema = z.object({
  email: emailField,
  name: nameField,
  role: z.enum(["staff", "admin"], { error: "--role must be staff or admin" }).default("staff"),
  password: newPasswordField.optional(),
});

const { values } = parseArgs({
  options: {
    email: { type: "string" },
    name: { type: "string" },
    role: { type: "string" },
    password: { type: "string" },
  },
});
const parsed = argsSchema.safeParse(values);
if (!parsed.success) {
  for (const issue of parsed.error.issues) console.error(`--${String(issue.path[0])}: ${issue.message}`);
  process.exit(2);
}

await runCli(async () => {
  const env = parseEnv();
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, shared: true });
  try {
    await migrateDatabase(database);
    const password = parsed.data.password ?? randomBytes(12).toString("base64url");
    const { created } = await upsertStaffAccount(database.db, { ...parsed.data, password });
    console.log(`${created ? "Created" : "Updated"} ${parsed.data.role} account ${parsed.data.email}`);
    if (!parsed.data.password) console.log(`Password: ${password}`);
  } finally {
    await database.shutdown();
  }
});
