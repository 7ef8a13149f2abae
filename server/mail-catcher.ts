import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import type { AddressInfo, Server as NetServer } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import type { SMTPServerDataStream, SMTPServerSession } from "smtp-server";

export type CaughtMail = {
  id: string;
  /** ISO 8601 time the catcher received the message. */
  receivedAt: string;
  from: string;
  /** Envelope recipients, lowercased: who the mail was really sent to, Bcc included. */
  to: string[];
  subject: string;
  text: string;
  html: string | null;
  /** The message's headers by lowercased name, unfolded (the last one of a repeated name), e.g. `list-unsubscribe`. */
  headers: Record<string, string>;
};

export type MailCatcher = {
  /** Usable directly by `nodemailer.createTransport(smtpUrl)`. */
  smtpUrl: string;
  webUrl: string;
  /** Newest first. */
  messages(): CaughtMail[];
  /** Resolves with the newest already caught mail matching `predicate`, else the next one to arrive. */
  waitFor(predicate: (mail: CaughtMail) => boolean, timeoutMs?: number): Promise<CaughtMail>;
  clear(): void;
  stop(): Promise<void>;
};

type Options = { host?: string; smtpPort?: number; httpPort?: number; maxMessages?: number };

type Waiter = {
  predicate: (mail: CaughtMail) => boolean;
  resolve: (mail: CaughtMail) => void;
  reject: (error: Error) => void;
};

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
const DEFAULT_WAIT_MS = 10_000;
/** How long stop() lets SMTP clients finish before smtp-server gives up on them (its default is 30 s). */
const SMTP_CLOSE_TIMEOUT_MS = 1_000;
const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'";
/** http(s) URLs, without trailing punctuation that usually ends the sentence rather than the URL. */
const URL_PATTERN = /https?:\/\/[^\s<>"]*[^\s<>".,;:!?')\]]/gi;

/**
 * A local SMTP sink with a small web UI: `npm start` uses it when no SMTP_URL is configured so the
 * emails the portal sends can be read, and tests use it to check what really went over SMTP.
 */
export async function startMailCatcher(options: Options = {}): Promise<MailCatcher> {
  const host = options.host ?? "127.0.0.1";
  const mailbox = createMailbox(options.maxMessages ?? 500);

  const smtp = createSmtpServer(mailbox.store);
  const smtpPort = await listen(smtp.server, options.smtpPort ?? 0, host);
  const http = createServer((req, res) => handleHttpRequest(req, res, mailbox));
  const httpPort = await listen(http, options.httpPort ?? 0, host).catch(async (error: unknown) => {
    await closeSmtpServer(smtp);
    throw error;
  });

  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    smtpUrl: `smtp://${urlHost}:${smtpPort}`,
    webUrl: `http://${urlHost}:${httpPort}`,
    messages: mailbox.messages,
    waitFor: mailbox.waitFor,
    clear: mailbox.clear,
    stop: async () => {
      mailbox.rejectWaiters(new Error("The mail catcher was stopped."));
      await Promise.all([closeSmtpServer(smtp), closeHttpServer(http)]);
    },
  };
}

type Mailbox = Pick<MailCatcher, "messages" | "waitFor" | "clear"> & {
  store(mail: CaughtMail): void;
  rejectWaiters(error: Error): void;
};

/** The caught messages, newest first and at most `maxMessages`, and the waitFor calls still waiting. */
function createMailbox(maxMessages: number): Mailbox {
  let caught: CaughtMail[] = [];
  const waiters = new Set<Waiter>();

  function settleIfMatching(waiter: Waiter, mail: CaughtMail): void {
    try {
      if (waiter.predicate(mail)) waiter.resolve(mail);
    } catch (error) {
      // A throwing predicate must fail its own waitFor, not the SMTP session that delivered the mail.
      waiter.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  async function waitFor(predicate: (mail: CaughtMail) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<CaughtMail> {
    const alreadyCaught = caught.find(predicate);
    if (alreadyCaught) return alreadyCaught;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (mail) => {
          forget();
          resolve(mail);
        },
        reject: (error) => {
          forget();
          reject(error);
        },
      };
      const timer = setTimeout(
        () =>
          waiter.reject(
            new Error(`No matching mail arrived at the mail catcher within ${timeoutMs} ms (${caught.length} caught).`),
          ),
        timeoutMs,
      );
      function forget(): void {
        clearTimeout(timer);
        waiters.delete(waiter);
      }
      waiters.add(waiter);
    });
  }

  return {
    messages: () => [...caught],
    waitFor,
    clear: () => {
      caught = [];
    },
    store: (mail) => {
      caught = [mail, ...caught].slice(0, maxMessages);
      for (const waiter of waiters) settleIfMatching(waiter, mail);
    },
    rejectWaiters: (error) => {
      for (const waiter of waiters) waiter.reject(error);
    },
  };
}

function createSmtpServer(store: (mail: CaughtMail) => void): SMTPServer {
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    size: MAX_MESSAGE_BYTES,
    // Answers 552 to an oversized message whatever onData reports; onData then only has to not keep it.
    rejectOversized: true,
    closeTimeout: SMTP_CLOSE_TIMEOUT_MS,
    logger: false,
    onData(stream, session, callback) {
      catchMessage(stream, session).then(
        (mail) => {
          if (mail) store(mail);
          callback();
        },
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    },
  });
  // Without a listener, a client dropping its connection would emit an unhandled 'error' and crash the portal.
  smtp.on("error", () => {});
  return smtp;
}

/** Reads and parses one message; null when it went over the size limit. */
async function catchMessage(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<CaughtMail | null> {
  const chunks: Buffer[] = [];
  // Keep reading to the end so the SMTP session can go on, but stop buffering an oversized message.
  for await (const chunk of stream) if (!stream.sizeExceeded) chunks.push(chunk as Buffer);
  if (stream.sizeExceeded) return null;

  const parsed = await simpleParser(Buffer.concat(chunks));
  const { mailFrom, rcptTo } = session.envelope;
  return {
    id: randomUUID(),
    receivedAt: new Date().toISOString(),
    from: parsed.from?.text || (mailFrom ? mailFrom.address : ""),
    to: rcptTo.map((recipient) => recipient.address.toLowerCase()),
    subject: parsed.subject ?? "",
    text: parsed.text ?? "",
    html: typeof parsed.html === "string" ? parsed.html : null,
    headers: Object.fromEntries(
      parsed.headerLines.map(({ key, line }) => [
        key,
        line
          .slice(line.indexOf(":") + 1)
          .replace(/\r?\n[ \t]+/g, " ")
          .trim(),
      ]),
    ),
  };
}

function listen(server: NetServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeSmtpServer(smtp: SMTPServer): Promise<void> {
  return new Promise((resolve) => {
    smtp.close(() => resolve());
    // Idle (e.g. pooled) client connections would otherwise hold the server open until closeTimeout.
    for (const connection of smtp.connections) connection.close();
  });
}

function closeHttpServer(http: HttpServer): Promise<void> {
  return new Promise((resolve) => {
    http.close(() => resolve());
    // close() only drops idle connections; a stalled or half-sent request would keep it waiting.
    http.closeAllConnections();
  });
}

function handleHttpRequest(req: IncomingMessage, res: ServerResponse, mailbox: Mailbox): void {
  // Only loopback host names: a web page re-pointing its own domain here (DNS rebinding) cannot read the mail.
  const hostname = (req.headers.host ?? "").replace(/:\d+$/, "");
  if (!["127.0.0.1", "localhost", "[::1]"].includes(hostname)) {
    res.writeHead(421).end();
    return;
  }
  const path = new URL(req.url ?? "/", "http://mail-catcher").pathname;
  const messageId = /^\/messages\/([^/]+)$/.exec(path)?.[1];

  if (req.method === "GET" && path === "/") return sendHtml(res, 200, renderMessageList(mailbox.messages()));
  if (req.method === "GET" && path === "/messages.json") return sendJson(res, mailbox.messages());
  if (req.method === "DELETE" && path === "/messages") {
    mailbox.clear();
    res.writeHead(204).end();
    return;
  }
  if (req.method === "GET" && messageId) {
    const mail = mailbox.messages().find((message) => message.id === messageId);
    if (mail) return sendHtml(res, 200, renderMessage(mail));
  }
  sendHtml(res, 404, renderNotFound());
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res
    .writeHead(status, {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": CONTENT_SECURITY_POLICY,
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "no-store",
    })
    .end(html);
}

function sendJson(res: ServerResponse, body: unknown): void {
  res
    .writeHead(200, {
      "Content-Type": "application/json; charset=utf-8",
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "no-store",
    })
    .end(JSON.stringify(body));
}

function renderMessageList(messages: CaughtMail[]): string {
  const rows = messages.map(
    (mail) =>
      `<tr><td>${renderTime(mail.receivedAt)}</td><td>${escapeHtml(mail.to.join(", "))}</td>` +
      `<td><a href="/messages/${encodeURIComponent(mail.id)}">${escapeHtml(mail.subject || "(no subject)")}</a></td></tr>`,
  );
  const list = rows.length
    ? `<table><caption>Caught messages, newest first</caption><thead><tr><th scope="col">Received</th><th scope="col">To</th><th scope="col">Subject</th></tr></thead><tbody>${rows.join("")}</tbody></table>`
    : "<p>No messages yet.</p>";
  return renderPage(
    "Mail catcher",
    `<h1>Mail catcher</h1><p>This is the local mail catcher: it keeps the emails the portal sends instead of delivering them.</p>${list}`,
  );
}

function renderMessage(mail: CaughtMail): string {
  const subject = escapeHtml(mail.subject || "(no subject)");
  return renderPage(
    `${mail.subject || "(no subject)"} – Mail catcher`,
    `<p><a href="/">All messages</a></p><h1>${subject}</h1>` +
      `<dl><dt>From</dt><dd>${escapeHtml(mail.from)}</dd><dt>To</dt><dd>${escapeHtml(mail.to.join(", "))}</dd>` +
      `<dt>Subject</dt><dd>${subject}</dd><dt>Received</dt><dd>${renderTime(mail.receivedAt)}</dd></dl>` +
      `<pre>${linkifyText(mail.text)}</pre>`,
  );
}

function renderNotFound(): string {
  return renderPage(
    "Not found – Mail catcher",
    `<h1>Not found</h1><p>No such page or message. <a href="/">All messages</a></p>`,
  );
}

/** `title` is plain text; `body` is already escaped HTML. */
function renderPage(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #111; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: bold; margin-bottom: 0.5rem; }
th, td { text-align: left; padding: 0.4rem 0.6rem; border-bottom: 1px solid #ccc; }
dt { font-weight: bold; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f4f4f4; padding: 1rem; }
a { color: #0645ad; }
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

function renderTime(iso: string): string {
  return `<time datetime="${escapeHtml(iso)}">${escapeHtml(iso)}</time>`;
}

/** Escapes the text and turns its http(s) URLs, and nothing else, into links. */
function linkifyText(text: string): string {
  let html = "";
  let end = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const url = escapeHtml(match[0]);
    html += `${escapeHtml(text.slice(end, match.index))}<a href="${url}" rel="noreferrer">${url}</a>`;
    end = match.index + match[0].length;
  }
  return html + escapeHtml(text.slice(end));
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}
