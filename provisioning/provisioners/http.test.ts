import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingHttpHeaders, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ProvisionerContext, ProvisioningJob } from "../types";
import { SIGNATURE_HEADER, createHttpProvisioner, readCallback, signPayload, verifySignature } from "./http";

const SECRET = "whsec_test_portal_secret";
const NOW = new Date("2030-05-01T12:00:00Z");
const TEN_MINUTES_MS = 10 * 60 * 1000;

// ---------------------------------------------------------------------------------------------
// A scripted control plane on a real loopback HTTP server

type ReceivedRequest = { method: string; path: string; headers: IncomingHttpHeaders; body: string };
type Answer =
  | { status: number; headers?: Record<string, string>; body?: string | ((request: ReceivedRequest) => string) }
  | "never";

type ControlPlane = {
  url: string;
  received: ReceivedRequest[];
  /** Queues the answers to the next requests, in order; an unscripted request gets a 599. */
  answer(...answers: Answer[]): void;
  close(): Promise<void>;
};

async function startControlPlane(): Promise<ControlPlane> {
  const received: ReceivedRequest[] = [];
  const script: Answer[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      received.push(request);
      const answer = script.shift() ?? { status: 599, body: "unscripted request" };
      if (answer === "never") return;
      res.writeHead(answer.status, answer.headers);
      res.end(typeof answer.body === "function" ? answer.body(request) : (answer.body ?? ""));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/provision`,
    received,
    answer: (...answers) => script.push(...answers),
    close: () => {
      // Requests left unanswered ("never") would otherwise keep close() waiting.
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Fixtures

function jobFor(url: unknown): ProvisioningJob {
  return {
    id: randomUUID(),
    accountId: randomUUID(),
    accountName: "Acme GmbH",
    operation: "provision",
    snapshot: {
      productSlug: "wiki",
      planSlug: "team",
      planName: "Team",
      seats: 12,
      limits: { storageGb: 50, projects: null },
      features: ["sso"],
      trialEndsAt: null,
    },
    config: { url },
    instance: null,
    idempotencyKey: `provisioning:${randomUUID()}`,
    attempt: 1,
    ingestKey: null,
  };
}

function contextWith(signal = new AbortController().signal): ProvisionerContext {
  return { callbackUrl: "https://portal.example/provisioning/callbacks/http", signal };
}

const json = (value: unknown): string => JSON.stringify(value);

let controlPlane: ControlPlane;
beforeEach(async () => {
  controlPlane = await startControlPlane();
});
afterEach(async () => {
  await controlPlane.close();
});

// ---------------------------------------------------------------------------------------------

describe("http provisioner: execute", () => {
  it("is an automatic provisioner keyed http", () => {
    const provisioner = createHttpProvisioner({ secret: SECRET });
    expect(provisioner).toMatchObject({ key: "http", mode: "automatic" });
    expect(() => createHttpProvisioner({ secret: "" })).toThrow(/secret/);
  });

  it("returns done with the result of a 200, after a signed, idempotent POST of the job", async () => {
    controlPlane.answer({
      status: 200,
      headers: { "Content-Type": "application/json" },
      body: json({ result: { url: "https://acme.wiki.example", login: "admin@acme.example" } }),
    });
    const job = { ...jobFor(controlPlane.url), operation: "modify" as const, instance: { tenantId: "t-42" } };

    const result = await createHttpProvisioner({ secret: SECRET }).execute(job, contextWith());

    expect(result).toEqual({ kind: "done", result: { url: "https://acme.wiki.example", login: "admin@acme.example" } });
    expect(controlPlane.received).toHaveLength(1);
    const [request] = controlPlane.received;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/v1/provision");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["idempotency-key"]).toBe(job.idempotencyKey);
    expect(JSON.parse(request?.body ?? "")).toEqual({
      requestId: job.id,
      operation: "modify",
      account: { id: job.accountId, name: "Acme GmbH" },
      snapshot: job.snapshot,
      instance: { tenantId: "t-42" },
      callbackUrl: "https://portal.example/provisioning/callbacks/http",
    });
    const signature = request?.headers[SIGNATURE_HEADER.toLowerCase()];
    expect(typeof signature).toBe("string");
    expect(verifySignature(SECRET, signature as string, request?.body ?? "")).toEqual({ ok: true });
    expect(verifySignature("another-secret", signature as string, request?.body ?? "").ok).toBe(false);
  });

  it("sends a provision's ingest key inside the signed body, as ingest_key", async () => {
    controlPlane.answer({ status: 202 });
    const job = { ...jobFor(controlPlane.url), ingestKey: "pik_test_key_for_the_product" };

    await createHttpProvisioner({ secret: SECRET }).execute(job, contextWith());

    const [request] = controlPlane.received;
    expect(JSON.parse(request?.body ?? "")).toMatchObject({ operation: "provision", ingest_key: job.ingestKey });
    expect(
      verifySignature(SECRET, request?.headers[SIGNATURE_HEADER.toLowerCase()] as string, request?.body ?? ""),
    ).toEqual({
      ok: true,
    });
  });

  it("keeps the ingest key out of a refusal's excerpt", async () => {
    const job = { ...jobFor(controlPlane.url), ingestKey: "pik_echoed_back_by_a_careless_plane" };
    controlPlane.answer({ status: 400, body: `bad key ${job.ingestKey}` });

    const result = await createHttpProvisioner({ secret: SECRET }).execute(job, contextWith());

    expect(result).toEqual({ kind: "fail", reason: "control plane refused the request: 400 bad key [redacted]" });
  });

  it("returns accepted for a 202, and the control plane's signed callback is then accepted", async () => {
    controlPlane.answer({ status: 202 });
    const job = jobFor(controlPlane.url);

    const result = await createHttpProvisioner({ secret: SECRET }).execute(job, contextWith());

    expect(result.kind).toBe("accepted");
    const callbackUrl = JSON.parse(controlPlane.received[0]?.body ?? "{}").callbackUrl;
    expect(callbackUrl).toBe("https://portal.example/provisioning/callbacks/http");
    const callbackBody = json({ requestId: job.id, status: "succeeded", result: { url: "https://acme.wiki.example" } });
    expect(readCallback(SECRET, signPayload(SECRET, callbackBody, NOW), callbackBody, NOW)).toEqual({
      ok: true,
      payload: { requestId: job.id, status: "succeeded", result: { url: "https://acme.wiki.example" } },
    });
  });

  it("asks for a retry on a 500 and is done on the retried attempt, with the same Idempotency-Key", async () => {
    controlPlane.answer(
      { status: 500, body: "database is down" },
      { status: 200, body: json({ result: { url: "https://acme.wiki.example" } }) },
    );
    const provisioner = createHttpProvisioner({ secret: SECRET });
    const job = jobFor(controlPlane.url);

    const first = await provisioner.execute(job, contextWith());
    const second = await provisioner.execute({ ...job, attempt: 2 }, contextWith());

    expect(first).toEqual({ kind: "retry", error: "control plane answered 500" });
    expect(second).toEqual({ kind: "done", result: { url: "https://acme.wiki.example" } });
    expect(controlPlane.received.map((request) => request.headers["idempotency-key"])).toEqual([
      job.idempotencyKey,
      job.idempotencyKey,
    ]);
  });

  it("takes the retry delay from Retry-After (seconds)", async () => {
    controlPlane.answer({ status: 503, headers: { "Retry-After": "7" } });

    const result = await createHttpProvisioner({ secret: SECRET }).execute(jobFor(controlPlane.url), contextWith());

    expect(result).toEqual({ kind: "retry", error: "control plane answered 503", afterMs: 7000 });
  });

  it.each([408, 429, 502])("asks for a retry on %i", async (status) => {
    controlPlane.answer({ status });

    const result = await createHttpProvisioner({ secret: SECRET }).execute(jobFor(controlPlane.url), contextWith());

    expect(result).toEqual({ kind: "retry", error: `control plane answered ${status}` });
  });

  it("gives up on a control plane that never answers after timeoutMs, and asks for a retry", async () => {
    controlPlane.answer("never");
    const startedAt = Date.now();

    const result = await createHttpProvisioner({ secret: SECRET, timeoutMs: 200 }).execute(
      jobFor(controlPlane.url),
      contextWith(),
    );

    expect(result).toEqual({ kind: "retry", error: "timed out after 200 ms" });
    expect(Date.now() - startedAt).toBeLessThan(5000);
    expect(controlPlane.received).toHaveLength(1);
  }, 10_000);

  it("stops when the caller aborts, and asks for a retry", async () => {
    controlPlane.answer("never");
    const caller = new AbortController();
    setTimeout(() => caller.abort(), 100);

    const result = await createHttpProvisioner({ secret: SECRET }).execute(
      jobFor(controlPlane.url),
      contextWith(caller.signal),
    );

    expect(result).toEqual({ kind: "retry", error: "the attempt was aborted before the control plane answered" });
  }, 10_000);

  it("asks for a retry when the control plane cannot be reached", async () => {
    const closed = await startControlPlane();
    await closed.close();

    const result = await createHttpProvisioner({ secret: SECRET }).execute(jobFor(closed.url), contextWith());

    expect(result).toMatchObject({
      kind: "retry",
      error: expect.stringMatching(/could not reach the control plane.*ECONNREFUSED/),
    });
  });

  it("fails at once on a 400, with an excerpt of the answer", async () => {
    controlPlane.answer({ status: 400, body: "unknown plan: team\n" });

    const result = await createHttpProvisioner({ secret: SECRET }).execute(jobFor(controlPlane.url), contextWith());

    expect(result).toEqual({ kind: "fail", reason: "control plane refused the request: 400 unknown plan: team" });
    expect(controlPlane.received).toHaveLength(1);
  });

  it("keeps a refusal's excerpt to 300 characters and out of reach of the secret and the signature", async () => {
    controlPlane.answer({
      status: 422,
      body: (request) =>
        `you sent ${SECRET} and ${String(request.headers[SIGNATURE_HEADER.toLowerCase()])} ${"x".repeat(1000)}`,
    });

    const result = await createHttpProvisioner({ secret: SECRET }).execute(jobFor(controlPlane.url), contextWith());

    expect(result.kind).toBe("fail");
    const reason = result.kind === "fail" ? result.reason : "";
    expect(reason).toMatch(
      /^control plane refused the request: 422 you sent \[redacted\] and t=\d+,v1=\[redacted\] x+$/,
    );
    expect(reason.length).toBe("control plane refused the request: 422 ".length + 300);
  });

  it("does not follow a redirect, which would resend the signed request elsewhere (or as a GET)", async () => {
    controlPlane.answer({ status: 303, headers: { Location: "/v1/elsewhere" } });

    const result = await createHttpProvisioner({ secret: SECRET }).execute(jobFor(controlPlane.url), contextWith());

    expect(result).toMatchObject({
      kind: "fail",
      reason: expect.stringMatching(/^control plane answered 303; redirects are not followed/),
    });
    expect(controlPlane.received.map((request) => request.path)).toEqual(["/v1/provision"]);
  });

  it.each([
    ["a missing url", undefined],
    ["a url that is not a URL", "control-plane.example"],
    ["a url that is not http(s)", "ftp://control-plane.example/provision"],
  ])("fails at once on %s in the plan's config", async (_label, url) => {
    const result = await createHttpProvisioner({ secret: SECRET }).execute(jobFor(url), contextWith());

    expect(result).toMatchObject({ kind: "fail", reason: expect.stringMatching(/misconfigured.*config\.url/) });
  });

  it.each([
    ["not JSON", "<html>ok</html>", /200 with a body that is not JSON/],
    ["without a result", json({ tenantId: "t-42" }), /200 without a valid result: result:/],
    [
      "with a result value that is not a string",
      json({ result: { seats: 12 } }),
      /200 without a valid result: result\.seats:/,
    ],
  ])("asks for a retry on a 200 whose body is %s", async (_label, body, error) => {
    controlPlane.answer({ status: 200, body });

    const result = await createHttpProvisioner({ secret: SECRET }).execute(jobFor(controlPlane.url), contextWith());

    expect(result).toMatchObject({ kind: "retry", error: expect.stringMatching(error) });
  });

  it("never puts the secret, the request body or the signature into an outcome", async () => {
    controlPlane.answer({ status: 500 }, { status: 200, body: "{" }, "never");
    const provisioner = createHttpProvisioner({ secret: SECRET, timeoutMs: 200 });
    const job = jobFor(controlPlane.url);

    const outcomes = [];
    for (let attempt = 1; attempt <= 3; attempt++)
      outcomes.push(await provisioner.execute({ ...job, attempt }, contextWith()));

    const text = json(outcomes);
    expect(outcomes.map((result) => result.kind)).toEqual(["retry", "retry", "retry"]);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(job.accountName);
    expect(text).not.toMatch(/v1=/);
  }, 10_000);
});

describe("readCallback", () => {
  const body = json({ requestId: randomUUID(), status: "failed", error: "tenant name taken" });

  it("accepts a callback signed with the secret", () => {
    expect(readCallback(SECRET, signPayload(SECRET, body, NOW), body, NOW)).toMatchObject({
      ok: true,
      payload: { status: "failed", error: "tenant name taken" },
    });
  });

  it("refuses a signature made with another secret", () => {
    expect(readCallback(SECRET, signPayload("forger-secret", body, NOW), body, NOW)).toEqual({
      ok: false,
      reason: "the signature does not match the body",
    });
  });

  it("refuses a body altered after signing", () => {
    const header = signPayload(SECRET, body, NOW);
    const tampered = body.replace('"failed"', '"succeeded"');

    expect(readCallback(SECRET, header, tampered, NOW)).toEqual({
      ok: false,
      reason: "the signature does not match the body",
    });
  });

  it("refuses a replay of a valid callback signed 10 minutes ago", () => {
    const header = signPayload(SECRET, body, new Date(NOW.getTime() - TEN_MINUTES_MS));

    expect(readCallback(SECRET, header, body, NOW)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/timestamp.*300 s/),
    });
  });

  it.each([
    ["missing", undefined, /missing/],
    ["empty", "", /missing/],
    ["garbage", "not a signature", /malformed/],
    ["without a timestamp", `v1=${"a".repeat(64)}`, /malformed/],
    ["without a signature", "t=1904212800", /malformed/],
    ["with a non-numeric timestamp", `t=soon,v1=${"a".repeat(64)}`, /malformed/],
    ["with a short signature", "t=1904212800,v1=abcdef", /malformed/],
    ["with two timestamps", `t=1904212800,t=1904212801,v1=${"a".repeat(64)}`, /malformed/],
  ])("refuses a header that is %s", (_label, header, reason) => {
    expect(readCallback(SECRET, header, body, NOW)).toMatchObject({ ok: false, reason: expect.stringMatching(reason) });
  });

  it.each([
    ["not JSON", "requestId=1&status=succeeded", /not valid JSON/],
    ["without a uuid requestId", json({ requestId: "42", status: "succeeded" }), /schema: requestId:/],
    ["with an unknown status", json({ requestId: randomUUID(), status: "done" }), /schema: status:/],
    [
      "with an error over 2000 characters",
      json({ requestId: randomUUID(), status: "failed", error: "e".repeat(2001) }),
      /schema: error:/,
    ],
  ])("refuses a correctly signed body that is %s", (_label, rawBody, reason) => {
    expect(readCallback(SECRET, signPayload(SECRET, rawBody, NOW), rawBody, NOW)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(reason),
    });
  });
});

describe("verifySignature", () => {
  const body = json({ hello: "world" });

  it("accepts a signature within the tolerance, either side of now", () => {
    expect(verifySignature(SECRET, signPayload(SECRET, body, new Date(NOW.getTime() - 299_000)), body, NOW)).toEqual({
      ok: true,
    });
    expect(verifySignature(SECRET, signPayload(SECRET, body, new Date(NOW.getTime() + 299_000)), body, NOW)).toEqual({
      ok: true,
    });
  });

  it("refuses a timestamp 10 minutes in the future", () => {
    const header = signPayload(SECRET, body, new Date(NOW.getTime() + TEN_MINUTES_MS));

    expect(verifySignature(SECRET, header, body, NOW)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/timestamp/),
    });
  });

  it("honours a custom tolerance", () => {
    const header = signPayload(SECRET, body, new Date(NOW.getTime() - 60_000));

    expect(verifySignature(SECRET, header, body, NOW, 30).ok).toBe(false);
    expect(verifySignature(SECRET, header, body, NOW, 90).ok).toBe(true);
  });

  it("accepts any of several v1 signatures, as while a secret is rotated", () => {
    const header = signPayload(SECRET, body, NOW);
    const oldDigest = signPayload("old-secret", body, NOW).split("v1=")[1];

    expect(verifySignature(SECRET, `${header},v1=${oldDigest}`, body, NOW)).toEqual({ ok: true });
    expect(verifySignature("old-secret", `${header},v1=${oldDigest}`, body, NOW)).toEqual({ ok: true });
  });

  it("refuses everything when no secret is configured", () => {
    expect(verifySignature("", signPayload("", body, NOW), body, NOW)).toEqual({
      ok: false,
      reason: "no signing secret is configured",
    });
  });

  it("signs in Stripe's layout", () => {
    expect(signPayload(SECRET, body, NOW)).toMatch(new RegExp(`^t=${NOW.getTime() / 1000},v1=[0-9a-f]{64}$`));
  });
});
