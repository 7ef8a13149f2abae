import { z } from "zod";

/**
 * Control characters (Unicode category Cc: U+0000–U+001F and U+007F–U+009F) other than the line
 * breaks and tab a text area sends. PostgreSQL cannot store U+0000 in text or jsonb at all (the
 * insert fails), and the others are invisible in every page and email that would show them.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL_IN_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex -- as above, and line breaks and tabs too
const CONTROL_IN_LINE = /[\u0000-\u001f\u007f-\u009f]/;

export const CONTROL_CHARACTERS_MESSAGE = "Remove the hidden control characters from this text";

/** True when `value` has no control characters; `multiline` lets line breaks and tabs through. */
export function isPlainText(value: string, { multiline = false } = {}): boolean {
  return !(multiline ? CONTROL_IN_LINES : CONTROL_IN_LINE).test(value);
}

type TextOptions = {
  /** The message for a missing or empty value; omit it for an optional field (empty is allowed). */
  required?: string;
  /** At least this many characters after trimming (needs `required`). */
  min?: { length: number; message: string };
  /** At most this many characters after trimming. */
  max: number;
  /** A text area: line breaks and tabs are kept. */
  multiline?: boolean;
};

/**
 * The one schema for text a person types into any form: trimmed, at most `max` characters, and
 * free of control characters (see `isPlainText`), each refused with a sentence for the field.
 * Forms build their text fields from it so the rule holds everywhere (issue 13).
 */
export function textField({ required, min, max, multiline = false }: TextOptions) {
  const base = z
    .string({ error: required ?? "Enter text" })
    .trim()
    .refine((value) => isPlainText(value, { multiline }), CONTROL_CHARACTERS_MESSAGE);
  const bounded = required ? base.min(1, required) : base;
  return (min ? bounded.min(min.length, min.message) : bounded).max(
    max,
    `Use at most ${max.toLocaleString("en-GB")} characters`,
  );
}

/**
 * A label mid-sentence: a capitalised first word lower-cased ("Projects" → "projects", "Payment
 * failed, retrying" → "payment failed, retrying"); an acronym or a single capital stays ("API calls").
 */
export function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}
