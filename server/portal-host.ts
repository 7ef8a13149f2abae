import type { Server } from "node:http";
import type { Duplex } from "node:stream";
import type { RequestHandler, Response as ExpressResponse } from "express";
import { normalHost } from "../app/lib/host";

/** The methods the portal serves: pages (GET, HEAD) and forms, webhooks and callbacks (POST). */
const SERVED_METHODS = ["GET", "HEAD", "POST"];
const ALLOW = SERVED_METHODS.join(", ");
/** Answered whatever the Host: platforms' health checks name the instance (an internal address), not the portal. */
const ANY_HOST_PATHS = new Set(["/healthz"]);

type Options = {
  /** The portal's public URL (APP_URL): its origin is the origin of every URL a request is rendered at. */
  appUrl: string;
  /** More names the portal answers to (ALLOWED_HOSTS), `name[:port]`. */
  allowedHosts: string[];
};

/**
 * The first check of every request the portal renders (ADR 12): its target is a path (origin-form,
 * RFC 9112 §3.2.1), its method one the portal serves (others 405, OPTIONS 204, both with `Allow`) and
 * its Host one of the portal's own names: APP_URL's host or one in ALLOWED_HOSTS, compared in
 * canonical form (case, default port). Anything else gets a 400 with a sentence, before it reaches a
 * page or the page cache. The URL a passing request is rendered at, and cached under, is APP_URL's
 * origin with the request's path and query (`portalUrlOf`): no header chooses it.
 */
export function portalHost({ appUrl, allowedHosts }: Options): RequestHandler {
  const { origin, protocol, host } = new URL(appUrl);
  const hosts = new Set([host]);
  for (const entry of allowedHosts) hosts.add(normalHost(entry, protocol) ?? host);
  return (req, res, next) => {
    // A path, not an absolute URL (`GET http://elsewhere/…`) or an asterisk (`OPTIONS *`).
    if (!req.originalUrl.startsWith("/")) return refuse(res, 400, "The request must ask for a path on this site.");
    if (!(ANY_HOST_PATHS.has(req.path) && (req.method === "GET" || req.method === "HEAD"))) {
      if (!hosts.has(normalHost(req.headers.host, protocol) ?? "")) {
        return refuse(res, 400, `This site answers only at its own address: ${origin}`);
      }
    }
    if (req.method === "OPTIONS") return void res.status(204).setHeader("Allow", ALLOW).end();
    if (!SERVED_METHODS.includes(req.method)) {
      res.setHeader("Allow", ALLOW);
      return refuse(res, 405, `This site does not answer ${req.method} requests.`);
    }
    res.locals.portalUrl = new URL(`${origin}${req.originalUrl}`);
    next();
  };
}

/** The URL `portalHost` set for this request: APP_URL's origin with the request's path and query. */
export function portalUrlOf(res: ExpressResponse): URL {
  const url: unknown = res.locals.portalUrl;
  if (!(url instanceof URL)) throw new Error("portalHost() must run before the URL of a request is read");
  return url;
}

/** Moves the request to another path of the portal (and query), for a handler that answers it as another page. */
export function movePortalUrl(res: ExpressResponse, pathAndQuery: string): void {
  res.locals.portalUrl = new URL(pathAndQuery, portalUrlOf(res));
}

function refuse(res: ExpressResponse, status: number, sentence: string): void {
  res.status(status).type("text/plain").send(sentence);
}

/**
 * CONNECT never reaches Express: Node emits `connect` and, with no listener, drops the connection
 * without an answer. The portal is no proxy, so it answers 405 like any other method it does not serve.
 */
export function refuseTunnels(server: Server): void {
  const sentence = "This site does not answer CONNECT requests.";
  server.on("connect", (_req, socket: Duplex) => {
    socket.end(
      `HTTP/1.1 405 Method Not Allowed\r\nAllow: ${ALLOW}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(sentence)}\r\nConnection: close\r\n\r\n${sentence}`,
    );
  });
}
