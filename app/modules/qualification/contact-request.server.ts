import { parseWithZod } from "@conform-to/zod/v4";
import { data, type AppLoadContext } from "@remix-run/node";
import type { z } from "zod";
import { isBot } from "~/lib/honeypot";
import { tooManyRequests, tryAgainIn } from "~/lib/forms.server";
import { consumeRateLimit } from "~/lib/rate-limit.server";

/**
 * The answer to a public "contact me" form: field errors (400), a bot told all went well without
 * saving, a flood refused (429 with Retry-After: the route exports `retryAfterHeaders`), or the request saved by `save` and the form cleared.
 */
export async function answerContactRequest<Schema extends z.ZodType>(
  context: AppLoadContext,
  formData: FormData,
  schema: Schema,
  save: (value: z.output<Schema>) => Promise<void>,
) {
  const submission = parseWithZod(formData, { schema });
  if (submission.status !== "success") return data({ result: submission.reply(), sent: false }, { status: 400 });
  if (isBot(formData)) return data({ result: submission.reply({ resetForm: true }), sent: true });
  const limit = await consumeRateLimit(context.db, "qualification", context.clientIp);
  if (!limit.allowed) {
    const formErrors = [`You have sent many requests in a short while. ${tryAgainIn(limit.retryAfterSeconds)}`];
    return tooManyRequests({ result: submission.reply({ formErrors }), sent: false }, limit.retryAfterSeconds);
  }
  await save(submission.value);
  return data({ result: submission.reply({ resetForm: true }), sent: true });
}
