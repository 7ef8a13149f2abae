import path from "node:path";
import { connectDb, type DbHandle } from "./client";
import { startEmbeddedPostgres } from "./embedded";

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
};

/** Connects to DATABASE_URL, or starts the embedded PostgreSQL under the data folder when it is unset. */
export async function openDatabase({ databaseUrl, dataDir, log, notice, poolSize }: Options): Promise<OpenedDatabase> {
  if (databaseUrl) {
    const handle = connectDb(databaseUrl, { max: poolSize });
    return { ...handle, embedded: false, shutdown: handle.close };
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
