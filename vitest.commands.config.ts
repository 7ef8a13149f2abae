import { defineConfig } from "vitest/config";

/**
 * `npm run test:commands`: README's commands as a person runs them (a fresh clone's `npm install
 * && npm start`, `npm run dev`, the database commands, `npm run bench -- --smoke`), and the faults
 * whole portals must survive (test/processes/: a database restart, stop signals), after the build.
 * One file at a time: each one starts whole portals, and their deadlines are about the portal, not
 * about a machine busy with other test files.
 */
export default defineConfig({
  test: {
    include: ["test/commands/**/*.test.ts", "test/processes/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
