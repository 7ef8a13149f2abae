import { readFile } from "node:fs/promises";
import path from "node:path";
import { isAlive } from "./server-process";

/** The file in a data folder naming the process that owns it (ADR 2: one owner at a time). */
export function ownerFile(dir: string): string {
  return path.join(dir, "owner.pid");
}

/** The live process other than this one that owns the data folder `dir`, or null. */
export async function otherOwner(dir: string): Promise<number | null> {
  const owner = Number.parseInt(await readFile(ownerFile(dir), "utf8").catch(() => ""), 10);
  return Number.isInteger(owner) && owner !== process.pid && isAlive(owner) ? owner : null;
}
