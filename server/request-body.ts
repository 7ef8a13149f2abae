import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestHandler } from "express";

/**
 * The most a request body may hold, by the kind of route it goes to: a form is a few fields of
 * typed text (the longest, a 2,000-character message, is under 10 KB even percent-encoded); a
 * webhook or control-plane callback carries one JSON event, which Stripe keeps well under 1 MB; a
 * usage call carries up to 1,000 events in 1 MB (docs/usage-api.md).
 */
export const BODY_LIMITS = { form: 64 * 1024, callback: 1024 * 1024, usage: 1024 * 1024 } as const;

const FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"];

const sentences = {
  tooLarge: (limit: number) =>
    `What you sent is too large: this address takes at most ${Math.round(limit / 1024)} KB. Shorten it and send it again.`,
  notAForm: "This address takes form submissions only: send the form from its page.",
};

/** The body a middleware has read in full, or undefined when it has not (GET, HEAD). */
export function bufferedBody(req: IncomingMessage): Uint8Array<ArrayBuffer> | undefined {
  const body = bodies.get(req);
  return body && new Uint8Array(body);
}
const bodies = new WeakMap<IncomingMessage, Buffer>();

/**
 * Reads a request's body while counting its bytes. A declared Content-Length over `limit` is
 * refused before a byte is read; a body without one (chunked) is refused as soon as it passes
 * `limit`, and the rest is not read. Null means refused.
 */
export function readLimitedBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return chunks.push(chunk);
      req.off("data", onData).pause();
      resolve(null);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks, size)));
    req.on("error", reject);
  });
}

/**
 * Answers 413 with a sentence and closes the connection, so the unread rest of the body is never
 * read (Node would otherwise drain it to reuse the connection).
 */
export function refuseTooLarge(res: ServerResponse, limit: number, contentType = "text/plain; charset=utf-8"): void {
  const body = contentType.startsWith("application/json")
    ? JSON.stringify({ error: sentences.tooLarge(limit) })
    : sentences.tooLarge(limit);
  res
    .writeHead(413, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body), Connection: "close" })
    .end(body);
}

/**
 * Every request with a body, before Remix reads it: callbacks (paths under `callbackPrefixes`,
 * signed JSON) may send up to BODY_LIMITS.callback bytes of anything; every other route is a form
 * route and takes only a form (415 for any other declared type, or a body with none, before
 * reading; an empty POST with no type reaches the route, which reads it as no form) of up to BODY_LIMITS.form bytes
 * (413 otherwise). The body is read here, counted as it streams, and kept for the Remix handler
 * (`bufferedBody`). The Stripe webhook has its own handler and applies the callback limit itself.
 */
export function limitedBodies(callbackPrefixes: string[]): RequestHandler {
  return (req, res, next) => {
    if (req.method === "GET" || req.method === "HEAD") return next();
    const callback = callbackPrefixes.some((prefix) => req.path.startsWith(prefix));
    const limit = callback ? BODY_LIMITS.callback : BODY_LIMITS.form;
    const type = req.headers["content-type"];
    if (!callback && (type === undefined ? hasBody(req) : !isForm(type))) {
      res.status(415).type("text/plain").send(sentences.notAForm);
      return;
    }
    readLimitedBody(req, limit)
      .then((body) => {
        if (body === null) return refuseTooLarge(res, limit, callback ? "application/json" : undefined);
        bodies.set(req, body);
        next();
      })
      .catch(next);
  };
}

function isForm(contentType: string): boolean {
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  return FORM_TYPES.includes(type);
}

/** A declared length above zero, or a chunked body. */
function hasBody(req: IncomingMessage): boolean {
  return Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined;
}
