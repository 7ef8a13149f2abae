import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { coalescing } from "./coalesce.server";

/** Collects each chunk the stream passes on. */
function collect(stream: ReturnType<typeof coalescing>): Buffer[] {
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  return chunks;
}

describe("gathering a renderer's small writes", () => {
  it("passes one chunk per pause, the bytes unchanged and in order", async () => {
    const stream = coalescing();
    const chunks = collect(stream);
    for (let n = 0; n < 30; n += 1) stream.write(Buffer.from(`<p>${n}</p>`));
    await nextTurn();
    stream.write(Buffer.from("<p>later</p>"));
    stream.end();
    await new Promise((resolve) => stream.on("end", resolve));
    expect(chunks).toHaveLength(2);
    expect(Buffer.concat(chunks).toString()).toBe(
      `${Array.from({ length: 30 }, (_, n) => `<p>${n}</p>`).join("")}<p>later</p>`,
    );
  });

  it("never holds more than 64 KiB, and never holds back what came before a pause", async () => {
    const stream = coalescing();
    const chunks = collect(stream);
    for (let n = 0; n < 40; n += 1) stream.write(Buffer.alloc(2048, 97));
    // 32 writes of 2 KiB make 64 KiB: passed on at once, the rest after the pause.
    await new Promise((resolve) => process.nextTick(resolve));
    expect(chunks.map((chunk) => chunk.length)).toEqual([64 * 1024]);
    await nextTurn();
    expect(chunks.map((chunk) => chunk.length)).toEqual([64 * 1024, 8 * 2048]);
  });
});
