import type { Submission } from "@conform-to/react";
import { data } from "@remix-run/node";
import type { ChangeResult } from "./workspace.server";

/**
 * A workspace page's answer to its form: the sentence of a done change (and a reset form), or the
 * refusal on its field (or the whole form) with its status (403, 409, 422).
 */
export function changeAnswer(submission: Submission<unknown>, result: ChangeResult) {
  if (result.ok) return { result: submission.reply({ resetForm: true }), done: result.message };
  const reply = result.field
    ? submission.reply({ fieldErrors: { [result.field]: [result.message] } })
    : submission.reply({ formErrors: [result.message] });
  return data({ result: reply, done: null }, { status: result.status });
}
