import express, { type RequestHandler } from "express";

const FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"];
/** The portal's forms are a few fields of text; no page takes files. */
const MAX_FORM_BYTES = 256 * 1024;

/**
 * Every page's action reads a form, so a POST to a page must carry one the portal can read (ADR 12):
 * another content type gets a 415, a body over MAX_FORM_BYTES a 413 before more is read, and one that
 * does not parse as its declared type (a broken multipart body) a 400, each with a sentence, instead
 * of the 500 an action's `request.formData()` would end in. The body, read once, is left in `req.body`
 * (a Buffer) for the Remix request. Paths other services POST their own bodies to are exempt.
 */
export function formBodies(exemptPrefixes: string[]): RequestHandler[] {
  const read = express.raw({ type: FORM_TYPES, limit: MAX_FORM_BYTES });
  const isForm = (type: string | undefined) => FORM_TYPES.includes((type ?? "").split(";")[0]!.trim().toLowerCase());
  const applies = (req: express.Request) =>
    req.method === "POST" && !exemptPrefixes.some((prefix) => req.path.startsWith(prefix));
  return [
    (req, res, next) => {
      if (!applies(req) || isForm(req.headers["content-type"])) return next();
      res.status(415).type("text/plain").send("This address accepts only form submissions.");
    },
    (req, res, next) => (applies(req) ? read(req, res, next) : next()),
    (req, res, next) => {
      if (!applies(req)) return next();
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      req.body = body;
      new Response(new Uint8Array(body), { headers: { "Content-Type": req.headers["content-type"]! } }).formData().then(
        () => next(),
        () =>
          res.status(400).type("text/plain").send("The form could not be read. Please send it again from the page."),
      );
    },
  ];
}
