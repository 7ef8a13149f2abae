/**
 * Access and input (issue 13, cases 2 and 3): the portal as `npm start` runs it, reached over raw sockets
 * with requests a browser never sends. It runs apart from the shared e2e portal: its page cache is empty
 * until this file fills it, and its log is readable.
 */
import { connect } from "node:net";
import { expect, test } from "@playwright/test";
import { startPortal, type PortalProcess } from "../../server/portal-process";

test.describe.configure({ mode: "serial" });

let portal: PortalProcess;
let host: string;
test.beforeAll(async () => {
  test.setTimeout(150_000);
  portal = await startPortal({ LOG_LEVEL: "info" });
  host = new URL(portal.url).host;
});
test.afterAll(async () => {
  await portal?.stop();
});

test("npm start serves in production mode: Express's env and React's production build", async () => {
  // The log's JSON lines are written asynchronously (pino), so the `portal ready` entry may come in
  // just after the "Portal ready at" banner that ended the start-up wait.
  const ready = () =>
    portal
      .output()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { msg?: string; mode?: string; react?: string[] })
      .find((entry) => entry.msg === "portal ready");
  await expect.poll(ready, { message: portal.output() }).toMatchObject({ mode: "production", react: ["production"] });
});

test("no request with a Host other than the portal's own is rendered or cached", async () => {
  const title = (html: string) => /<title>([^<]*)<\/title>/.exec(html)?.[1];
  // Each would store the Enterprise page as /plans/business if the Host or target chose what is rendered.
  const poisoned = await raw(`GET /plans/business HTTP/1.1\r\nHost: ${host}/plans/enterprise?\r\n\r\n`);
  expect(poisoned.status).toBe(400);
  expect(poisoned.body).toBe(`This site answers only at its own address: ${portal.url}`);
  expect((await raw(`GET http://${host}/plans/enterprise HTTP/1.1\r\nHost: ${host}\r\n\r\n`)).status).toBe(400);
  // A proxy on this machine is trusted (TRUST_PROXY=loopback) and may pass a client's X-Forwarded-Host on:
  // the page is rendered at APP_URL all the same.
  const forwarded = await raw(
    `GET /plans/business HTTP/1.1\r\nHost: ${host}\r\nX-Forwarded-Host: ${host}/plans/enterprise?\r\n\r\n`,
  );
  expect(forwarded.status).toBe(200);
  expect(title(forwarded.body)).toMatch(/^Business plan/);

  for (let visit = 0; visit < 2; visit += 1) {
    const visitor = await fetch(`${portal.url}/plans/business`);
    expect(visitor.status).toBe(200);
    expect(visitor.headers.get("etag"), "served from the page cache").toMatch(/^"/);
    expect(title(await visitor.text())).toMatch(/^Business plan/);
  }
});

/** Client faults, and requests the portal tolerates, with what each must get. */
const battery = (): { request: string; status: number }[] => [
  ...["/", "/login", "/webhooks/stripe", "/assets/app.js", "/healthz", "/provisioning/callbacks/x"].flatMap((path) => [
    { request: `TRACE ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`, status: 405 },
    { request: `PROPFIND ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`, status: 405 },
    { request: `DELETE ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`, status: 405 },
    { request: `PUT ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 0\r\n\r\n`, status: 405 },
    { request: `OPTIONS ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`, status: 204 },
  ]),
  { request: `TRACK / HTTP/1.1\r\nHost: ${host}\r\n\r\n`, status: 400 },
  { request: `CONNECT ${host} HTTP/1.1\r\nHost: ${host}\r\n\r\n`, status: 405 },
  { request: `OPTIONS * HTTP/1.1\r\nHost: ${host}\r\n\r\n`, status: 400 },
  { request: `GET / HTTP/1.1\r\nHost: a b\r\n\r\n`, status: 400 },
  { request: `GET /login HTTP/1.1\r\nHost: elsewhere.example\r\n\r\n`, status: 400 },
  { request: `POST /login HTTP/1.1\r\nHost: ${host}:1\r\nContent-Length: 0\r\n\r\n`, status: 400 },
  { request: `GET / HTTP/1.1\r\n\r\n`, status: 400 },
  { request: `GET / HTTP/1.0\r\n\r\n`, status: 400 },
  { request: `GET /healthz HTTP/1.1\r\nHost: 10.0.0.7:3000\r\n\r\n`, status: 200 },
  { request: `GET /plans/% HTTP/1.1\r\nHost: ${host}\r\n\r\n`, status: 404 },
  { request: `GET /assets/% HTTP/1.1\r\nHost: ${host}\r\n\r\n`, status: 404 },
  { request: `GET /plans/%.data HTTP/1.1\r\nHost: ${host}\r\n\r\n`, status: 400 },
  { request: `GET /pricing?interval=%&utm_source=%zz HTTP/1.1\r\nHost: ${host}\r\n\r\n`, status: 200 },
  { request: `GET /${"a".repeat(8_000)} HTTP/1.1\r\nHost: ${host}\r\n\r\n`, status: 404 },
  { request: `GET /${"a".repeat(20_000)} HTTP/1.1\r\nHost: ${host}\r\n\r\n`, status: 431 },
  { request: `GET / HTTP/1.1\r\nHost: ${host}\r\nX-Odd: \x01\r\n\r\n`, status: 400 },
  { request: `GET / HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`, status: 200 },
  // Cookies a browser would never send: the person is simply not signed in.
  { request: `GET /account HTTP/1.1\r\nHost: ${host}\r\nCookie: __session=%E0%A4%A; __attr=%%%\r\n\r\n`, status: 302 },
  { request: `GET /login HTTP/1.1\r\nHost: ${host}\r\nCookie: __session="open; =; ;;\r\n\r\n`, status: 200 },
  { request: `GET /login HTTP/1.1\r\nHost: ${host}\r\nCookie: __session=${"x".repeat(6_000)}\r\n\r\n`, status: 200 },
  ...[
    ["", "ab", 415],
    ["application/json", "{}", 415],
    ["multipart/form-data; boundary=x", "not a multipart body", 400],
    ["application/x-www-form-urlencoded", "%%%", 400],
    ["application/x-www-form-urlencoded", "a".repeat(300_000), 413],
  ].map(([type, body, status]) => ({
    request:
      `POST /login HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${portal.url}\r\n${type ? `Content-Type: ${type}\r\n` : ""}` +
      `Content-Length: ${String(body).length}\r\n\r\n${body}`,
    status: Number(status),
  })),
  { request: `POST /login HTTP/1.1\r\nHost: ${host}\r\nContent-Length: abc\r\n\r\n`, status: 400 },
  { request: `POST /provisioning/callbacks/%zz HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 2\r\n\r\n{}`, status: 400 },
  { request: `POST /webhooks/stripe HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 3\r\n\r\n{{{`, status: 400 },
];

test("no response carries a stack trace or a path, and client faults get a 4xx", async () => {
  // The detector itself: a frame gives away its function, position, file type and folder.
  expect(leaks("TypeError: x\n    at handle (/srv/portal/server/web.ts:12:3)")).toHaveLength(4);
  for (const { request, status } of battery()) {
    const answer = await raw(request);
    const label = JSON.stringify(request.slice(0, 120));
    expect(answer.status, label).toBe(status);
    expect(leaks(answer.body), label).toEqual([]);
  }
  expect(portal.output(), "nothing failed on the server's side").not.toMatch(/"level":(50|60)/);
});

/** What in a body gives away the code: stack frames, file paths, the checkout's folders. */
function leaks(body: string): string[] {
  // Public URLs of built assets and Remix's route ids are not file paths.
  const text = body.replace(/\/assets\/[\w.-]+/g, "").replace(/"routes\/[^"]*"/g, "");
  return [
    /\bat \S+ \(/,
    /:\d+:\d+\b/,
    /\.(?:tsx?|[cm]?js)\b/,
    /\b(?:node_modules|server|app|db|provisioning|build)\/\w/,
    /file:\/\//,
    new RegExp(process.cwd().replace(/[.*+?^${}()|[\]\\]/g, "\\$&")),
  ].flatMap((pattern) => pattern.exec(text)?.[0] ?? []);
}

/** Sends `request` as is over a new connection and reads the whole answer (chunked bodies decoded). */
function raw(request: string): Promise<{ status: number; head: string; body: string }> {
  const { port } = new URL(portal.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1", () => {
      socket.write(request.includes("HTTP/1.1\r\n") ? request.replace("\r\n", "\r\nConnection: close\r\n") : request);
    });
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.setTimeout(15_000, () => socket.destroy(new Error(`no answer to ${JSON.stringify(request.slice(0, 80))}`)));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const split = text.indexOf("\r\n\r\n");
      const head = split === -1 ? text : text.slice(0, split);
      const rest = split === -1 ? "" : text.slice(split + 4);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1]);
      resolve({ status, head, body: /^transfer-encoding: chunked$/im.test(head) ? dechunk(rest) : rest });
    });
  });
}

function dechunk(text: string): string {
  let body = "";
  for (let at = 0; ;) {
    const lineEnd = text.indexOf("\r\n", at);
    const size = parseInt(text.slice(at, lineEnd), 16);
    if (!(size > 0)) return body;
    body += text.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}
