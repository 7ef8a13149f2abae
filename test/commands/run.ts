import { spawn } from "node:child_process";
import getPort from "get-port";

/** How a command ended: its exit code, or the signal that ended it (a shell re-raises Ctrl-C's SIGINT). */
export type Finished = { code: number | null; signal: NodeJS.Signals | null; output: string };

/** Runs a command as a person would in a shell, stdout and stderr interleaved, to its end. */
export function runToEnd(
  command: string,
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Finished> {
  const child = spawn("bash", ["-c", command], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  const collect = (chunk: Buffer) => (output += chunk.toString("utf8"));
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const timer = setTimeout(() => killGroup(child.pid!, "SIGKILL"), options.timeoutMs ?? 240_000);
  return new Promise((resolve) =>
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    }),
  );
}

export type Running = {
  url: string;
  output: () => string;
  /** Sends `signal` to the whole process group, as a terminal's Ctrl-C (SIGINT) does, and waits for the end. */
  stop: (signal?: NodeJS.Signals) => Promise<Finished>;
};

/**
 * Starts a long-running command (`npm start`, `npm run dev`) on a free port with its own data
 * folder and waits until it prints that the portal is ready.
 */
export async function startPortalCommand(
  command: string,
  options: { cwd?: string; dataDir: string; env?: Record<string, string>; readyWithinMs?: number },
): Promise<Running> {
  const port = await getPort();
  const url = `http://localhost:${port}`;
  const child = spawn("bash", ["-c", command], {
    cwd: options.cwd,
    env: {
      ...process.env,
      PORT: String(port),
      APP_URL: url,
      DATA_DIR: options.dataDir,
      DATABASE_URL: "",
      STRIPE_SECRET_KEY: "",
      SMTP_URL: "",
      LOG_LEVEL: "warn",
      ...options.env,
    },
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

  const ready = await Promise.race([
    new Promise<boolean>((resolve) => {
      const check = setInterval(() => {
        if (output.includes("Portal ready at")) {
          clearInterval(check);
          resolve(true);
        }
      }, 100);
      setTimeout(() => {
        clearInterval(check);
        resolve(false);
      }, options.readyWithinMs ?? 180_000);
    }),
    exited.then(() => false),
  ]);
  if (!ready) {
    killGroup(child.pid!, "SIGKILL");
    throw new Error(`\`${command}\` did not get ready:\n${output}`);
  }
  return {
    url,
    output: () => output,
    stop: async (signal = "SIGINT") => {
      killGroup(child.pid!, signal);
      return exited;
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
