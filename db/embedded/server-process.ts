import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chown, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Binaries } from "./binaries";
import { EmbeddedPostgresError, USE_YOUR_OWN, reason } from "./error";
import type { RunAs } from "./system-user";

export type ClusterOptions = {
  binaries: Binaries;
  dataDir: string;
  /** The system user to run as (when we are root), or null to run as ourselves. */
  runAs: RunAs | null;
  /** Test clusters trade durability for speed. */
  durable: boolean;
  log: (message: string) => void;
};

/** PostgreSQL's own words for a started server; LC_MESSAGES=C keeps them in English. */
const READY = "database system is ready to accept connections";

/**
 * Creates the cluster with `initdb`: superuser `postgres` with `password` (SCRAM), UTF-8, C.UTF-8.
 * The password reaches initdb through a file only the server's user can read, deleted afterwards.
 * @throws EmbeddedPostgresError with initdb's own complaint when it fails.
 */
export async function initCluster(options: ClusterOptions, password: string): Promise<void> {
  const passwordFile = path.join(path.dirname(options.dataDir), `.initdb-password-${process.pid}`);
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  try {
    if (options.runAs) await chown(passwordFile, options.runAs.uid, options.runAs.gid);
    const args = [
      `--pgdata=${options.dataDir}`,
      "--auth=scram-sha-256",
      "--username=postgres",
      `--pwfile=${passwordFile}`,
      "--encoding=UTF8",
      "--locale=C.UTF-8",
      "--lc-messages=C",
      ...(options.durable ? [] : ["--no-sync"]),
    ];
    const failure = await runToEnd(run(options.binaries.initdb, args, options), options);
    if (failure) {
      throw new EmbeddedPostgresError(
        `PostgreSQL's initdb could not create the database in ${options.dataDir}: ${failure}; ${USE_YOUR_OWN}.`,
      );
    }
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/**
 * Starts the server on `port` (loopback only, no Unix socket) in its own process group, so a
 * Ctrl-C in the terminal reaches us and not it: we stop it last, after our own work has drained.
 * Resolves when it accepts connections.
 * @throws EmbeddedPostgresError when it exits first (its last complaint included).
 */
export async function startServer(options: ClusterOptions, port: number): Promise<ChildProcess> {
  const args = [
    "-D",
    options.dataDir,
    "-p",
    String(port),
    ...["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200"],
    ...(options.durable ? [] : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]),
  ];
  const child = run(options.binaries.postgres, args, options, { detached: true });
  let output = "";
  let ready = false;
  await new Promise<void>((resolve, reject) => {
    const failed = (detail: string) =>
      reject(
        new EmbeddedPostgresError(
          `PostgreSQL could not start on the database in ${options.dataDir}: ${detail}; ${USE_YOUR_OWN}.`,
        ),
      );
    child.on("error", (error) => failed(`${child.spawnfile} cannot be run${runner(options)}: ${reason(error)}`));
    child.on("exit", (code) => failed(`it exited with code ${code}: ${lastLines(output)}`));
    child.stderr?.on("data", (chunk: Buffer) => {
      if (ready) return;
      output += chunk.toString("utf8");
      ready = output.includes(READY);
      if (ready) resolve();
    });
  });
  child.removeAllListeners("exit");
  return child;
}

/**
 * Stops the server running on `dataDir` (ours, or one a killed process left behind) with a fast
 * shutdown, and waits for it to exit (an immediate shutdown after 15 s).
 */
export async function stopServer(dataDir: string): Promise<void> {
  const pid = await postmasterPid(dataDir);
  if (!pid) return;
  signal(pid, "SIGINT");
  const deadline = Date.now() + 15_000;
  while (isAlive(pid)) {
    if (Date.now() > deadline) signal(pid, "SIGQUIT");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The running postmaster's process id, or null when none runs on this data folder. */
export async function postmasterPid(dataDir: string): Promise<number | null> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return null;
  const pid = Number.parseInt((await readFile(pidFile, "utf8")).split("\n")[0] ?? "", 10);
  return Number.isInteger(pid) && isAlive(pid) && isPostgres(pid) ? pid : null;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Signals a process that may already be gone. */
export function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

function run(program: string, args: string[], options: ClusterOptions, extra: { detached?: boolean } = {}) {
  const child = spawn(program, args, {
    ...(options.runAs ? { uid: options.runAs.uid, gid: options.runAs.gid } : {}),
    // The caller's folder may be one the server's user cannot enter.
    cwd: path.dirname(options.dataDir),
    env: { ...process.env, LC_MESSAGES: "C" },
    stdio: ["ignore", "pipe", "pipe"],
    ...extra,
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on("data", (chunk: Buffer) => options.log(chunk.toString("utf8").trim()));
  }
  return child;
}

/** Resolves with null when the program succeeds, otherwise with why it failed. */
function runToEnd(child: ChildProcess, options: ClusterOptions): Promise<string | null> {
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  return new Promise((resolve) => {
    child.on("error", (error) => resolve(`${child.spawnfile} cannot be run${runner(options)}: ${reason(error)}`));
    child.on("close", (code) => resolve(code === 0 ? null : `it exited with code ${code}: ${lastLines(output)}`));
  });
}

/** The last complaint of a PostgreSQL program, on one line. */
function lastLines(output: string): string {
  const lines = output.trim().split("\n").filter(Boolean);
  const complaints = lines.filter((line) => /FATAL|ERROR|PANIC|error|cannot|could not/i.test(line));
  return (complaints.length ? complaints : lines).slice(-2).join(" ").trim() || "no output";
}

/** " by the postgres user" when the programs run as another user than ours. */
function runner({ runAs }: ClusterOptions): string {
  return runAs ? ` by the ${runAs.name} user` : "";
}

/** A stale pid file may name a process id the system has since given to another program. */
function isPostgres(pid: number): boolean {
  const comm = `/proc/${pid}/comm`;
  return !existsSync("/proc") || (existsSync(comm) && readFileSync(comm, "utf8").includes("postgres"));
}
