/**
 * The staff admins' playbook editor (issue 16 item 3, ADR 15: admins change the playbooks): each
 * rule's name, params, task title, due days, assignee and whether it runs. A save is version + 1
 * and audited as `playbook.rule_updated` with the values before and after.
 */
import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Database, DbOrTx } from "#db/client";
import { playbookRules } from "#db/schema";
import { recordAudit } from "~/lib/audit.server";
import { textField } from "~/lib/text";
import { triggerParams, type RuleParams } from "./playbook-rules";

/** Every rule in the order the playbook runs them. */
export async function listPlaybookRules(db: DbOrTx) {
  return db.select().from(playbookRules).orderBy(asc(playbookRules.position), asc(playbookRules.key));
}

export type RuleSave =
  | { ok: true; changed: boolean }
  | { ok: false; status: 400 | 404 | 409; message: string; fieldErrors: Record<string, string> };

const wholeNumber = (min: number, max: number, label: string) =>
  z.coerce
    .number({ error: `${label}: enter a whole number` })
    .int(`${label}: enter a whole number`)
    .min(min, `${label}: enter at least ${min}`)
    .max(max, `${label}: enter at most ${max}`);

const baseSchema = z.object({
  version: z.coerce.number().int().min(1),
  name: textField({ required: "Enter the rule's name", max: 120 }),
  taskTitle: textField({ required: "Enter the task's title", max: 200 }),
  dueDays: wholeNumber(0, 365, "Due after (days)"),
  assignTo: z.enum(["assigned", "queue"], { error: "Choose who gets the task" }),
});

/** The shape of a rule's key (the template's keys: lowercase words joined by dashes). */
const RULE_KEY = /^[a-z0-9-]{1,80}$/;

/**
 * Saves one rule from the admin form's fields (strings as posted: `version`, `name`, `taskTitle`,
 * `dueDays`, `assignTo`, `enabled` = "on" when ticked, and `param.<key>` for the trigger's params).
 * Invalid input → 400 with a sentence per field; an unknown rule → 404; a `version` that is not the
 * stored one → 409 (someone saved since the form was opened), unless the stored rule already holds
 * exactly these values, so a double submission changes nothing and succeeds.
 */
export async function savePlaybookRule(
  db: Database,
  admin: { id: string },
  key: string,
  fields: Record<string, string>,
): Promise<RuleSave> {
  const missing = { ok: false, status: 404, message: "This rule does not exist.", fieldErrors: {} } as const;
  // Rule keys are slugs: anything else (a NUL byte PostgreSQL cannot compare, say) names no rule.
  if (!RULE_KEY.test(key)) return missing;
  return db.transaction(async (tx) => {
    const [rule] = await tx.select().from(playbookRules).where(eq(playbookRules.key, key)).for("update");
    if (!rule) return missing;
    const fieldErrors: Record<string, string> = {};
    const base = baseSchema.safeParse(fields);
    if (!base.success) for (const issue of base.error.issues) fieldErrors[String(issue.path[0])] ??= issue.message;
    const params: RuleParams = {};
    for (const spec of triggerParams[rule.trigger]) {
      if (spec.kind === "boolean") {
        params[spec.key] = fields[`param.${spec.key}`] === "on";
        continue;
      }
      const parsed = wholeNumber(spec.min, spec.max, spec.label).safeParse(fields[`param.${spec.key}`] ?? "");
      if (parsed.success) params[spec.key] = parsed.data;
      else fieldErrors[`param.${spec.key}`] = parsed.error.issues[0]!.message;
    }
    if (!base.success || Object.keys(fieldErrors).length)
      return { ok: false, status: 400, message: "Correct the highlighted fields.", fieldErrors };
    const next = {
      name: base.data.name,
      taskTitle: base.data.taskTitle,
      dueDays: base.data.dueDays,
      assignTo: base.data.assignTo,
      enabled: fields.enabled === "on",
      params,
    };
    const before = {
      name: rule.name,
      taskTitle: rule.taskTitle,
      dueDays: rule.dueDays,
      assignTo: rule.assignTo,
      enabled: rule.enabled,
      params: rule.params,
    };
    if (sameRule(before, next)) return { ok: true, changed: false };
    if (base.data.version !== rule.version)
      return {
        ok: false,
        status: 409,
        message: "Someone saved this rule after you opened the page. Reload it to see their changes, then edit again.",
        fieldErrors: {},
      };
    await tx
      .update(playbookRules)
      .set({ ...next, version: rule.version + 1, updatedBy: admin.id, updatedAt: new Date() })
      .where(eq(playbookRules.key, key));
    await recordAudit(
      tx,
      { type: "staff", id: admin.id },
      "playbook.rule_updated",
      { type: "playbook_rule", id: key },
      { version: rule.version + 1, before, after: next },
    );
    return { ok: true, changed: true };
  });
}

function sameRule(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const params = (value: unknown) =>
    JSON.stringify(Object.entries(value as RuleParams).sort(([x], [y]) => x.localeCompare(y)));
  return Object.keys(b).every((k) => (k === "params" ? params(a[k]) === params(b[k]) : a[k] === b[k]));
}
