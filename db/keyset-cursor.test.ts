import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./keyset-cursor";

const raw = (text: string) => Buffer.from(text).toString("base64url");

describe("keyset cursors", () => {
  it("round-trips the sort key of a row", () => {
    const id = randomUUID();
    const at = new Date("2026-03-12T10:00:00.123Z");
    expect(decodeCursor(encodeCursor([2, at, id]), ["int", "time", "uuid"] as const)).toEqual([2, at, id]);
  });

  it("reads anything PostgreSQL could not compare as no cursor", () => {
    const id = randomUUID();
    for (const cursor of [
      raw(`9999-12-31T23:59:59.999Z|${id}`).replace(/./, "x"),
      raw(`+275760-09-13T00:00:00.000Z|${id}`),
      raw(`+010000-01-01T00:00:00.000Z|${id}`),
      raw(`0000-12-31T00:00:00.000Z|${id}`),
      raw(`2026-02-30T00:00:00.000Z|${id}`),
      raw(`2026-01-01T00:00:00.000Z|not-a-uuid`),
      raw(`2026-01-01T00:00:00.000Z|${id}|extra`),
      raw("\u0000|\u0000"),
      "%%%",
      "",
    ]) {
      expect(decodeCursor(cursor, ["time", "uuid"] as const), cursor).toBeNull();
    }
    expect(decodeCursor(raw(`9999-12-31T23:59:59.999Z|${id}`), ["time", "uuid"] as const)).not.toBeNull();
  });
});
