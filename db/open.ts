import path from "node:path";
import { connectDb, type DbHandle } from "./client";
import { startEmbeddedPostgres } from "./embedded";

export type OpenedDatabase = DbHandle & {
  embedded: boolean;
  /** Closes the pool, then stops the embedded server if this process started one. */
  shutdown: () => Promise<void>;
};

type Options = { databaseUrl?: string; dataDir: string; log?: (message: string) => void; poolSize?: number };

/** Connects to DATABASE_URL, or starts the embedded PostgreSQL under the data folder when it is unset. */
export async function openDatabase({ databaseUrl, dataDir, log, poolSize }: Options): Promise<OpenedDatabase> {
  if (databaseUrl) {
    const handle = connectDb(databaseUrl, { max: poolSize });
    return { ...handle, embedded: false, shutdown: handle.close };
  }
  const server = await startEmbeddedPostgres({ dir: path.resolve(dataDir), log });
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
