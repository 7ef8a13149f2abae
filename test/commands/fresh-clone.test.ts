import { execFile } from "node:child_process";
import { chmod, copyFile, mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runToEnd, startPortalCommand } from "./run";

const checkout = path.resolve(import.meta.dirname, "../..");
let home: string;
let clone: string;

/**
 * README's first promise, as a newcomer meets it: a clone in a folder only its owner may enter
 * (what `mktemp -d` and most home folders are; as root, the `postgres` user cannot enter it),
 * then `npm install && npm start`. The clone is the checkout's files as git would clone them.
 */
beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), "newcomer-"));
  await chmod(home, 0o700);
  clone = path.join(home, "portal");
  const { stdout } = await promisify(execFile)(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    {
      cwd: checkout,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  for (const file of stdout.split("\0").filter(Boolean)) {
    const source = path.join(checkout, file);
    if (!(await stat(source).catch(() => null))) continue; // deleted, not yet committed
    await mkdir(path.dirname(path.join(clone, file)), { recursive: true });
    await copyFile(source, path.join(clone, file));
  }
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe("a fresh clone in a folder only its owner may enter", () => {
  it("installs with `npm install` and serves the portal with `npm start`, then stops on Ctrl-C", async () => {
    expect((await stat(home)).mode & 0o777).toBe(0o700);
    const install = await runToEnd("npm install --no-audit --no-fund", { cwd: clone });
    expect(install.code, install.output).toBe(0);

    const portal = await startPortalCommand("npm start", {
      cwd: clone,
      dataDir: path.join(clone, ".data"),
      env: { LOG_LEVEL: "info" },
    });
    const health = await fetch(`${portal.url}/healthz`);
    expect(health.status, portal.output()).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });
    expect((await fetch(`${portal.url}/pricing`)).status).toBe(200);

    const stopped = await portal.stop("SIGINT");
    expect(stopped.output).toContain('"msg":"stopped"');
    expect(stopped.code === 0 || stopped.signal === "SIGINT", stopped.output).toBe(true);
    expect(stopped.output).not.toMatch(/"level":(50|60)/);
  });

  it("is formatted as `npm run format` would format it", async () => {
    const format = await runToEnd("npm run format", { cwd: clone });
    expect(format.code, format.output).toBe(0);
    const changed = format.output.split("\n").filter((line) => /\.\w+ \d+ms$/.test(line));
    expect(changed, "run `npm run format` and commit").toEqual([]);
  });
});
