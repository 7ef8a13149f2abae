import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { upsertStaffAccount } from "../app/modules/accounts/staff.server";
import type { Database } from "../db/client";

export type DemoLogin = { email: string; password: string };

const DEMO_STAFF_EMAIL = "staff@demo.portal.localhost";

/**
 * The demo's staff login: made once per data folder with a random password kept there, so the
 * start-up message can show it again on every start.
 */
export async function ensureDemoStaff(db: Database, dataDir: string): Promise<DemoLogin> {
  const file = path.resolve(dataDir, "demo-staff-login.json");
  if (existsSync(file)) return JSON.parse(await readFile(file, "utf8")) as DemoLogin;
  const login = { email: DEMO_STAFF_EMAIL, password: randomBytes(12).toString("base64url") };
  await upsertStaffAccount(db, { ...login, name: "Demo Staff", role: "admin" });
  await writeFile(file, JSON.stringify(login), { mode: 0o600 });
  return login;
}
