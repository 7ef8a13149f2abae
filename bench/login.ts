import { randomBytes } from "node:crypto";
import { verifyPassword, hashPassword } from "../app/modules/accounts/passwords.server";
import { startPortal } from "../server/portal-process";
import { load } from "./load";
import type { Report, Scale } from "./scale";

const randomClient = () => `10.${[...randomBytes(3)].join(".")}`;

/**
 * Successful logins of 20 people under 10 connections, each request from another client address so
 * the per-network limit does not refuse them (as many people logging in at 9 am would look).
 * argon2id is the floor: the ratio compares logins per second with what one core can verify.
 */
export async function loginScenario(report: Report, { pick }: Scale): Promise<void> {
  const portal = await startPortal({ LOG_LEVEL: "info" });
  try {
    const password = "a benchmark password";
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const headers = { "Content-Type": "application/x-www-form-urlencoded", Origin: portal.url };
    // Each address may have only 5 password checks in flight (they are paid before hashing), so the
    // logins are spread over many people, as at 9 am.
    const emails = Array.from({ length: 20 }, () => `bench-${randomBytes(4).toString("hex")}@example.com`);
    for (const email of emails) {
      const signup = await fetch(`${portal.url}/signup`, {
        method: "POST",
        headers: { ...headers, "X-Forwarded-For": randomClient() },
        body: form({ name: "Bench", email, password, company: "Bench Co" }),
        redirect: "manual",
      });
      if (signup.status !== 302) throw new Error(`sign-up answered ${signup.status}`);
    }

    const hash = await hashPassword(password);
    const started = performance.now();
    const verifications = pick(20, 3);
    for (let i = 0; i < verifications; i += 1) await verifyPassword(hash, password);
    const verifyMs = (performance.now() - started) / verifications;

    const result = await load(`${portal.url}/login`, {
      connections: 10,
      seconds: pick(10, 1),
      method: "POST",
      headers,
      setupRequest: (request) => ({
        ...request,
        headers: { ...request.headers, "X-Forwarded-For": randomClient() },
        body: form({ email: emails[Math.floor(Math.random() * emails.length)]!, password }),
      }),
    });
    if (result.errors || result.statusCounts["4xx"] || result.statusCounts["5xx"]) {
      throw new Error(`login: ${result.errors} errors, answers ${JSON.stringify(result.statusCounts)}`);
    }
    report("login.rps", Math.round(result.rps));
    report("login.p50_ms", result.p50Ms);
    report("login.p99_ms", result.p99Ms);
    report("login.argon2_verify_ms", Number(verifyMs.toFixed(1)));
    report("login.rps_ratio", Number((result.rps / (1000 / verifyMs)).toFixed(3)));
  } finally {
    await portal.stop();
  }
}
