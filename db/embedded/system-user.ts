import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { EmbeddedPostgresError, USE_YOUR_OWN } from "./error";

const run = promisify(execFile);

/** The system account PostgreSQL runs as when we are root (PostgreSQL refuses to run as root). */
export type RunAs = { name: string; uid: number; gid: number };

const NAME = "postgres";

/**
 * The `postgres` system user's ids, creating a locked system account without a home folder when
 * it is missing (as Debian's postgresql package would). Only called as root.
 * @throws EmbeddedPostgresError when the account cannot be created.
 */
export async function postgresUser(): Promise<RunAs> {
  const existing = await lookup();
  if (existing) return existing;
  try {
    await run("groupadd", ["--system", "--force", NAME]);
    await run("useradd", ["--system", "--gid", NAME, "--no-create-home", "--shell", "/usr/sbin/nologin", NAME]);
  } catch (error) {
    // A second process may have created it meanwhile.
    const created = await lookup();
    if (created) return created;
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new EmbeddedPostgresError(
      `PostgreSQL cannot run as root and the "${NAME}" system user could not be created (${detail}): ` +
        `create it (useradd --system ${NAME}), run as another user, ${USE_YOUR_OWN}.`,
    );
  }
  const created = await lookup();
  if (!created) throw new EmbeddedPostgresError(`The "${NAME}" system user was created but cannot be found.`);
  return created;
}

async function lookup(): Promise<RunAs | null> {
  try {
    const [uid, gid] = await Promise.all([run("id", ["-u", NAME]), run("id", ["-g", NAME])]);
    return { name: NAME, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return null;
  }
}
