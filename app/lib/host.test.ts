import { describe, expect, it } from "vitest";
import { normalHost } from "./host";

describe("normalHost", () => {
  it("writes a host as URLs do: lower case, without the protocol's default port", () => {
    expect(normalHost("Portal.Example.COM", "https:")).toBe("portal.example.com");
    expect(normalHost("portal.example.com:443", "https:")).toBe("portal.example.com");
    expect(normalHost("portal.example.com:443", "http:")).toBe("portal.example.com:443");
    expect(normalHost("localhost:3000", "http:")).toBe("localhost:3000");
    expect(normalHost("[::1]:3000", "http:")).toBe("[::1]:3000");
    expect(normalHost("10.0.0.5", "http:")).toBe("10.0.0.5");
  });

  it("is null for anything that is not a host and a port", () => {
    for (const value of [
      undefined,
      "",
      "a b",
      "localhost:3000/plans/enterprise?",
      "localhost:3000?x",
      "localhost:3000#x",
      "user@localhost:3000",
      "localhost:",
      "localhost:99999",
      "portal.example.com.",
      "-portal.example.com",
      "portal_example.com",
      "[::1",
      "localhost:3000,evil.example",
    ]) {
      expect(normalHost(value, "http:"), String(value)).toBeNull();
    }
  });
});
