import type { Provisioner } from "./types";

/** The provisioners a worker can run, by key. Adding one is a file in provisioners/ and a line where the registry is built. */
export class ProvisionerRegistry {
  private readonly byKey = new Map<string, Provisioner>();

  constructor(provisioners: Provisioner[]) {
    for (const provisioner of provisioners) {
      if (this.byKey.has(provisioner.key)) throw new Error(`Two provisioners use the key ${provisioner.key}`);
      this.byKey.set(provisioner.key, provisioner);
    }
  }

  get(key: string): Provisioner | undefined {
    return this.byKey.get(key);
  }
}
