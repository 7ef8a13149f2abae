import { readFile } from "node:fs/promises";
import path from "node:path";
import { otherOwner } from "./owner";
import { postmasterPid } from "./server-process";

/** A connection to the embedded PostgreSQL another process runs; stopping it is that process's business. */
export type AttachedPostgres = { url: (database?: string) => string };

/**
 * The embedded PostgreSQL that a live process (`npm start`, usually) runs on the data folder `dir`,
 * or null when none does. Command-line tools attach to it rather than being refused the folder:
 * `npm run staff:create` works while the portal runs. Reads the port from the cluster's
 * `postmaster.pid` (line 4, PostgreSQL's documented layout) and the password from the data folder.
 */
export async function attachEmbeddedPostgres(dir: string): Promise<AttachedPostgres | null> {
  if (!(await otherOwner(dir))) return null;
  const cluster = path.join(dir, "postgres");
  if (!(await postmasterPid(cluster))) return null;
  const [, , , port, , , , status] = (await readFile(path.join(cluster, "postmaster.pid"), "utf8")).split("\n");
  if (status?.trim() !== "ready" || !port) return null;
  const password = (await readFile(path.join(dir, "postgres-password"), "utf8")).trim();
  return {
    url: (database = "postgres") =>
      `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port.trim()}/${database}`,
  };
}
