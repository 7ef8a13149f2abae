import path from "node:path";
import { connectDb, type DbHandle } from "./client";
import { startEmbeddedPostgres } from "./embedded";
import { attachEmbeddedPostgres } from "./embedded/attach";

export type OpenedDatabase = DbHandle & {
  embedded: boolean;
  /** Closes the pool, then stops the embedded server if this process started one. */
  shutdown: () => Promise<void>;
};

type Options = {
  databaseUrl?: string;
  dataDir: string;
  /** PostgreSQL's own output. */
  log?: (message: string) => void;
  /** What the embedded launcher did on its own (restarted the server), for a person to read. */
  notice?: (message: string) => void;
  poolSize?: number;
  /** Command-line tools: use the embedded server a running portal has started on the data folder, if any. */
  shared?: boolean;
};

/**
 * Connects to DATABASE_URL, or to the embedded PostgreSQL under the data folder when it is unset:
 * the one another process runs there when `shared`, otherwise one this process starts (and owns).
 */
export async function openDatabase({
  databaseUrl,
  dataDir,
  log,
  notice,
  poolSize,
  shared,
}: Options): Promise<OpenedDatabase> {
  if (databaseUrl) {
    const handle = connectDb(databaseUrl, { max: poolSize });
    return { ...handle, embedded: false, shutdown: handle.close };
  }
  const running = shared ? await attachEmbeddedPostgres(path.resolve(dataDir)) : null;
  if (running) {
    const handle = connectDb(running.url("postgres"), { max: poolSize });
    return { ...handle, embedded: true, shutdown: handle.close };
  }
  const server = await startEmbeddedPostgres({ dir: path.resolve(dataDir), log, notice });
  const url = server.url("postgres");
  const handle = connectDb(url, { max: poolSize });
  return {
    ...handle,
    embedded: true,
    shutdown: async () => {
      await handle.close();
      await server.stop();
    },
  };
}
