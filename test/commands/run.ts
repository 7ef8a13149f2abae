import { spawn } from "node:child_process";
import getPort from "get-port";

/** How a command ended: its exit code, or the signal that ended it (a shell re-raises Ctrl-C's SIGINT). */
export type Finished = { code: number | null; signal: NodeJS.Signals | null; output: string };

type Started = { pid: number; output: () => string; exited: Promise<Finished> };

/** A command in a shell of its own process group, as a terminal runs it; stdout and stderr interleaved. */
function startCommand(command: string, options: { cwd?: string; env: Record<string, string | undefined> }): Started {
  const child = spawn("bash", ["-c", command], {
    cwd: options.cwd,
    // As in a person's shell: without vitest's NODE_ENV=test, so `npm start` runs in its own (production) mode
    // (@remix-run/node's globals declare NODE_ENV as always set).
    env: { ...process.env, NODE_ENV: undefined, ...options.env } as unknown as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  const collect = (chunk: Buffer) => (output += chunk.toString("utf8"));
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const exited = new Promise<Finished>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, output })),
  );
  return { pid: child.pid!, output: () => output, exited };
}

/** Runs a command as a person would in a shell, to its end (killed after `timeoutMs`). */
export async function runToEnd(
  command: string,
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Finished> {
  const started = startCommand(command, { cwd: options.cwd, env: options.env ?? {} });
  const timer = setTimeout(() => killGroup(started.pid, "SIGKILL"), options.timeoutMs ?? 240_000);
  const finished = await started.exited;
  clearTimeout(timer);
  return finished;
}

export type Running = {
  url: string;
  output: () => string;
  /** Sends `signal` to the whole process group, as a terminal's Ctrl-C (SIGINT) does, and waits for the end. */
  stop: (signal?: NodeJS.Signals) => Promise<Finished>;
};

/**
 * Starts a long-running command (`npm start`, `npm run dev`) on a free port with its own data
 * folder and none of the real services' settings, and waits until it prints that the portal is ready.
 */
export async function startPortalCommand(
  command: string,
  options: { cwd?: string; dataDir: string; env?: Record<string, string>; readyWithinMs?: number },
): Promise<Running> {
  const port = await getPort();
  const url = `http://localhost:${port}`;
  const started = startCommand(command, {
    cwd: options.cwd,
    env: {
      PORT: String(port),
      APP_URL: url,
      DATA_DIR: options.dataDir,
      DATABASE_URL: "",
      STRIPE_SECRET_KEY: "",
      SMTP_URL: "",
      LOG_LEVEL: "warn",
      ...options.env,
    },
  });
  const deadline = Date.now() + (options.readyWithinMs ?? 180_000);
  let ended = false;
  void started.exited.then(() => (ended = true));
  while (!started.output().includes("Portal ready at")) {
    if (ended || Date.now() > deadline) {
      killGroup(started.pid, "SIGKILL");
      throw new Error(`\`${command}\` did not get ready:\n${started.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    output: started.output,
    stop: async (signal = "SIGINT") => {
      killGroup(started.pid, signal);
      return started.exited;
    },
  };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
