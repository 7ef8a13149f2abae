import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { retryAfterHeaders } from "./retry-after";

const appDir = new URL("../", import.meta.url);

function sources(dir: URL, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`)
      : /\.tsx?$/.test(entry.name) && !entry.name.includes(".test.")
        ? [`${prefix}${entry.name}`]
        : [],
  );
}

describe("rule: every 429 answer carries Retry-After", () => {
  it("passes an action's or loader's Retry-After on, keeping the parent's headers", () => {
    const headers = retryAfterHeaders({
      actionHeaders: new Headers({ "Retry-After": "120" }),
      loaderHeaders: new Headers(),
      parentHeaders: new Headers({ "Cache-Control": "private, no-cache" }),
      errorHeaders: undefined,
    }) as Headers;
    expect(Object.fromEntries(headers)).toEqual({ "cache-control": "private, no-cache", "retry-after": "120" });
  });

  it("answers 429 only through tooManyRequests, and every route that can exports retryAfterHeaders", async () => {
    const files = sources(appDir);
    const rawStatus = files.filter(
      (file) => file !== "lib/forms.server.ts" && /status:\s*429\b/.test(readFileSync(new URL(file, appDir), "utf8")),
    );
    expect(rawStatus, "429s built by hand, without Retry-After").toEqual([]);
    const limited = files.filter(
      (file) =>
        file.startsWith("routes/") &&
        /\b(tooManyRequests|answerContactRequest)\(/.test(readFileSync(new URL(file, appDir), "utf8")),
    );
    expect(limited.length).toBeGreaterThanOrEqual(7);
    for (const file of limited) {
      const route = (await import(`../routes/${file.slice("routes/".length).replace(/\.tsx$/, "")}.tsx`)) as {
        headers?: unknown;
      };
      expect(route.headers, `${file} exports headers = retryAfterHeaders`).toBe(retryAfterHeaders);
    }
  });
});
