import { describe, expect, it } from "vitest";
import { noticeText, safeRedirectPath } from "./notices";

/** Known open-redirect payloads: tabs, newlines, backslashes, encoded slashes, userinfo, schemes, whitespace. */
const payloads = [
  "//evil.example/",
  "/\t/evil.example/",
  "/%09/evil.example/",
  "/\n/evil.example/",
  "/\r/evil.example/",
  "/\\evil.example",
  "\\/evil.example",
  "/\\/evil.example",
  "/\t\\evil.example",
  " //evil.example",
  "///evil.example",
  "////evil.example",
  "https://evil.example",
  "https:evil.example",
  "javascript:alert(1)",
  "/javascript:alert(1)",
  "//user:pass@evil.example",
  "/@evil.example",
  "//evil.example%2F",
  "/%2F%2Fevil.example",
  "/%5Cevil.example",
  "/..//evil.example",
  "/.//evil.example",
  "data:text/html,<script>alert(1)</script>",
  "",
  "evil.example",
  "/\u0000/evil.example",
  "/\u3000/evil.example",
];

describe("safeRedirectPath", () => {
  it("never sends anyone off the portal's own origin, whatever the payload", () => {
    for (const payload of [
      ...payloads,
      ...payloads.map((p) => decodeURIComponent(p.replace(/%(?![0-9A-F]{2})/gi, "%25"))),
    ]) {
      const target = safeRedirectPath(payload);
      const resolved = new URL(target, "https://portal.example");
      expect(resolved.origin, JSON.stringify(payload)).toBe("https://portal.example");
      // What a browser does with the Location header: the same resolution, nothing for it to strip.
      expect(target, JSON.stringify(payload)).toMatch(/^\/(?![/\\])[^\s\\]*$/);
    }
  });

  it("keeps a same-origin path, query and fragment", () => {
    expect(safeRedirectPath("/account/billing?plan=team#users")).toBe("/account/billing?plan=team#users");
    expect(safeRedirectPath("/orders/new?plan=team&interval=year")).toBe("/orders/new?plan=team&interval=year");
    expect(safeRedirectPath(null)).toBe("/account");
    expect(safeRedirectPath("https://evil.example", "/")).toBe("/");
  });
});

describe("noticeText", () => {
  it("knows its own keys and nothing inherited", () => {
    expect(noticeText("verified")).toMatch(/confirmed/);
    for (const key of ["__proto__", "constructor", "toString", "hasOwnProperty", "nope"]) {
      expect(noticeText(key), key).toBeNull();
    }
  });
});
