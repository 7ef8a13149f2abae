import os from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";
import { chromiumLaunchOptions } from "./test/support/chromium";

const port = Number(process.env.E2E_PORT ?? 3100);
/** Shared by the e2e portal and the control plane the tests play. */
export const E2E_CONTROL_PLANE_SECRET = "e2e-control-plane-secret-0123456789abcdef";
const dataDir = path.join(os.tmpdir(), `portal-e2e-${port}`);
const mailPort = port + 90;
const stripePort = port + 91;
process.env.E2E_DATA_DIR = dataDir;
process.env.E2E_MAIL_URL = `http://127.0.0.1:${mailPort}`;
process.env.E2E_STRIPE_URL = `http://127.0.0.1:${stripePort}`;
/** Tests that move the Stripe emulator's clock run alone, after the rest: time moves for every subscription. */
const STRIPE_CLOCK_SPECS = /stripe-clock\.spec\.ts/;

/** End-to-end tests run the production build (`npm run build` first) against its own embedded database. */
export default defineConfig({
  testDir: "./test/e2e",
  fullyParallel: true,
  workers: process.env.CI ? 2 : undefined,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  timeout: 30_000,
  use: {
    baseURL: `http://localhost:${port}`,
    trace: "retain-on-failure",
    launchOptions: chromiumLaunchOptions(),
  },
  projects: [
    {
      name: "chromium",
      testIgnore: STRIPE_CLOCK_SPECS,
      use: { ...devices["Desktop Chrome"], launchOptions: chromiumLaunchOptions() },
    },
    {
      name: "stripe-clock",
      testMatch: STRIPE_CLOCK_SPECS,
      dependencies: ["chromium"],
      fullyParallel: false,
      use: { ...devices["Desktop Chrome"], launchOptions: chromiumLaunchOptions() },
    },
  ],
  webServer: {
    command: `rm -rf ${dataDir} && node --import tsx server/start.ts`,
    url: `http://localhost:${port}/healthz`,
    env: {
      PORT: String(port),
      DATA_DIR: dataDir,
      APP_URL: `http://localhost:${port}`,
      LOG_LEVEL: "warn",
      MAIL_CATCHER_PORT: String(mailPort),
      STRIPE_EMULATOR_PORT: String(stripePort),
      PROVISIONER_HTTP_SECRET: E2E_CONTROL_PLANE_SECRET,
    },
    reuseExistingServer: false,
    timeout: 120_000,
    gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
    stdout: "pipe",
  },
});
