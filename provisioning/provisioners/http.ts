/**
 * The `http` provisioner: POSTs a signed, idempotent request to the vendor's control plane, which
 * either answers with the result at once or accepts the request and calls the portal back (signed).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { outcome } from "../types";
import type { Outcome, Provisioner, ProvisionerContext, ProvisioningJob } from "../types";

export const SIGNATURE_HEADER = "Portal-Signature";

const DEFAULT_TOLERANCE_SECONDS = 300;
const DEFAULT_TIMEOUT_MS = 10_000;
const EXCERPT_LENGTH = 300;

// ---------------------------------------------------------------------------------------------
// Signatures (Stripe's scheme: "t=<unix seconds>,v1=<hex HMAC-SHA256 of `${t}.${body}`>")

function unixSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

function hmacHex(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

function sign(secret: string, body: string, now: Date): { header: string; digest: string } {
  const timestamp = unixSeconds(now);
  const digest = hmacHex(secret, timestamp, body);
  return { header: `t=${timestamp},v1=${digest}`, digest };
}

/** "t=<unix seconds>,v1=<hex HMAC-SHA256 of `${t}.${body}` with the secret>" — Stripe's scheme. */
export function signPayload(secret: string, body: string, now = new Date()): string {
  return sign(secret, body, now).header;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

type ParsedSignatureHeader = { timestamp: number; digests: Buffer[] };

/**
 * Comma-separated key=value pairs. As in Stripe's scheme, several v1 entries are allowed (the
 * signer can sign with the old and the new secret while one is rotated) and unknown keys are ignored.
 */
function parseSignatureHeader(header: string): ParsedSignatureHeader | null {
  let timestamp: number | null = null;
  const digests: Buffer[] = [];
  for (const pair of header.split(",")) {
    const [key, value, extra] = pair.trim().split("=");
    if (value === undefined || extra !== undefined) return null;
    if (key === "t") {
      if (timestamp !== null || !/^\d{1,12}$/.test(value)) return null;
      timestamp = Number(value);
    } else if (key === "v1") {
      // Exactly 64 hex digits, so every digest has the 32 bytes timingSafeEqual needs.
      if (!/^[0-9a-f]{64}$/i.test(value)) return null;
      digests.push(Buffer.from(value, "hex"));
    }
  }
  return timestamp === null || digests.length === 0 ? null : { timestamp, digests };
}

function refuse(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

/** Constant-time check of a signature header against the raw body; refuses timestamps older (or newer) than toleranceSeconds (default 300), malformed headers, and wrong signatures. */
export function verifySignature(
  secret: string,
  header: string | null | undefined,
  body: string,
  now = new Date(),
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): SignatureCheck {
  // With an empty key anyone could compute a valid HMAC.
  if (!secret) return refuse("no signing secret is configured");
  if (!header) return refuse(`the ${SIGNATURE_HEADER} header is missing`);
  const parsed = parseSignatureHeader(header);
  if (!parsed) return refuse(`the ${SIGNATURE_HEADER} header is malformed`);
  const expected = Buffer.from(hmacHex(secret, parsed.timestamp, body), "hex");
  if (!parsed.digests.some((digest) => timingSafeEqual(digest, expected)))
    return refuse("the signature does not match the body");
  // Checked after the signature so that the timestamp is known to be the signer's own.
  if (Math.abs(unixSeconds(now) - parsed.timestamp) > toleranceSeconds) {
    return refuse(
      `the signature timestamp is more than ${toleranceSeconds} s away from now (a replay or a skewed clock)`,
    );
  }
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------
// Shared parsing helpers

type JsonParse = { ok: true; value: unknown } | { ok: false };

function parseJson(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    // JSON.parse's message quotes the input, which must not reach a log or an outcome.
    return { ok: false };
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ");
}

// ---------------------------------------------------------------------------------------------
// Callbacks from the control plane

/** The body the control plane POSTs to the portal's callback URL, parsed with zod. */
export const callbackSchema = z.object({
  requestId: z.uuid(),
  status: z.enum(["succeeded", "failed"]),
  result: z.record(z.string(), z.string()).optional(),
  error: z.string().max(2000).optional(),
});
export type CallbackPayload = z.infer<typeof callbackSchema>;

/** Verifies the signature on the raw body, then parses it; any failure → { ok: false, reason } (never throws). */
export function readCallback(
  secret: string,
  header: string | null | undefined,
  rawBody: string,
  now = new Date(),
): { ok: true; payload: CallbackPayload } | { ok: false; reason: string } {
  const signature = verifySignature(secret, header, rawBody, now);
  if (!signature.ok) return signature;
  const json = parseJson(rawBody);
  if (!json.ok) return refuse("the callback body is not valid JSON");
  const payload = callbackSchema.safeParse(json.value);
  if (!payload.success) return refuse(`the callback body does not match the schema: ${describeIssues(payload.error)}`);
  return { ok: true, payload: payload.data };
}

// ---------------------------------------------------------------------------------------------
// The provisioner

export type HttpProvisionerOptions = { secret: string; timeoutMs?: number /* default 10000 */; fetch?: typeof fetch };

type Settings = { secret: string; timeoutMs: number; fetch: typeof fetch };

// z.url rather than z.httpUrl: a control plane on a private network or on loopback has no public domain name.
const configSchema = z.object({ url: z.url({ protocol: /^https?$/ }) });

const syncAnswerSchema = z.object({ result: z.record(z.string(), z.string()) });

export function createHttpProvisioner(options: HttpProvisionerOptions): Provisioner {
  if (!options.secret) throw new Error("the http provisioner needs a signing secret");
  const settings: Settings = {
    secret: options.secret,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    fetch: options.fetch ?? globalThis.fetch,
  };
  return { key: "http", mode: "automatic", execute: (job, context) => callControlPlane(settings, job, context) };
}

/**
 * The signed body. A `provision` carries `ingest_key`, the key the product reports usage with
 * (docs/usage-api.md); the control plane keeps the one from the latest attempt, as earlier ones are revoked.
 */
function requestBody(job: ProvisioningJob, callbackUrl: string): string {
  return JSON.stringify({
    requestId: job.id,
    operation: job.operation,
    account: { id: job.accountId, name: job.accountName },
    snapshot: job.snapshot,
    instance: job.instance,
    callbackUrl,
    ...(job.ingestKey ? { ingest_key: job.ingestKey } : {}),
  });
}

async function callControlPlane(
  settings: Settings,
  job: ProvisioningJob,
  context: ProvisionerContext,
): Promise<Outcome> {
  const config = configSchema.safeParse(job.config);
  // The URL itself stays out of the message: it may carry credentials.
  if (!config.success)
    return outcome.fail("the http provisioner is misconfigured: the plan's config.url must be an http(s) URL");

  const body = requestBody(job, context.callbackUrl);
  const signature = sign(settings.secret, body, new Date());
  const timeout = AbortSignal.timeout(settings.timeoutMs);
  try {
    const response = await settings.fetch(config.data.url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "Idempotency-Key": job.idempotencyKey,
        [SIGNATURE_HEADER]: signature.header,
      },
      body,
      // Following a 301/302/303 would turn the POST into a GET and send the signature to another address.
      redirect: "manual",
      signal: AbortSignal.any([context.signal, timeout]),
    });
    return await interpretResponse(response, (text) =>
      excerpt(text, [settings.secret, signature.digest, ...(job.ingestKey ? [job.ingestKey] : [])]),
    );
  } catch (error) {
    if (timeout.aborted) return outcome.retry(`timed out after ${settings.timeoutMs} ms`);
    if (context.signal.aborted) return outcome.retry("the attempt was aborted before the control plane answered");
    return outcome.retry(`could not reach the control plane: ${describeError(error)}`);
  }
}

async function interpretResponse(response: Response, excerptOf: (text: string) => string): Promise<Outcome> {
  const { status } = response;
  if (status === 202) {
    await discardBody(response);
    return outcome.accepted("the control plane accepted the request and will call back");
  }
  if (status >= 200 && status < 300) return readSyncResult(response);
  if (status >= 500 || status === 429 || status === 408) {
    await discardBody(response);
    return outcome.retry(`control plane answered ${status}`, retryAfterMs(response.headers.get("Retry-After")));
  }
  if (status >= 400) {
    const detail = excerptOf(await response.text());
    return outcome.fail(`control plane refused the request: ${status}${detail ? ` ${detail}` : ""}`);
  }
  await discardBody(response);
  return outcome.fail(
    `control plane answered ${status}; redirects are not followed, so config.url must be the final address`,
  );
}

async function readSyncResult(response: Response): Promise<Outcome> {
  const json = parseJson(await response.text());
  if (!json.ok) return outcome.retry(`control plane answered ${response.status} with a body that is not JSON`);
  const answer = syncAnswerSchema.safeParse(json.value);
  if (!answer.success)
    return outcome.retry(
      `control plane answered ${response.status} without a valid result: ${describeIssues(answer.error)}`,
    );
  return outcome.done(answer.data.result);
}

/** Releases the connection when the body is not needed. */
async function discardBody(response: Response): Promise<void> {
  await response.body?.cancel();
}

/** Retry-After in seconds; the HTTP-date form is ignored, which leaves the delay to the queue's backoff. */
function retryAfterMs(header: string | null): number | undefined {
  const value = header?.trim();
  return value && /^\d+$/.test(value) ? Number(value) * 1000 : undefined;
}

/** A one-line, bounded excerpt of a refusal, with anything secret a control plane might echo removed. */
function excerpt(text: string, secrets: string[]): string {
  const redacted = secrets.reduce((result, secret) => result.replaceAll(secret, "[redacted]"), text);
  return redacted.replace(/\s+/g, " ").trim().slice(0, EXCERPT_LENGTH);
}

/** fetch reports network failures as "fetch failed" with the useful part (ECONNREFUSED, ...) in the cause. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}
