import { once } from "node:events";
import { request } from "node:http";
import { connect } from "node:net";
import type { Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import nodemailer from "nodemailer";
import type { SendMailOptions } from "nodemailer";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMailCatcher } from "./mail-catcher";
import type { MailCatcher } from "./mail-catcher";

const XSS = "<script>alert(1)</script>";
const VERIFY_URL = "https://example.com/verify?token=abc&x=1";

let catcher: MailCatcher;

beforeAll(async () => {
  catcher = await startMailCatcher();
});
afterAll(() => catcher.stop());
beforeEach(() => catcher.clear());

function send(target: MailCatcher, mail: SendMailOptions) {
  const transport = nodemailer.createTransport(target.smtpUrl);
  return transport.sendMail({ from: "Portal <noreply@portal.test>", ...mail }).finally(() => transport.close());
}

function getPage(path: string): Promise<Response> {
  return fetch(new URL(path, catcher.webUrl));
}

describe("SMTP", () => {
  it("listens on loopback ports chosen by the OS", () => {
    expect(catcher.smtpUrl).toMatch(/^smtp:\/\/127\.0\.0\.1:[1-9]\d*$/);
    expect(catcher.webUrl).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
  });

  it("catches and parses a sent mail, with the envelope recipients lowercased", async () => {
    await send(catcher, {
      to: "Alice@Example.com",
      bcc: "audit@example.com",
      subject: "Welcome",
      text: "Hello Alice",
      html: "<p>Hello Alice</p>",
    });

    const [mail, ...others] = catcher.messages();
    expect(others).toEqual([]);
    expect(mail).toMatchObject({
      from: expect.stringContaining("noreply@portal.test"),
      to: ["alice@example.com", "audit@example.com"],
      subject: "Welcome",
      text: "Hello Alice",
      html: "<p>Hello Alice</p>",
    });
    expect(mail?.id).toEqual(expect.any(String));
    expect(Date.parse(mail?.receivedAt ?? "")).toBeGreaterThan(Date.now() - 60_000);
  });

  it("reports a text-only mail's html as null", async () => {
    await send(catcher, { to: "a@example.com", subject: "Plain", text: "Just text" });

    expect(catcher.messages()[0]?.html).toBeNull();
  });

  it("lists messages newest first", async () => {
    await send(catcher, { to: "a@example.com", subject: "first", text: "1" });
    await send(catcher, { to: "a@example.com", subject: "second", text: "2" });

    expect(catcher.messages().map((mail) => mail.subject)).toEqual(["second", "first"]);
  });

  it("keeps at most maxMessages, dropping the oldest", async () => {
    const small = await startMailCatcher({ maxMessages: 2 });
    try {
      for (const subject of ["one", "two", "three"]) await send(small, { to: "a@example.com", subject, text: subject });

      expect(small.messages().map((mail) => mail.subject)).toEqual(["three", "two"]);
    } finally {
      await small.stop();
    }
  });

  it("refuses a message over the 10 MB size limit without keeping it", async () => {
    const oversized = send(catcher, { to: "a@example.com", subject: "huge", text: "x".repeat(11 * 1024 * 1024) });

    await expect(oversized).rejects.toThrow(/552/);
    expect(catcher.messages()).toEqual([]);
  });

  it("clear() forgets every message", async () => {
    await send(catcher, { to: "a@example.com", subject: "gone", text: "soon" });
    catcher.clear();

    expect(catcher.messages()).toEqual([]);
  });
});

describe("waitFor", () => {
  it("resolves with a matching mail sent after the call", async () => {
    const waiting = catcher.waitFor((mail) => mail.subject === "later");
    await send(catcher, { to: "a@example.com", subject: "other", text: "not this one" });
    await send(catcher, { to: "b@example.com", subject: "later", text: "this one" });

    await expect(waiting).resolves.toMatchObject({ subject: "later", to: ["b@example.com"] });
  });

  it("resolves with a matching mail already caught", async () => {
    await send(catcher, { to: "c@example.com", subject: "earlier", text: "already here" });

    await expect(catcher.waitFor((mail) => mail.to.includes("c@example.com"), 50)).resolves.toMatchObject({
      subject: "earlier",
    });
  });

  it("rejects with a clear error when nothing matches before the timeout", async () => {
    await send(catcher, { to: "a@example.com", subject: "unrelated", text: "no" });
    const started = Date.now();

    await expect(catcher.waitFor((mail) => mail.subject === "never", 200)).rejects.toThrow(
      /No matching mail .* within 200 ms/,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it("rejects a pending wait when the catcher stops", async () => {
    const short = await startMailCatcher();
    const waiting = short.waitFor(() => true);
    await short.stop();

    await expect(waiting).rejects.toThrow(/stopped/);
  });
});

describe("web UI", () => {
  it("serves the messages as JSON, newest first", async () => {
    await send(catcher, { to: "a@example.com", subject: "first", text: "1" });
    await send(catcher, { to: "a@example.com", subject: "second", text: "2" });

    const response = await getPage("/messages.json");

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual(catcher.messages());
    expect(catcher.messages().map((mail) => mail.subject)).toEqual(["second", "first"]);
  });

  it("lists the messages on an accessible page linking to each one", async () => {
    await send(catcher, { to: "reader@example.com", subject: "Your invoice", text: "Attached." });
    const [mail] = catcher.messages();

    const response = await getPage("/");
    const html = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(html).toMatch(/^<!DOCTYPE html>\s*<html lang="en">/);
    expect(html).toMatch(/<title>Mail catcher<\/title>/);
    expect(html).toContain("local mail catcher");
    expect(html).toMatch(/<th scope="col">Received<\/th><th scope="col">To<\/th><th scope="col">Subject<\/th>/);
    expect(html).toContain(`<a href="/messages/${mail?.id}">Your invoice</a>`);
    expect(html).toContain("reader@example.com");
  });

  it("shows one message with its text body and clickable links", async () => {
    await send(catcher, {
      to: "reader@example.com",
      subject: "Verify your email",
      text: `Click ${VERIFY_URL}.\nThanks`,
    });
    const [mail] = catcher.messages();

    const response = await getPage(`/messages/${mail?.id}`);
    const html = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(html).toContain("<title>Verify your email – Mail catcher</title>");
    expect(html).toContain("noreply@portal.test");
    expect(html).toContain("reader@example.com");
    expect(html).toContain(`datetime="${mail?.receivedAt}"`);
    const link =
      '<a href="https://example.com/verify?token=abc&amp;x=1" rel="noreferrer">https://example.com/verify?token=abc&amp;x=1</a>';
    // The sentence's full stop stays outside the link.
    expect(html).toContain(`<pre>Click ${link}.\nThanks`);
  });

  it("escapes everything from the mail and renders neither its HTML part nor non-http links", async () => {
    await send(catcher, {
      to: "victim@example.com",
      subject: `Hi ${XSS}`,
      text: `Body ${XSS} javascript:alert(2) "quoted" ${VERIFY_URL}`,
      html: `<p>${XSS}</p><img src=x onerror=alert(3)>`,
    });
    const [mail] = catcher.messages();

    const list = await (await getPage("/")).text();
    const detail = await (await getPage(`/messages/${mail?.id}`)).text();

    for (const html of [list, detail]) {
      expect(html).not.toContain("<script>");
      expect(html).toContain("Hi &lt;script&gt;alert(1)&lt;/script&gt;");
    }
    expect(detail).toContain(
      "Body &lt;script&gt;alert(1)&lt;/script&gt; javascript:alert(2) &quot;quoted&quot; <a href=",
    );
    expect(detail).toContain(`<a href="https://example.com/verify?token=abc&amp;x=1" rel="noreferrer">`);
    expect(detail).not.toContain('href="javascript:');
    expect(detail).not.toContain("onerror");
  });

  it("answers 404 for an unknown message id and unknown paths", async () => {
    for (const path of ["/messages/does-not-exist", "/nope", "/messages"]) {
      const response = await getPage(path);
      expect(response.status, path).toBe(404);
      expect(await response.text()).toContain("<h1>Not found</h1>");
    }
  });

  it("DELETE /messages clears the messages", async () => {
    await send(catcher, { to: "a@example.com", subject: "to delete", text: "x" });

    const response = await fetch(new URL("/messages", catcher.webUrl), { method: "DELETE" });

    expect(response.status).toBe(204);
    expect(catcher.messages()).toEqual([]);
    expect(await (await getPage("/messages.json")).json()).toEqual([]);
  });
});

describe("stop", () => {
  async function connectRaw(url: string): Promise<Socket> {
    const socket = connect(Number(new URL(url).port), "127.0.0.1");
    socket.on("error", () => {});
    await once(socket, "connect");
    return socket;
  }

  it("closes both servers promptly, even with clients still connected", async () => {
    const other = await startMailCatcher();
    // An SMTP session that said EHLO and then went quiet.
    const smtpClient = await connectRaw(other.smtpUrl);
    await once(smtpClient, "data");
    smtpClient.write("EHLO stuck.test\r\n");
    await once(smtpClient, "data");
    // An HTTP request whose headers never finish.
    const httpClient = await connectRaw(other.webUrl);
    httpClient.write("GET / HTTP/1.1\r\nHost: x\r\n");
    await delay(50);
    const started = Date.now();

    await other.stop();

    expect(Date.now() - started).toBeLessThan(500);
    await expect(fetch(other.webUrl)).rejects.toThrow();
    await expect(send(other, { to: "a@example.com", subject: "late", text: "x" })).rejects.toThrow();
    smtpClient.destroy();
    httpClient.destroy();
  });
});

describe("host check", () => {
  it("refuses requests addressed to another host name", async () => {
    const catcher = await startMailCatcher();
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const port = new URL(catcher.webUrl).port;
        request({ host: "127.0.0.1", port, path: "/messages.json", headers: { Host: `evil.example:${port}` } }, (res) =>
          resolve(res.statusCode ?? 0),
        )
          .on("error", reject)
          .end();
      });
      expect(status).toBe(421);
    } finally {
      await catcher.stop();
    }
  });
});
