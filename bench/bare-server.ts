import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import getPort from "get-port";

export type BareServer = { url: string; stop: () => Promise<void> };

/**
 * The floor a page can be served at on this machine: `bench/baseline-server.ts` in a child process,
 * sending `body` as HTML for every request on loopback. The scenarios' ratios divide by its requests per second.
 */
export async function startBareServer(body: Buffer): Promise<BareServer> {
  const dir = await mkdtemp(path.join(tmpdir(), "portal-bench-"));
  const file = path.join(dir, "page.html");
  await writeFile(file, body);
  const port = await getPort();
  const child = spawn("node_modules/.bin/tsx", ["bench/baseline-server.ts", file, String(port)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise((resolve) => child.stdout.once("data", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
