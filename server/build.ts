import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const BUILD_INPUTS = [
  "app",
  "public",
  "vite.config.ts",
  "tailwind.config.ts",
  "postcss.config.js",
  "package-lock.json",
];

/** The production build's server entry, rebuilt first when it is missing or older than its sources. */
export async function ensureBuild(root: string, log: (message: string) => void): Promise<string> {
  const entry = path.join(root, "build/server/index.js");
  if (existsSync(entry) && statSync(entry).mtimeMs >= newestInput(root)) return entry;
  log("Building the portal (first start or sources changed)…");
  // Vite's warnings about server modules it leaves out of the browser bundle would bury the
  // newcomer's first screen: its output is shown only when the build fails.
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const child = spawn(path.join(root, "node_modules/.bin/remix"), ["vite:build"], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`The build failed with exit code ${code}:\n${output.split("\n").slice(-40).join("\n")}`)),
    );
  });
  return entry;
}

function newestInput(root: string): number {
  let newest = 0;
  const visit = (file: string) => {
    if (!existsSync(file)) return;
    const stat = statSync(file);
    if (stat.isDirectory()) {
      for (const name of readdirSync(file)) visit(path.join(file, name));
    } else {
      newest = Math.max(newest, stat.mtimeMs);
    }
  };
  for (const input of BUILD_INPUTS) visit(path.join(root, input));
  return newest;
}
