import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runToEnd } from "./run";

/** A failure while tests are being set up names its cause and fails the run; it never exits quietly. */
describe("failures in test setup", () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), "setup-failure-"));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it("vitest's global setup: the run fails and says why", async () => {
    const file = path.join(scratch, "not-a-folder");
    await writeFile(file, "");
    const run = await runToEnd("npx vitest run app/lib/money.test.ts", { env: { DATA_DIR: file } });
    expect(run.code, run.output).not.toBe(0);
    expect(run.output).toContain(`ENOTDIR: not a directory, mkdtemp '${file}/portal-vitest-`);
  });

  it("Playwright's web server: the run fails with the portal's own sentence", async () => {
    const run = await runToEnd("npx playwright test test/e2e/seo.spec.ts", {
      env: {
        E2E_PORT: "3350",
        DATABASE_URL: "postgres://portal:secret@127.0.0.1:1/portal",
        SESSION_SECRET: "a-session-secret-of-at-least-32-characters",
      },
    });
    expect(run.code, run.output).not.toBe(0);
    expect(run.output).toContain("Could not start the portal. connect ECONNREFUSED 127.0.0.1:1");
    expect(run.output).toContain("config.webServer was not able to start");
  });
});
