import type { LaunchOptions } from "@playwright/test";

/**
 * Debian's Chromium (never a downloaded browser), overridable with CHROMIUM_PATH. The flags keep it
 * off the network this machine does not have, and let it run as root.
 */
export function chromiumLaunchOptions(): LaunchOptions {
  return {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  };
}
