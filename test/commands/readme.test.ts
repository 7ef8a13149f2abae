import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";

/**
 * Every command README.md documents is run by CI, in a short smoke run at least, so none can rot
 * unnoticed (a broken `npm run bench` once stayed green for days). Where each one runs:
 */
const EXERCISED_BY: Record<string, string> = {
  "npm install": "test/commands/fresh-clone.test.ts",
  "npm start": "test/commands/fresh-clone.test.ts",
  "npm test": ".ci/run",
  "npm run build": "package.json",
  "npm run dev": "test/commands/dev.test.ts",
  "npm run db:generate": "test/commands/database.test.ts",
  "npm run db:migrate": "test/commands/database.test.ts",
  "npm run db:seed": "test/commands/database.test.ts",
  "npm run demo:history": "test/commands/database.test.ts",
  "npm run catalog:sync": "test/commands/database.test.ts",
  "npm run staff:create": "test/commands/database.test.ts",
  "npm run metrics:backfill": "test/commands/database.test.ts",
  "npm run bench": "test/commands/bench.test.ts",
  "npm run format": "test/commands/fresh-clone.test.ts",
  "npm run lint": "package.json",
};

const read = (file: string) => readFile(new URL(`../../${file}`, import.meta.url), "utf8");

describe("README.md", () => {
  it("documents only commands that CI runs", async () => {
    const documented = new Set((await read("README.md")).match(/\bnpm (?:install|start|test|run [\w:-]+)/g));
    expect(documented.size).toBeGreaterThan(5);
    for (const command of documented) {
      const where = EXERCISED_BY[command];
      expect(where, `README documents \`${command}\`: add a smoke run of it to test/commands/`).toBeDefined();
      expect(await read(where!), `${where} should run \`${command}\``).toContain(
        where === "package.json" ? command.replace("npm run ", "") : command,
      );
    }
  });

  it("is what CI runs, and the test command runs the build and the command smoke runs", async () => {
    expect(await read(".ci/run")).toMatch(/^npm test$/m);
    const { scripts } = JSON.parse(await read("package.json")) as { scripts: Record<string, string> };
    expect(scripts.test).toContain("npm run build");
    expect(scripts.test).toContain("npm run test:commands");
    expect(scripts.lint).toContain("prettier --check");
  });
});
