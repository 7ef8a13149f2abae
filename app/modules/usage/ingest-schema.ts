/**
 * The shapes of the usage ingest API (docs/usage-api.md), after Segment's HTTP Tracking API spec:
 * track, identify and group calls, alone or in a batch. Shared by the server and by anyone who
 * sends usage (the demo workspace, tests, the bench). No server-only code here.
 */
import { z } from "zod";

export type UsageCall = "track" | "identify" | "group";

/** At most this many events in one batch call (contract; Segment's own is 500 KB per batch). */
export const MAX_BATCH_EVENTS = 1000;

/** PostgreSQL's text and jsonb refuse U+0000, so no string may carry one. */
const noNul = (value: string) => !value.includes("\u0000");

const text = (name: string, max: number) =>
  z
    .string({ error: `${name} must be a text` })
    .min(1, { error: `${name} must not be empty` })
    .max(max, { error: `${name} must be at most ${max} characters` })
    .refine(noNul, { error: `${name} must not contain a NUL character` });

/** ISO 8601 with a time and a zone, e.g. "2025-03-01T12:00:00.000Z" or "2025-03-01T13:00:00+01:00". */
const isoTime = (name: string) =>
  z.iso.datetime({
    offset: true,
    error: `${name} must be an ISO 8601 date and time with a zone, e.g. 2025-03-01T12:00:00Z`,
  });

const fields = z.record(z.string(), z.unknown(), { error: "must be an object" });

const common = {
  messageId: text("messageId", 100),
  userId: text("userId", 200).optional(),
  anonymousId: text("anonymousId", 200).optional(),
  timestamp: isoTime("timestamp").optional(),
  sentAt: isoTime("sentAt").optional(),
  backfill: z.boolean({ error: "backfill must be true or false" }).default(false),
  instanceId: z.uuid({ error: "instanceId must be the service instance's id (a UUID)" }).optional(),
};

const someone = {
  when: (event: { userId?: string; anonymousId?: string }) =>
    event.userId !== undefined || event.anonymousId !== undefined,
  error: "userId or anonymousId is required",
};

/** A track call: a user did something (`event`, the feature key the rollups count). */
export const trackEventSchema = z
  .object({
    ...common,
    type: z.literal("track").optional(),
    event: text("event", 200),
    properties: fields.default({}),
  })
  .refine(someone.when, { error: someone.error });

/** An identify call: who a user is (`traits`, e.g. name and email). */
export const identifyEventSchema = z
  .object({ ...common, type: z.literal("identify").optional(), traits: fields.default({}) })
  .refine(someone.when, { error: someone.error });

/** A group call: the workspace the user belongs to (`groupId`) and its traits (e.g. projects, storage_gb). */
export const groupEventSchema = z.object({
  ...common,
  type: z.literal("group").optional(),
  groupId: text("groupId", 200),
  traits: fields.default({}),
});

export const eventSchemas = { track: trackEventSchema, identify: identifyEventSchema, group: groupEventSchema };

export type TrackEvent = z.infer<typeof trackEventSchema>;
export type IdentifyEvent = z.infer<typeof identifyEventSchema>;
export type GroupEvent = z.infer<typeof groupEventSchema>;
/** An event as sent to /api/v1/batch (with its `type`). */
export type UsageEventInput =
  | (z.input<typeof trackEventSchema> & { type: "track" })
  | (z.input<typeof identifyEventSchema> & { type: "identify" })
  | (z.input<typeof groupEventSchema> & { type: "group" });

/**
 * The body of /api/v1/batch: the events are checked one by one later (a bad one is rejected, the
 * rest go in), so here only the envelope. More than MAX_BATCH_EVENTS is told apart by the caller (413).
 */
export const batchBodySchema = z.object({
  batch: z.array(z.unknown(), { error: "batch must be a list of events" }),
  sentAt: isoTime("sentAt").optional(),
});

/** The body of a single call: one JSON object (its fields are checked as the event). */
export const singleBodySchema = z.record(z.string(), z.unknown(), { error: "the body must be one JSON object" });

/** One event's answer, in the order sent. */
export type EventResult =
  | { messageId: string | null; status: "accepted" | "duplicate" }
  | { messageId: string | null; status: "rejected"; reason: string };

/** Every call's 200 answer. */
export type IngestAnswer = { results: EventResult[] };
