import { z } from "zod";
import { normalHost } from "./host";

const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const port = z.coerce
  .number({ error: "expected a port number" })
  .int("expected a whole number")
  .min(1, "expected a port from 1 to 65535")
  .max(65535, "expected a port from 1 to 65535");

/** Every environment variable the portal reads. `.env.example` documents each one. */
const envSchema = z
  .object({
    NODE_ENV: z
      .enum(["production", "development", "test"], { error: "expected production, development or test" })
      .default("production"),
    HOST: z.string().min(1, "expected a host name or address").default("0.0.0.0"),
    PORT: port.default(3000),
    APP_URL: z
      .url({ protocol: /^https?$/, error: "expected an absolute http(s) URL such as https://portal.example.com" })
      .transform((url) => url.replace(/\/+$/, ""))
      .optional(),
    /** Other names the portal answers to besides APP_URL's host (ADR 12): `www.example.com,portal.internal:3000`. */
    ALLOWED_HOSTS: z
      .string()
      .transform((value) => value.split(",").map((entry) => entry.trim()))
      .refine((hosts) => hosts.every((host) => normalHost(host, "http:") !== null), {
        error: "expected host names, each with an optional port, separated by commas (www.example.com,10.0.0.5:3000)",
      })
      .default([]),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: "expected a postgres:// connection URL" }).optional(),
    TRUST_PROXY: z
      .string()
      .min(1, "expected an Express trust proxy setting such as loopback, 1 or 10.0.0.0/8")
      .default("loopback"),
    DATA_DIR: z.string().min(1, "expected a folder path").default(".data"),
    SEED_DEMO: z
      .enum(["true", "false"], { error: "expected true or false" })
      .default("true")
      .transform((value) => value === "true"),
    SESSION_SECRET: z.string().min(32, "expected at least 32 random characters (e.g. openssl rand -hex 32)").optional(),
    SMTP_URL: z
      .url({
        protocol: /^smtps?$/,
        error: "expected an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.com:587",
      })
      .optional(),
    MAIL_FROM: z
      .string()
      .min(3, "expected a sender such as Portal <no-reply@example.com>")
      .default("Northwind Projects <no-reply@portal.localhost>"),
    MAIL_CATCHER_PORT: port.optional(),
    PROVISIONER_HTTP_SECRET: z
      .string()
      .min(32, "expected at least 32 random characters, shared with your control plane")
      .optional(),
    STRIPE_SECRET_KEY: z
      .string()
      .regex(/^(sk|rk)_(test|live)_\w+$/, "expected a Stripe secret key (sk_test_… or sk_live_…)")
      .optional(),
    STRIPE_WEBHOOK_SECRET: z
      .string()
      .regex(/^whsec_\w+$/, "expected the webhook signing secret (whsec_…)")
      .optional(),
    /** Where the local Stripe emulator listens when STRIPE_SECRET_KEY is unset; any free port by default. */
    STRIPE_EMULATOR_PORT: port.optional(),
    /** An emulator already running on this machine, used instead of starting one (the webhooks benchmark runs its own). */
    STRIPE_EMULATOR_URL: z
      .url({
        protocol: /^http$/,
        hostname: /^127\.0\.0\.1$/,
        error: "expected a running Stripe emulator on this machine, such as http://127.0.0.1:12111",
      })
      .optional(),
    /** How long a stop signal may take, in ms: platforms send SIGKILL after 10 s, so 8 s by default. */
    SHUTDOWN_TIMEOUT_MS: z.coerce
      .number({ error: "expected a number of milliseconds, such as 8000" })
      .int("expected a whole number of milliseconds")
      .min(1_000, "expected at least 1000 (ms): stopping the database alone takes a moment")
      .max(600_000, "expected at most 600000 (ms)")
      .default(8_000),
    LOG_LEVEL: z.enum(logLevels, { error: `expected one of ${logLevels.join(", ")}` }).default("info"),
  })
  // The zero-setup demo keeps a generated secret in DATA_DIR; a real deployment must bring its own.
  .refine((env) => env.SESSION_SECRET || !env.DATABASE_URL, {
    path: ["SESSION_SECRET"],
    message: "required when DATABASE_URL is set (at least 32 random characters)",
  })
  .refine((env) => !env.STRIPE_SECRET_KEY || env.STRIPE_WEBHOOK_SECRET, {
    path: ["STRIPE_WEBHOOK_SECRET"],
    message: "required with STRIPE_SECRET_KEY (from the webhook endpoint, or `stripe listen`)",
  });

export type Env = z.infer<typeof envSchema> & { APP_URL: string };

export class EnvError extends Error {
  override name = "EnvError";
}

/** Parses the environment; throws an EnvError naming each bad variable and what it expects. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const blankAsUnset = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ""));
  const result = envSchema.safeParse(blankAsUnset);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      const got = source[name];
      return `  ${name}: ${issue.message}${got === undefined ? "" : ` (got ${JSON.stringify(got)})`}`;
    });
    throw new EnvError(`Invalid environment:\n${lines.join("\n")}`);
  }
  const env = result.data;
  return { ...env, APP_URL: env.APP_URL ?? `http://localhost:${env.PORT}` };
}
