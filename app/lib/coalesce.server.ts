import { Transform } from "node:stream";

/** Bytes gathered before a chunk goes on at once, whatever the writer does next. */
const LIMIT = 64 * 1024;

/**
 * A pass-through stream that gathers small writes into larger chunks. React's server renderer
 * writes a page in pieces of about 2 KiB, and each piece then travels alone through the web stream,
 * Remix, the compressor and the socket; gathered, a page of 60 KiB takes one trip instead of thirty.
 * What was written is passed on once the writer pauses (the next turn of the event loop), so a part
 * streamed later (a deferred loader's data) is never held back.
 */
export function coalescing(): Transform {
  let parts: Buffer[] = [];
  let size = 0;
  let scheduled = false;
  const stream: Transform = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      parts.push(chunk);
      size += chunk.length;
      if (size >= LIMIT) release();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(release);
      }
      done();
    },
    flush(done) {
      release();
      done();
    },
  });
  function release() {
    scheduled = false;
    if (!size) return;
    stream.push(parts.length === 1 ? parts[0] : Buffer.concat(parts, size));
    parts = [];
    size = 0;
  }
  return stream;
}
