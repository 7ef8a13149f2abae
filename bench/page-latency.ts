import { readFile } from "node:fs/promises";
import path from "node:path";
import { inParallel } from "./parallel";
import { percentile } from "./percentile";

/** One page's latencies, in milliseconds, ascending. */
export type PageLatency = { url: string; sorted: number[]; p99Ms: number };

/**
 * Logs in as the demo staff member `npm start` made in the portal's data folder; returns the session
 * cookie (`name=value`). Throws when the login or the staff console answers otherwise than expected.
 */
export async function staffCookie(portalUrl: string, dataDir: string): Promise<string> {
  const login = JSON.parse(await readFile(path.join(dataDir, "demo-staff-login.json"), "utf8")) as {
    email: string;
    password: string;
  };
  const response = await fetch(`${portalUrl}/login`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: portalUrl },
    body: new URLSearchParams(login).toString(),
    redirect: "manual",
  });
  const session = response.headers.getSetCookie().find((cookie) => cookie.startsWith("__session="));
  if (response.status !== 302 || !session) throw new Error(`staff login answered ${response.status} without a session`);
  const cookie = session.split(";")[0]!;
  const staff = await fetch(`${portalUrl}/staff`, { headers: { Cookie: cookie }, redirect: "manual" });
  if (staff.status !== 200) throw new Error(`/staff answered ${staff.status} to the demo staff member`);
  return cookie;
}

/** GETs a page as the cookie's owner; answers its body and how long it took (ms). Throws on any answer but 200. */
export async function timedGet(url: string, cookie: string): Promise<{ body: string; ms: number }> {
  const started = performance.now();
  const response = await fetch(url, { headers: { Cookie: cookie }, redirect: "manual" });
  const body = await response.text();
  const ms = performance.now() - started;
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return { body, ms };
}

/**
 * The next page's link on a keyset-paginated list (the first `href` carrying `cursor=`), as an absolute
 * URL, or null on the last page.
 */
export function nextPageUrl(pageUrl: string, body: string): string | null {
  const href = /href="([^"]*cursor=[^"]*)"/.exec(body)?.[1];
  return href ? new URL(href.replaceAll("&amp;", "&"), pageUrl).toString() : null;
}

/**
 * Each page's p99 as one signed-in staff member sees it: `sequential` requests one after another,
 * then `concurrent` more of each with every page of the list requested from `width` clients at once
 * (a team at work), all counted from send to the last byte. Two warm-up requests per page are not
 * counted (the first render compiles nothing, but the database's caches start cold after the load).
 */
export async function measurePages(
  urls: string[],
  cookie: string,
  { sequential, concurrent, width }: { sequential: number; concurrent: number; width: number },
): Promise<PageLatency[]> {
  const latencies = new Map<string, number[]>(urls.map((url) => [url, []]));
  for (const url of urls) {
    for (let i = 0; i < 2; i += 1) await timedGet(url, cookie);
    for (let i = 0; i < sequential; i += 1) latencies.get(url)!.push((await timedGet(url, cookie)).ms);
  }
  await inParallel(width, urls.length * concurrent, async (i) => {
    const url = urls[i % urls.length]!;
    latencies.get(url)!.push((await timedGet(url, cookie)).ms);
  });
  return urls.map((url) => {
    const sorted = latencies.get(url)!.sort((a, b) => a - b);
    return { url, sorted, p99Ms: percentile(sorted, 0.99) };
  });
}

/** Each page's p99 and median to stderr, as `<group>: p99 N ms, median M ms  <path>` (cursors shortened). */
export function printPages(group: string, pages: PageLatency[], base: string): void {
  for (const page of pages) {
    const where = decodeURIComponent(page.url.slice(base.length)).replace(/cursor=[^&]+/, "cursor=…");
    console.error(
      `${group}: p99 ${page.p99Ms} ms, median ${Math.round(page.sorted[page.sorted.length >> 1]!)} ms  ${where}`,
    );
  }
}
