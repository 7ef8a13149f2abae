import { z } from "zod";
import { wordsFromKey } from "~/modules/catalog/labels";
import { utcDateTime } from "~/lib/dates";

/** Where a visitor first came from, kept in a first-party cookie until a lead or signup records it. */
export type Attribution = z.infer<typeof attributionSchema>;

export const ATTRIBUTION_COOKIE = "first_touch";
export const ATTRIBUTION_MAX_AGE_SECONDS = 60 * 60 * 24 * 90;

const UTM_KEYS = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"] as const;
const MAX_VALUE_LENGTH = 200;

const text = z.string().trim().min(1).max(MAX_VALUE_LENGTH);
const attributionSchema = z.object({
  utm_source: text.optional(),
  utm_medium: text.optional(),
  utm_campaign: text.optional(),
  utm_term: text.optional(),
  utm_content: text.optional(),
  referrer: z
    .url({ protocol: /^https?$/ })
    .max(1000)
    .optional(),
  landing_path: z.string().max(MAX_VALUE_LENGTH),
  first_seen_at: z.iso.datetime(),
});

/**
 * The first-touch record for a page request, or null when the visitor already has one.
 * UTM values that are blank or too long are dropped; the referrer counts only when it is
 * another site's http(s) address.
 */
export function firstTouch(
  url: URL,
  referer: string | undefined,
  existingCookie: string | undefined,
  now: Date,
): Attribution | null {
  if (existingCookie && decodeAttribution(existingCookie)) return null;
  const record: Attribution = {
    landing_path: url.pathname.slice(0, MAX_VALUE_LENGTH),
    first_seen_at: now.toISOString(),
  };
  for (const key of UTM_KEYS) {
    const value = text.safeParse(url.searchParams.get(key) ?? "");
    if (value.success) record[key] = value.data;
  }
  const referrer = externalReferrer(referer, url.host);
  if (referrer) record.referrer = referrer;
  return record;
}

function externalReferrer(referer: string | undefined, ownHost: string): string | undefined {
  if (!referer) return undefined;
  try {
    const parsed = new URL(referer);
    if (!/^https?:$/.test(parsed.protocol) || parsed.host === ownHost) return undefined;
    // Paths and queries of other sites may carry personal data; the origin says enough.
    return parsed.origin;
  } catch {
    return undefined;
  }
}

export function encodeAttribution(attribution: Attribution): string {
  return Buffer.from(JSON.stringify(attribution)).toString("base64url");
}

/** The cookie's record, or null when it is missing, tampered with or malformed. */
export function decodeAttribution(value: string | undefined): Attribution | null {
  if (!value) return null;
  try {
    const parsed = attributionSchema.safeParse(JSON.parse(Buffer.from(value, "base64url").toString("utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const attributionLabels: Record<string, string> = {
  utm_source: "Campaign source",
  utm_medium: "Campaign medium",
  utm_campaign: "Campaign",
  utm_term: "Campaign term",
  utm_content: "Campaign content",
  referrer: "Came from",
  landing_path: "First page",
  first_seen_at: "First seen",
};

/**
 * A first-touch record as staff read it: labelled rows in the record's order, the first-seen time
 * in words ("1 May 2026, 09:30 UTC"). Keys without a label read as words.
 */
export function attributionRows(attribution: Record<string, unknown>): { label: string; value: string }[] {
  return Object.entries(attribution).map(([key, value]) => ({
    label: attributionLabels[key] ?? wordsFromKey(key),
    value:
      key === "first_seen_at" && typeof value === "string" && !Number.isNaN(Date.parse(value))
        ? utcDateTime(value)
        : String(value ?? "—"),
  }));
}
