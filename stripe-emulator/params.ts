import { z } from "zod";
import { invalidRequest, missingParam, unknownParam } from "./errors";
import type { FormObject, FormValue } from "./form";

/** Form values are strings; these schemas read them the way Stripe does. */
export const formInteger = z
  .string()
  .regex(/^-?\d+$/, "Invalid integer")
  .transform(Number);

export const formBoolean = z.enum(["true", "false"]).transform((value) => value === "true");

/** `metadata[key]=` removes a key and `metadata=` removes them all, so both stay visible to `mergeMetadata`. */
export const formMetadata = z.union([z.literal(""), z.record(z.string(), z.string())]);

export function mergeMetadata(
  current: Record<string, string>,
  update: z.infer<typeof formMetadata> | undefined,
): Record<string, string> {
  if (update === undefined) return current;
  if (update === "") return {};
  const merged = { ...current, ...update };
  for (const [key, value] of Object.entries(update)) if (value === "") delete merged[key];
  return merged;
}

export const formStringList = z.array(z.string());

/**
 * Validates request params with a strict schema and reports the first problem in Stripe's words,
 * naming the param in form syntax (`line_items[0][price]`).
 */
export function parseParams<Schema extends z.ZodType>(schema: Schema, params: FormObject): z.output<Schema> {
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw invalidRequest("Invalid request.");
  if (issue.code === "unrecognized_keys") {
    throw unknownParam(formParamName([...issue.path, issue.keys[0] ?? ""]));
  }
  const param = formParamName(issue.path);
  if (issue.code === "invalid_type" && valueAt(params, issue.path) === undefined) throw missingParam(param);
  throw invalidRequest(`Invalid ${param}: ${issue.message}`, param);
}

function formParamName(path: readonly PropertyKey[]): string {
  const [head, ...rest] = path.map(String);
  return `${head ?? ""}${rest.map((segment) => `[${segment}]`).join("")}`;
}

function valueAt(params: FormObject, path: readonly PropertyKey[]): FormValue | undefined {
  let current: FormValue | undefined = params;
  for (const segment of path) {
    if (current === undefined || typeof current === "string") return undefined;
    current = Array.isArray(current) ? current[Number(segment)] : current[String(segment)];
  }
  return current;
}
