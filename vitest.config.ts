import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "~": fileURLToPath(new URL("./app", import.meta.url)),
      "#db": fileURLToPath(new URL("./db", import.meta.url)),
    },
  },
  test: {
    include: [
      "app/**/*.test.ts",
      "db/**/*.test.ts",
      "server/**/*.test.ts",
      "provisioning/**/*.test.ts",
      "stripe-emulator/**/*.test.ts",
      "test/integration/**/*.test.ts",
    ],
    globalSetup: ["./test/support/global-setup.ts"],
    pool: "forks",
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
