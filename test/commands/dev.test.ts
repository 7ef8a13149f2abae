import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { startPortalCommand } from "./run";

it("npm run dev serves the portal through Vite and stops on Ctrl-C", async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), "portal-dev-"));
  try {
    const portal = await startPortalCommand("npm run dev", { dataDir });
    const pricing = await fetch(`${portal.url}/pricing`);
    expect(pricing.status, portal.output()).toBe(200);
    // Vite's hot reload, which the production build does not have.
    expect(await pricing.text()).toContain("virtual:remix/inject-hmr-runtime");
    const stopped = await portal.stop("SIGINT");
    expect(stopped.code === 0 || stopped.signal === "SIGINT", stopped.output).toBe(true);
    expect(stopped.output).not.toMatch(/"level":(50|60)/);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
