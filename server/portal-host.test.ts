import { request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portalHost, portalUrlOf } from "./portal-host";

let server: Server;
/** Each passing request answers with the URL the portal would render it at. */
beforeAll(async () => {
  const app = express();
  app.use(portalHost({ appUrl: "https://portal.example.com", allowedHosts: ["www.example.com", "Internal:3000"] }));
  app.use((_req, res) => void res.type("text/plain").send(portalUrlOf(res).href));
  server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
});
afterAll(() => server.close());

function send(method: string, path: string, host: string | null, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; allow?: string; body: string }>((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: (server.address() as AddressInfo).port, method, path, setHost: false, headers },
      (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode!, allow: res.headers.allow, body }));
      },
    );
    if (host !== null) req.setHeader("Host", host);
    req.on("error", reject).end();
  });
}

describe("portalHost", () => {
  it("answers at APP_URL's host and ALLOWED_HOSTS, in any case, with or without the default port", async () => {
    for (const host of ["portal.example.com", "PORTAL.example.com:443", "www.example.com", "internal:3000"]) {
      expect(await send("GET", "/pricing?interval=year", host), host).toEqual({
        status: 200,
        body: "https://portal.example.com/pricing?interval=year",
      });
    }
  });

  it("renders at APP_URL whatever X-Forwarded-Host says", async () => {
    const forwarded = await send("GET", "/plans/business", "portal.example.com", {
      "X-Forwarded-Host": "portal.example.com/plans/enterprise?",
    });
    expect(forwarded.body).toBe("https://portal.example.com/plans/business");
  });

  it("refuses any other Host with a 400 and a sentence", async () => {
    for (const host of ["evil.example", "portal.example.com:80", "portal.example.com/plans/enterprise?", "a b"]) {
      expect(await send("GET", "/", host), host).toEqual({
        status: 400,
        body: "This site answers only at its own address: https://portal.example.com",
      });
    }
    // Node refuses an HTTP/1.1 request without a Host itself, before the application sees it.
    expect((await send("GET", "/", null)).status).toBe(400);
  });

  it("answers /healthz whatever the Host: platforms check an instance by its own address", async () => {
    expect((await send("GET", "/healthz", "10.0.0.7:3000")).status).toBe(200);
    expect((await send("POST", "/healthz", "10.0.0.7:3000")).status).toBe(400);
  });

  it("answers only GET, HEAD and POST, and only for a path", async () => {
    expect(await send("OPTIONS", "/", "portal.example.com")).toMatchObject({ status: 204, allow: "GET, HEAD, POST" });
    for (const method of ["TRACE", "PUT", "DELETE", "PATCH", "PROPFIND"]) {
      expect(await send(method, "/", "portal.example.com"), method).toMatchObject({
        status: 405,
        allow: "GET, HEAD, POST",
        body: `This site does not answer ${method} requests.`,
      });
    }
    expect(await send("GET", "http://evil.example/", "portal.example.com")).toMatchObject({ status: 400 });
  });
});
