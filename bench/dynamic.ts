import { randomBytes } from "node:crypto";
import { startPortal } from "../server/portal-process";
import { startBareServer, type BareServer } from "./bare-server";
import { load, type LoadResult } from "./load";
import type { Report, Scale } from "./scale";

/**
 * Pages rendered for every request, under 10 connections: a signed-in person's `/account` (session
 * lookup, the account's data, React's server render) and the anonymous `/login` page (no cached
 * copy: its loader looks for a session). Then a bare Node server sending the `/login` bytes, in the
 * same run, as the floor the ratios divide by. The portal runs as `npm start` does, request logs on.
 */
export async function dynamicScenario(report: Report, { pick }: Scale): Promise<void> {
  const seconds = pick(10, 1);
  const portal = await startPortal({ LOG_LEVEL: "info" });
  let baseline: BareServer | undefined;
  try {
    const cookie = await signedInCookie(portal.url);
    const measure = async (url: string, headers: Record<string, string> = {}): Promise<LoadResult> => {
      if (pick(true, false)) await load(url, { connections: 10, seconds: 2, headers });
      const result = await load(url, { connections: 10, seconds, headers });
      if (
        result.errors ||
        result.statusCounts["2xx"] === 0 ||
        result.rps * seconds > result.statusCounts["2xx"] * 1.01
      ) {
        throw new Error(`${url}: ${result.errors} errors, answers ${JSON.stringify(result.statusCounts)}`);
      }
      return result;
    };
    const account = await measure(`${portal.url}/account`, { Cookie: cookie });
    const login = await measure(`${portal.url}/login`);

    baseline = await startBareServer(Buffer.from(await (await fetch(`${portal.url}/login`)).arrayBuffer()));
    const bare = await measure(`${baseline.url}/login`);

    report("dynamic.account_rps", Math.round(account.rps));
    report("dynamic.account_p50_ms", account.p50Ms);
    report("dynamic.account_p99_ms", account.p99Ms);
    report("dynamic.login_rps", Math.round(login.rps));
    report("dynamic.login_p50_ms", login.p50Ms);
    report("dynamic.login_p99_ms", login.p99Ms);
    report("dynamic.baseline_rps", Math.round(bare.rps));
    report("dynamic.account_rps_ratio", Number((account.rps / bare.rps).toFixed(3)));
    report("dynamic.login_rps_ratio", Number((login.rps / bare.rps).toFixed(3)));
  } finally {
    await baseline?.stop();
    await portal.stop();
  }
}

/** Signs a new person up and logs them in; returns the session cookie (`name=value`) the portal set. */
async function signedInCookie(url: string): Promise<string> {
  const email = `bench-${randomBytes(4).toString("hex")}@example.com`;
  const password = "a benchmark password";
  const post = (path: string, fields: Record<string, string>) =>
    fetch(`${url}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: url },
      body: new URLSearchParams(fields).toString(),
      redirect: "manual",
    });
  const signup = await post("/signup", { name: "Bench", email, password, company: "Bench Co" });
  if (signup.status !== 302) throw new Error(`sign-up answered ${signup.status}`);
  const login = await post("/login", { email, password });
  const session = login.headers.getSetCookie().find((cookie) => cookie.startsWith("__session="));
  if (login.status !== 302 || !session) throw new Error(`login answered ${login.status} without a session`);
  const cookie = session.split(";")[0]!;
  const account = await fetch(`${url}/account`, { headers: { Cookie: cookie }, redirect: "manual" });
  if (account.status !== 200) throw new Error(`/account answered ${account.status} to the signed-in person`);
  return cookie;
}
