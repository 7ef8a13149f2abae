import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "./env.server";

describe("parseEnv", () => {
  it("gives working defaults for a machine with no settings", () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      NODE_ENV: "production",
      PORT: 3000,
      APP_URL: "http://localhost:3000",
      DATA_DIR: ".data",
      SEED_DEMO: true,
    });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it("treats blank values as unset", () => {
    expect(parseEnv({ DATABASE_URL: "", PORT: "" }).PORT).toBe(3000);
  });

  it("strips the trailing slash of APP_URL", () => {
    expect(parseEnv({ APP_URL: "https://portal.example.com/" }).APP_URL).toBe("https://portal.example.com");
  });

  it("names every malformed variable and what it expects", () => {
    const parse = () => parseEnv({ PORT: "eighty", DATABASE_URL: "mysql://x", LOG_LEVEL: "loud" });
    expect(parse).toThrow(EnvError);
    expect(parse).toThrow(/PORT: expected a port number \(got "eighty"\)/);
    expect(parse).toThrow(/DATABASE_URL: expected a postgres:\/\/ connection URL/);
    expect(parse).toThrow(/LOG_LEVEL: expected one of fatal, error/);
  });

  it("reads ALLOWED_HOSTS as a list of hosts, and names a malformed one", () => {
    expect(parseEnv({}).ALLOWED_HOSTS).toEqual([]);
    expect(parseEnv({ ALLOWED_HOSTS: "www.example.com, 10.0.0.5:3000" }).ALLOWED_HOSTS).toEqual([
      "www.example.com",
      "10.0.0.5:3000",
    ]);
    expect(() => parseEnv({ ALLOWED_HOSTS: "www.example.com,https://x.example/" })).toThrow(
      /ALLOWED_HOSTS: expected host names, each with an optional port, separated by commas/,
    );
  });

  it("refuses ports out of range", () => {
    expect(() => parseEnv({ PORT: "70000" })).toThrow(/PORT: expected a port from 1 to 65535/);
  });
});

describe("secrets", () => {
  it("requires SESSION_SECRET with a real database, and a long one", () => {
    expect(() => parseEnv({ DATABASE_URL: "postgres://db.example.com/portal" })).toThrow(
      /SESSION_SECRET: required when DATABASE_URL is set/,
    );
    expect(() => parseEnv({ SESSION_SECRET: "short" })).toThrow(
      /SESSION_SECRET: expected at least 32 random characters/,
    );
    expect(
      parseEnv({ DATABASE_URL: "postgres://db/portal", SESSION_SECRET: "x".repeat(32) }).SESSION_SECRET,
    ).toHaveLength(32);
  });

  it("accepts only SMTP URLs for mail", () => {
    expect(() => parseEnv({ SMTP_URL: "http://mail" })).toThrow(/SMTP_URL: expected an smtp:\/\/ or smtps:\/\/ URL/);
    expect(parseEnv({ SMTP_URL: "smtp://u:p@mail.example.com:587" }).SMTP_URL).toBe("smtp://u:p@mail.example.com:587");
  });
});
