import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, lstat, mkdir, mkdtemp, readlink, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedPostgresError, startEmbeddedPostgres } from "./index";
import { isAlive, postmasterPid } from "./server-process";

const root = process.getuid?.() === 0;
let scratch: string;
/** Stands in for /var/lib/subscription-portal, so tests leave nothing behind. */
let rootHome: string;
/** A folder only its owner may enter, as `mktemp -d` and most home folders are. */
let privateFolder: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "embedded-test-"));
  // Like /var/lib, its parent (the system's temporary folder) may be traversed by anyone.
  rootHome = `${scratch}-home`;
  privateFolder = path.join(scratch, "private");
  await mkdir(privateFolder, { mode: 0o700 });
  await chmod(privateFolder, 0o700);
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
  await rm(rootHome, { recursive: true, force: true });
});

async function query(url: string, text: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await sql.unsafe(text);
  } finally {
    await sql.end();
  }
}

describe("the embedded PostgreSQL", () => {
  it("runs from a data folder inside a folder only its owner may enter, and keeps its data across restarts", async () => {
    const dir = path.join(privateFolder, "portal", ".data");
    const first = await startEmbeddedPostgres({ dir, durable: false, rootHome });
    await query(first.url(), "create table kept (note text); insert into kept values ('still here')");
    await first.stop();
    expect(await postmasterPid(first.dataDir)).toBeNull();

    const second = await startEmbeddedPostgres({ dir, durable: false, rootHome });
    expect(await query(second.url(), "select note from kept")).toEqual([{ note: "still here" }]);
    await second.stop();

    // Nothing above the checkout was opened up for it.
    expect((await stat(privateFolder)).mode & 0o777).toBe(0o700);
    if (root) {
      // As root it runs as the postgres user from a folder that user can reach; the data folder links to it.
      expect(await readlink(path.join(dir, "postgres"))).toBe(first.dataDir);
      expect(first.dataDir.startsWith(path.join(rootHome, "clusters"))).toBe(true);
      expect((await stat(rootHome)).mode & 0o777).toBe(0o711);
    } else {
      expect(first.dataDir).toBe(path.join(dir, "postgres"));
    }
  });

  it("starts afresh when its data folder was deleted, and removes clusters whose data folder is gone", async () => {
    const dir = path.join(privateFolder, "fresh");
    const other = path.join(privateFolder, "other");
    const kept = await startEmbeddedPostgres({ dir, durable: false, rootHome });
    await query(kept.url(), "create table old_data (id int)");
    await kept.stop();
    const abandoned = await startEmbeddedPostgres({ dir: other, durable: false, rootHome });
    await abandoned.stop();

    await rm(dir, { recursive: true });
    await rm(other, { recursive: true });
    const again = await startEmbeddedPostgres({ dir, durable: false, rootHome });
    expect(await query(again.url(), "select to_regclass('old_data') as found")).toEqual([{ found: null }]);
    await again.stop();
    expect(existsSync(abandoned.dataDir)).toBe(!root);
  });

  it("stops a server a killed process left running before it starts its own", async () => {
    const dir = path.join(privateFolder, "orphan");
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "-e",
        `import("./db/embedded/index.ts").then(async ({ startEmbeddedPostgres }) => {
          await startEmbeddedPostgres({ dir: ${JSON.stringify(dir)}, durable: false, rootHome: ${JSON.stringify(rootHome)} });
          console.log("started");
        })`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve) =>
      child.stdout.on("data", (chunk: Buffer) => chunk.includes("started") && resolve()),
    );
    const dataDir = root ? await readlink(path.join(dir, "postgres")) : path.join(dir, "postgres");
    const orphan = await postmasterPid(dataDir);
    expect(orphan).not.toBeNull();
    child.kill("SIGKILL");
    await new Promise((resolve) => child.on("exit", resolve));
    expect(isAlive(orphan!)).toBe(true);

    const server = await startEmbeddedPostgres({ dir, durable: false, rootHome });
    expect(isAlive(orphan!)).toBe(false);
    expect(await query(server.url(), "select 1 as one")).toEqual([{ one: 1 }]);
    await server.stop();
  });

  it("refuses a data folder another live process uses", async () => {
    const dir = path.join(privateFolder, "taken");
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "owner.pid"), `${process.ppid}\n`);
    await expect(startEmbeddedPostgres({ dir, durable: false, rootHome })).rejects.toThrow(
      `The database in ${dir} is in use by process ${process.ppid}: stop it, or set DATA_DIR or DATABASE_URL.`,
    );
  });

  it("says in one sentence what failed and what to do when the data folder cannot be used", async () => {
    const file = path.join(scratch, "a-file");
    await writeFile(file, "");
    const failure = await startEmbeddedPostgres({ dir: file, durable: false, rootHome }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(EmbeddedPostgresError);
    const message = (failure as Error).message;
    expect(message).toMatch(new RegExp(`^The data folder ${file} cannot be used: .+; set DATA_DIR to a folder`));
    expect(message).not.toContain("\n");
    expect((await lstat(file)).isFile()).toBe(true);
  });
});
