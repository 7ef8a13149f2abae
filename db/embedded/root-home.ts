import { createHash } from "node:crypto";
import {
  chmod,
  chown,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  realpath,
  rename,
  rm,
  symlink,
  unlink,
  writeFile,
} from "node:fs/promises";
import path from "node:path";
import { EmbeddedPostgresError, USE_YOUR_OWN, reason } from "./error";
import { postmasterPid, stopServer } from "./server-process";
import type { RunAs } from "./system-user";

/**
 * Where the embedded PostgreSQL keeps its binaries and clusters when we run as root: a root-owned
 * folder others may traverse but not list (0711), so the `postgres` user reaches what it needs
 * wherever the checkout is (root's home, `mktemp -d`: folders only root may enter). ADR 2.
 */
export const ROOT_HOME = "/var/lib/subscription-portal";

/**
 * Makes `home` and `<home>/clusters` exist as root-owned folders others may traverse (0711).
 * @throws EmbeddedPostgresError when they cannot be made.
 */
export async function prepareRootHome(home = ROOT_HOME): Promise<void> {
  try {
    for (const folder of [home, path.join(home, "clusters")]) await traversableFolder(folder);
  } catch (error) {
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL needs ${home} (it runs as the postgres user, which cannot enter your folders): ` +
        `${reason(error)}; run as another user, ${USE_YOUR_OWN}.`,
    );
  }
}

async function traversableFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  await chmod(folder, 0o711);
}

/**
 * The cluster folder for the data folder `dir`, prepared for `user`: `<home>/clusters/<id>`,
 * where `id` is derived from `dir`'s real path, and `<dir>/postgres` a symbolic link to it that
 * says whose it is. A cluster whose data folder no longer links to it belonged to a data folder
 * since deleted (`rm -rf .data` means "start afresh"): it is removed, here for `dir` and for any
 * other data folder at each start.
 * Call `prepareRootHome` first.
 */
export async function clusterInRootHome(dir: string, user: RunAs, home = ROOT_HOME): Promise<string> {
  const clusters = path.join(home, "clusters");
  const cluster = path.join(
    clusters,
    createHash("sha256")
      .update(await realpath(dir))
      .digest("hex")
      .slice(0, 16),
  );
  const link = path.join(dir, "postgres");
  const linked = await linkTarget(link);
  if (linked !== cluster) {
    await removeCluster(cluster);
    if (linked === "folder") await adoptFolder(link, cluster);
    else await rm(link, { force: true });
    // The link first: from then on, a sweep by another process sees the cluster as owned.
    await symlink(cluster, link);
  }
  await writeFile(`${cluster}.owner`, `${dir}\n`, { mode: 0o600 });
  await mkdir(cluster, { recursive: true, mode: 0o700 });
  await chown(cluster, user.uid, user.gid);
  await sweepAbandoned(clusters, cluster);
  return cluster;
}

/** The path `<dir>/postgres` links to, "folder" when it is a real folder, null when absent. */
async function linkTarget(link: string): Promise<string | "folder" | null> {
  const stat = await lstat(link).catch(() => null);
  if (!stat) return null;
  if (stat.isSymbolicLink()) return readlink(link);
  return stat.isDirectory() ? "folder" : null;
}

/** A cluster an earlier version kept in the data folder itself moves to where the server can reach it. */
async function adoptFolder(folder: string, cluster: string): Promise<void> {
  await stopServer(folder);
  try {
    await rename(folder, cluster);
  } catch (error) {
    throw new EmbeddedPostgresError(
      `The database in ${folder} must move to ${cluster}, where the postgres user can reach it, ` +
        `but it could not be moved (${reason(error)}): move it there yourself, or delete it to start afresh.`,
    );
  }
}

async function sweepAbandoned(clusters: string, ours: string): Promise<void> {
  for (const name of await readdir(clusters)) {
    if (!name.endsWith(".owner")) continue;
    const cluster = path.join(clusters, name.slice(0, -".owner".length));
    if (cluster === ours) continue;
    const owner = (await readFile(path.join(clusters, name), "utf8").catch(() => "")).trim();
    const linked = owner ? await linkTarget(path.join(owner, "postgres")) : null;
    if (linked !== cluster && !(await postmasterPid(cluster))) await removeCluster(cluster);
  }
}

async function removeCluster(cluster: string): Promise<void> {
  await stopServer(cluster);
  await rm(cluster, { recursive: true, force: true });
  await unlink(`${cluster}.owner`).catch(() => undefined);
}
