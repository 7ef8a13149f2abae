/** The portal as a child process, started the way `npm start` starts it: for the benchmarks and the end-to-end tests. */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import getPort from "get-port";

const OUTPUT_KEPT = 256 * 1024;

export type PortalProcess = {
  url: string;
  dataDir: string;
  /** The embedded server's connection URL, read from its data folder. */
  databaseUrl: () => Promise<string>;
  /** The embedded PostgreSQL's process id. */
  postgresPid: () => Promise<number>;
  /** The portal's exit code: null while it runs. */
  exitCode: () => number | null;
  /** What it printed (stdout and stderr, its last 256 KiB). */
  output: () => string;
  /** SIGTERM, then waits for it to exit and removes its data folder; resolves with its exit code. */
  stop: () => Promise<number | null>;
};

/** Runs `npm start`'s entry with its own port and data folder, as a newcomer would. */
export async function startPortal(env: Record<string, string> = {}): Promise<PortalProcess> {
  const port = await getPort();
  const dataDir = await mkdtemp(path.join(tmpdir(), "portal-process-"));
  const url = `http://localhost:${port}`;
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    // A test runner's NODE_ENV=test is not npm start's: the portal picks its own mode (production).
    NODE_ENV: undefined,
    PORT: String(port),
    DATA_DIR: dataDir,
    APP_URL: url,
    LOG_LEVEL: "warn",
    DATABASE_URL: "",
    ...env,
  };
  // tsx as a loader, not its CLI: the CLI's wrapper turns a signal the portal is slow to take into SIGKILL.
  const child = spawn(process.execPath, ["--import", "tsx", "server/start.ts"], {
    // @remix-run/node's globals declare NODE_ENV as always set; this child is meant to start without it.
    env: childEnv as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The portal did not start in time:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Portal ready at")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => reject(new Error(`The portal exited with code ${code}:\n${output}`)));
  });
  // Keep reading its output so a chatty portal never blocks on a full pipe; the tail is kept for tests.
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT);
  };
  child.stdout.removeAllListeners("data").on("data", keep);
  child.stderr.removeAllListeners("data").on("data", keep);
  child.removeAllListeners("exit");

  const postmaster = async () => (await readFile(path.join(dataDir, "postgres/postmaster.pid"), "utf8")).split("\n");
  return {
    url,
    dataDir,
    databaseUrl: async () => {
      const password = (await readFile(path.join(dataDir, "postgres-password"), "utf8")).trim();
      return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${(await postmaster())[3]}/postgres`;
    },
    postgresPid: async () => Number((await postmaster())[0]),
    exitCode: () => child.exitCode,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      await rm(dataDir, { recursive: true, force: true });
      return child.exitCode;
    },
  };
}
