/**
 * Playbooks → tasks (issue 16 item 3): rules fire when an account *enters* a state. Each run
 * compares the states the facts put an account in (playbook-rules.ts) with `playbook_states`:
 * entering fires (a task for the assigned staff member or the team's queue), staying does nothing,
 * leaving records `left_at`, and re-entering fires again. A firing while the rule's task for the
 * same subject is still open updates that task instead of adding another.
 */
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "#db/client";
import { auditEvents, csTasks, playbookRules, playbookStates } from "#db/schema";
import type { AccountFacts } from "./facts";
import { ruleHits, type RuleHit } from "./playbook-rules";

const DAY = 86_400_000;
/** Rows per statement: well under PostgreSQL's 65,535 parameters for every statement below. */
const CHUNK = 1000;

type Rule = typeof playbookRules.$inferSelect;
type Entry = { facts: AccountFacts; rule: Rule; hit: RuleHit };

function chunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

const stateKey = (accountId: string, ruleKey: string, subject: string) => `${accountId} ${ruleKey} ${subject}`;

/**
 * Evaluates every enabled rule for these accounts at `now` (UTC) in the caller's transaction, and
 * returns how many tasks it created (updated open tasks are not counted). Safe when two
 * evaluations of the same accounts race: the state row decides which of them entered the state
 * (`… do update … where not in_state`), so only that one fires, and the partial unique index
 * `cs_tasks_open_rule_idx` keeps one open task per account, rule and subject. Rows are written in
 * key order so racing runs lock them in the same order.
 */
export async function evaluatePlaybooks(tx: DbOrTx, facts: AccountFacts[], now: Date): Promise<number> {
  if (!facts.length) return 0;
  const rules = await tx
    .select()
    .from(playbookRules)
    .where(eq(playbookRules.enabled, true))
    .orderBy(asc(playbookRules.position), asc(playbookRules.key));
  if (!rules.length) return 0;
  const accountIds = facts.map((f) => f.accountId);
  const stored = (
    await Promise.all(
      chunks(accountIds).map((ids) =>
        tx
          .select({
            accountId: playbookStates.accountId,
            ruleKey: playbookStates.ruleKey,
            subject: playbookStates.subject,
          })
          .from(playbookStates)
          .where(and(inArray(playbookStates.accountId, ids), eq(playbookStates.inState, true))),
      ),
    )
  ).flat();
  const inState = new Set(stored.map((s) => stateKey(s.accountId, s.ruleKey, s.subject)));

  const present = new Set<string>();
  const entering: Entry[] = [];
  for (const account of facts)
    for (const rule of rules)
      for (const hit of ruleHits(rule.trigger, rule.params, account, now)) {
        const key = stateKey(account.accountId, rule.key, hit.subject);
        if (present.has(key)) continue;
        present.add(key);
        if (!inState.has(key)) entering.push({ facts: account, rule, hit });
      }
  const enabled = new Set(rules.map((r) => r.key));
  // A disabled rule's states stay as they were: enabling it again must not fire for accounts already in state.
  const leaving = stored
    .filter((s) => enabled.has(s.ruleKey) && !present.has(stateKey(s.accountId, s.ruleKey, s.subject)))
    .sort((a, b) =>
      stateKey(a.accountId, a.ruleKey, a.subject).localeCompare(stateKey(b.accountId, b.ruleKey, b.subject)),
    );
  for (const rows of chunks(leaving)) {
    const keys = sql.join(
      rows.map((r) => sql`(${r.accountId}::uuid, ${r.ruleKey}, ${r.subject})`),
      sql`, `,
    );
    await tx
      .update(playbookStates)
      .set({ inState: false, leftAt: now })
      .where(
        and(
          eq(playbookStates.inState, true),
          sql`(${playbookStates.accountId}, ${playbookStates.ruleKey}, ${playbookStates.subject}) in (${keys})`,
        ),
      );
  }

  entering.sort((a, b) =>
    stateKey(a.facts.accountId, a.rule.key, a.hit.subject).localeCompare(
      stateKey(b.facts.accountId, b.rule.key, b.hit.subject),
    ),
  );
  let created = 0;
  for (const rows of chunks(entering)) {
    const entered = await tx
      .insert(playbookStates)
      .values(
        rows.map(({ facts: account, rule, hit }) => ({
          accountId: account.accountId,
          ruleKey: rule.key,
          subject: hit.subject,
          inState: true,
          enteredAt: now,
          leftAt: null,
        })),
      )
      .onConflictDoUpdate({
        target: [playbookStates.accountId, playbookStates.ruleKey, playbookStates.subject],
        set: { inState: true, enteredAt: now, leftAt: null },
        setWhere: sql`${playbookStates.inState} = false`,
      })
      .returning({
        accountId: playbookStates.accountId,
        ruleKey: playbookStates.ruleKey,
        subject: playbookStates.subject,
      });
    const won = new Set(entered.map((e) => stateKey(e.accountId, e.ruleKey, e.subject)));
    const firing = rows.filter((r) => won.has(stateKey(r.facts.accountId, r.rule.key, r.hit.subject)));
    created += await fire(tx, firing, now);
  }
  return created;
}

/** Creates the entries' tasks, or updates the open ones (reason, due, one more firing); audited. Returns tasks created. */
async function fire(tx: DbOrTx, entries: Entry[], now: Date): Promise<number> {
  if (!entries.length) return 0;
  const tasks = await tx
    .insert(csTasks)
    .values(
      entries.map(({ facts: account, rule, hit }) => ({
        accountId: account.accountId,
        ruleKey: rule.key,
        subject: hit.subject,
        trialId: hit.trialId,
        title: rule.taskTitle,
        reason: hit.reason,
        link: hit.link,
        assigneeId: rule.assignTo === "assigned" ? account.assignedStaffId : null,
        dueAt: new Date(now.getTime() + rule.dueDays * DAY),
        createdAt: now,
        updatedAt: now,
      })),
    )
    .onConflictDoUpdate({
      target: [csTasks.accountId, csTasks.ruleKey, csTasks.subject],
      targetWhere: sql`${csTasks.status} = 'open' and ${csTasks.ruleKey} is not null`,
      // The assignee stays: someone may have claimed or reassigned the task since it was made.
      set: {
        reason: sql`excluded.reason`,
        link: sql`excluded.link`,
        dueAt: sql`excluded.due_at`,
        fireCount: sql`${csTasks.fireCount} + 1`,
        updatedAt: now,
      },
    })
    .returning({
      id: csTasks.id,
      accountId: csTasks.accountId,
      ruleKey: csTasks.ruleKey,
      reason: csTasks.reason,
      dueAt: csTasks.dueAt,
      // xmax is 0 on a freshly inserted row and set on one the conflict updated.
      created: sql<boolean>`(xmax = 0)`,
    });
  const names = new Map(entries.map((e) => [e.rule.key, e.rule.name]));
  await tx.insert(auditEvents).values(
    tasks.map((task) => ({
      occurredAt: now,
      actorType: "system" as const,
      actorId: null,
      action: task.created ? "task.created" : "task.refired",
      subjectType: "cs_task",
      subjectId: task.id,
      organisationId: task.accountId,
      details: { rule: task.ruleKey, ruleName: names.get(task.ruleKey ?? ""), reason: task.reason, dueAt: task.dueAt },
    })),
  );
  return tasks.filter((task) => task.created).length;
}
