import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { runToEnd } from "./run";

it("npm run bench -- --smoke runs every scenario and prints every figure README describes", async () => {
  const bench = await runToEnd("npm run bench -- --smoke", { timeoutMs: 180_000 });
  expect(bench.code, bench.output).toBe(0);
  const printed = new Map(
    [...bench.output.matchAll(/^([\w.]+): (-?[\d.]+)$/gm)].map(([, name, value]) => [name!, Number(value)]),
  );
  const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
  const described = [
    ...new Set(readme.match(/`(?:pricing|baseline|login|dynamic|provisioning|postgres|webhooks)\.\w+`/g)),
  ];
  expect(described.length).toBeGreaterThan(15);
  for (const figure of described.map((quoted) => quoted.slice(1, -1))) {
    expect(printed.get(figure), `${figure} in:\n${bench.output}`).toBeGreaterThanOrEqual(0);
  }
});
