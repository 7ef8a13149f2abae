import { EnvError } from "../app/lib/env.server";
import { EmbeddedPostgresError } from "../db/embedded";

/**
 * Runs a command-line entry (`npm run db:migrate`, `catalog:sync`…). A failure we foresaw (a bad
 * setting, a database that cannot start) prints its own one-sentence message and exits with 1;
 * anything else is a bug and keeps its stack trace.
 */
export async function runCli(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (!(error instanceof EnvError || error instanceof EmbeddedPostgresError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
