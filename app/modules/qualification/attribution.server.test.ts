import { describe, expect, it } from "vitest";
import { decodeAttribution, encodeAttribution, firstTouch } from "./attribution.server";

const now = new Date("2026-11-25T10:00:00Z");

describe("firstTouch", () => {
  it("records UTM tags, the external referrer's origin and the landing page", () => {
    const url = new URL(
      "https://portal.example.com/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=launch&x=1",
    );
    expect(firstTouch(url, "https://news.example.org/issue/42?reader=jane", undefined, now)).toEqual({
      utm_source: "newsletter",
      utm_medium: "email",
      utm_campaign: "launch",
      referrer: "https://news.example.org",
      landing_path: "/pricing",
      first_seen_at: "2026-11-25T10:00:00.000Z",
    });
  });

  it("ignores our own pages, non-web and malformed referrers", () => {
    const url = new URL("https://portal.example.com/");
    for (const referer of ["https://portal.example.com/pricing", "android-app://com.example", "not a url"]) {
      expect(firstTouch(url, referer, undefined, now)?.referrer).toBeUndefined();
    }
  });

  it("drops blank and oversized UTM values", () => {
    const url = new URL(`https://portal.example.com/?utm_source=%20%20&utm_campaign=${"x".repeat(201)}`);
    const record = firstTouch(url, undefined, undefined, now);
    expect(record).not.toHaveProperty("utm_source");
    expect(record).not.toHaveProperty("utm_campaign");
  });

  it("keeps the first touch: a visitor with a valid cookie gets no new record", () => {
    const first = firstTouch(new URL("https://p.example.com/?utm_source=ads"), undefined, undefined, now)!;
    expect(
      firstTouch(new URL("https://p.example.com/?utm_source=other"), undefined, encodeAttribution(first), now),
    ).toBeNull();
  });

  it("replaces a tampered cookie", () => {
    expect(firstTouch(new URL("https://p.example.com/"), undefined, "garbage", now)).not.toBeNull();
  });
});

describe("decodeAttribution", () => {
  it("round-trips and rejects malformed content", () => {
    const record = firstTouch(new URL("https://p.example.com/?utm_term=crm"), undefined, undefined, now)!;
    expect(decodeAttribution(encodeAttribution(record))).toEqual(record);
    expect(decodeAttribution(Buffer.from('{"landing_path":1}').toString("base64url"))).toBeNull();
    expect(decodeAttribution(undefined)).toBeNull();
  });
});
