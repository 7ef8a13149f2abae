/**
 * The demo product reporting its usage through the portal's public ingest API (issue 15,
 * docs/usage-api.md), with its tenant's own ingest key, exactly as a vendor's product would: one
 * `POST /api/v1/batch` per workspace change with an identify of the person, the track event and a
 * group call with the workspace's traits. Each change has fixed messageIds, so a retried job is
 * answered "duplicate" by the API instead of counting twice.
 */
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "#db/client";
import { demoTenants } from "#db/schema";

/** The worker task (server/worker.ts); payload: `UsageReport`. */
export const DEMO_USAGE_REPORT_TASK = "demo_usage_report";
/** graphile-worker's exponential backoff (exp(attempt) s) over 12 attempts spans about two days. */
export const REPORT_MAX_ATTEMPTS = 12;

const REQUEST_TIMEOUT_MS = 10_000;

export const usageReportSchema = z.object({
  instanceId: z.uuid(),
  /** One per workspace change; the messageIds are made from it. */
  changeId: z.uuid(),
  /** When the change was made (ISO 8601): the events' `timestamp`. */
  timestamp: z.iso.datetime(),
  user: z.object({ id: z.uuid(), name: z.string(), email: z.string() }),
  event: z.string().min(1).max(200),
  properties: z.record(z.string(), z.unknown()),
  /** The group call's traits: a trait named after a plan limit is the current use of it. */
  traits: z.object({ name: z.string(), projects: z.number(), storage_gb: z.number(), api_calls: z.number() }),
});
export type UsageReport = z.infer<typeof usageReportSchema>;

/** The body of the batch call: identify, track, group, with messageIds fixed by the change. */
export function reportBatch(report: UsageReport, sentAt: Date) {
  const common = { userId: report.user.id, timestamp: report.timestamp };
  return {
    batch: [
      {
        type: "identify",
        messageId: `${report.changeId}-identify`,
        ...common,
        traits: { name: report.user.name, email: report.user.email },
      },
      {
        type: "track",
        messageId: `${report.changeId}-track`,
        ...common,
        event: report.event,
        properties: report.properties,
      },
      {
        type: "group",
        messageId: `${report.changeId}-group`,
        ...common,
        groupId: report.instanceId,
        traits: report.traits,
      },
    ],
    sentAt: sentAt.toISOString(),
  };
}

export type ReportDeps = {
  db: DbOrTx;
  /** The portal's public address: the API is reached there, as a vendor's product reaches it. */
  appUrl: string;
  warn: (message: string) => void;
  fetch?: typeof fetch;
};

const resultsSchema = z.object({
  results: z.array(z.object({ messageId: z.string(), status: z.string(), reason: z.string().optional() })),
});

/**
 * Sends one change's report. Answers "sent" (2xx; events the API rejected are logged as warnings),
 * "refused" (another 4xx: retrying cannot help, so it gives up with a warning) or "no-key" (the
 * tenant has no key or is gone). Throws on network errors, timeouts, 408, 429 and 5xx, so the
 * worker retries with its backoff. The key is sent as the Basic username (Segment's writeKey scheme)
 * and never logged.
 */
export async function sendUsageReport(deps: ReportDeps, payload: unknown): Promise<"sent" | "refused" | "no-key"> {
  const report = usageReportSchema.parse(payload);
  const [tenant] = await deps.db
    .select({ ingestKey: demoTenants.ingestKey })
    .from(demoTenants)
    .where(eq(demoTenants.instanceId, report.instanceId));
  if (!tenant?.ingestKey) {
    deps.warn(`demo usage report ${report.changeId}: the tenant has no ingest key; not sent`);
    return "no-key";
  }
  const response = await (deps.fetch ?? fetch)(`${deps.appUrl.replace(/\/+$/, "")}/api/v1/batch`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Authorization: `Basic ${Buffer.from(`${tenant.ingestKey}:`).toString("base64")}`,
    },
    body: JSON.stringify(reportBatch(report, new Date())),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  const { status } = response;
  if (status >= 500 || status === 429 || status === 408)
    throw new Error(`the usage API answered ${status}; retrying later`);
  if (status >= 400) {
    deps.warn(`demo usage report ${report.changeId}: the usage API refused it (${status}): ${text.slice(0, 300)}`);
    return "refused";
  }
  const answer = resultsSchema.safeParse(safeJson(text));
  for (const result of answer.success ? answer.data.results : [])
    if (result.status === "rejected")
      deps.warn(`demo usage report ${report.changeId}: event ${result.messageId} rejected: ${result.reason ?? ""}`);
  return "sent";
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
