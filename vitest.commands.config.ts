import { defineConfig } from "vitest/config";

/**
 * `npm run test:commands`: README's commands as a person runs them (a fresh clone's `npm install
 * && npm start`, `npm run dev`, the database commands, `npm run bench -- --smoke`), after the build.
 * One file at a time: each one starts whole portals.
 */
export default defineConfig({
  test: {
    include: ["test/commands/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
