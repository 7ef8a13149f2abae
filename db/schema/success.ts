/**
 * Customer success (issue 16, ADR 22): each account's current standing (lifecycle stage, health,
 * PQL score) in one indexed row, daily health snapshots, the weights and overrides behind the
 * score, staff notes, playbook rules and the tasks they create.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { pagedTime } from "./columns";
import { organisations, users } from "./accounts";
import { trials } from "./trials";

/** Where an account is in its life with us; `prospect` = signed up, never trialled nor paid. */
export type LifecycleStage = "prospect" | "trial" | "onboarding" | "adopted" | "at_risk" | "churned";
export type HealthBand = "red" | "yellow" | "green";
/** Which weights apply: the first 30 days of service use the onboarding profile (milestones weigh most). */
export type HealthProfile = "onboarding" | "standard";
export type HealthMeasureKey =
  "active_users" | "breadth" | "frequency" | "unused_seats" | "setup" | "payment" | "contact" | "milestones";

/** One measure of a score: its own 0-100 score (null = no data: its weight goes to the others). */
export type HealthMeasure = {
  key: HealthMeasureKey;
  /** 0-100, or null when there is no data for it. */
  score: number | null;
  /** The weight it had in this profile, before redistribution. */
  weight: number;
  /** The weight it counted with after the measures without data gave theirs away (0 when score is null). */
  effectiveWeight: number;
  /** What a person reads: "4 of 10 users bought were active in the last 28 days". */
  explanation: string;
};

/** Weights per profile, each measure's share (any positive numbers; normalised when scoring). */
export type HealthWeights = Record<HealthProfile, Partial<Record<HealthMeasureKey, number>>>;

/**
 * One row per organisation (a trigger in the migration inserts it with the organisation), kept
 * current by the health job; the portfolio list, the staff home and "Trials to call" read only
 * this table and its indexes. `attention` orders the portfolio: lower needs more attention.
 */
export const accountSuccess = pgTable(
  "account_success",
  {
    accountId: uuid("account_id")
      .primaryKey()
      .references(() => organisations.id, { onDelete: "cascade" }),
    /** The staff member who looks after the account; null = the team's queue. */
    assignedStaffId: uuid("assigned_staff_id").references(() => users.id, { onDelete: "set null" }),
    stage: text("stage").$type<LifecycleStage>().notNull().default("prospect"),
    /** Day N of the stage where it counts (onboarding day N of 90, trial day N). */
    stageDay: integer("stage_day"),
    healthScore: smallint("health_score"),
    healthBand: text("health_band").$type<HealthBand>(),
    healthProfile: text("health_profile").$type<HealthProfile>(),
    healthChange7d: smallint("health_change_7d"),
    healthChange30d: smallint("health_change_30d"),
    /** Set when the score fell 15 points or more within 7 days; the staff home lists recent ones. */
    healthDroppedAt: timestamp("health_dropped_at", { withTimezone: true }),
    /** The active trial's product-qualified score (0-100) and its reasons in words; null without a trial. */
    pqlScore: smallint("pql_score"),
    pqlReasons: jsonb("pql_reasons").$type<string[]>(),
    /** Contracted MRR in the subscription's currency, minor units (annual ÷ 12). */
    mrrMinor: bigint("mrr_minor", { mode: "number" }).notNull().default(0),
    currency: text("currency"),
    planSlugs: text("plan_slugs")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    trialEndsAt: timestamp("trial_ends_at", { withTimezone: true }),
    /** Lower needs more attention; the portfolio's default order (with account_id for keyset pages). */
    attention: smallint("attention").notNull().default(500),
    /** Lowercased name, people's emails and their domains: what the portfolio search matches (trigram index). */
    search: text("search").notNull().default(""),
    computedAt: timestamp("computed_at", { withTimezone: true }),
  },
  (t) => [
    index("account_success_attention_idx").on(t.attention, t.accountId),
    index("account_success_stage_idx").on(t.stage, t.attention, t.accountId),
    index("account_success_band_idx").on(t.healthBand, t.attention, t.accountId),
    index("account_success_assigned_idx").on(t.assignedStaffId, t.attention, t.accountId),
    index("account_success_trial_ends_idx")
      .on(t.trialEndsAt, t.accountId)
      .where(sql`${t.trialEndsAt} is not null`),
    index("account_success_pql_idx")
      .on(t.pqlScore, t.accountId)
      .where(sql`${t.pqlScore} is not null`),
    index("account_success_dropped_idx")
      .on(t.healthDroppedAt, t.accountId)
      .where(sql`${t.healthDroppedAt} is not null`),
    index("account_success_plans_idx").using("gin", t.planSlugs),
    index("account_success_search_idx").using("gin", sql`${t.search} gin_trgm_ops`),
    check(
      "account_success_stage_check",
      sql`${t.stage} in ('prospect', 'trial', 'onboarding', 'adopted', 'at_risk', 'churned')`,
    ),
    check("account_success_band_check", sql`${t.healthBand} is null or ${t.healthBand} in ('red', 'yellow', 'green')`),
  ],
);

/** The score of each account each day (UTC); the job overwrites today's row until the day ends. */
export const healthSnapshots = pgTable(
  "health_snapshots",
  {
    accountId: uuid("account_id")
      .notNull()
      .references(() => organisations.id, { onDelete: "cascade" }),
    day: date("day", { mode: "string" }).notNull(),
    score: smallint("score").notNull(),
    band: text("band").$type<HealthBand>().notNull(),
    profile: text("profile").$type<HealthProfile>().notNull(),
    /** The computed score before any override. */
    computedScore: smallint("computed_score").notNull(),
    measures: jsonb("measures").$type<HealthMeasure[]>().notNull(),
    weightsVersion: integer("weights_version").notNull(),
    /** The override in force that day, if any. */
    overrideId: uuid("override_id"),
    computedAt: timestamp("computed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.day] })],
);

/** Versions of the health weights; the highest version is in force. Never updated, only added to. */
export const healthWeightVersions = pgTable("health_weight_versions", {
  version: serial("version").primaryKey(),
  weights: jsonb("weights").$type<HealthWeights>().notNull(),
  createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  reason: text("reason").notNull().default(""),
});

/** A staff member's judgement (sentiment) replacing the computed band until it expires or is cleared. */
export const healthOverrides = pgTable(
  "health_overrides",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => organisations.id, { onDelete: "cascade" }),
    band: text("band").$type<HealthBand>().notNull(),
    reason: text("reason").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    clearedAt: timestamp("cleared_at", { withTimezone: true }),
    clearedBy: uuid("cleared_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [
    index("health_overrides_account_idx").on(t.accountId, t.createdAt),
    check("health_overrides_band_check", sql`${t.band} in ('red', 'yellow', 'green')`),
  ],
);

/** Staff notes on an account: plain text, never edited (a correction is another note), audited. */
export const staffNotes = pgTable(
  "staff_notes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => organisations.id, { onDelete: "cascade" }),
    authorId: uuid("author_id").references(() => users.id, { onDelete: "set null" }),
    body: text("body").notNull(),
    createdAt: pagedTime("created_at").notNull().defaultNow(),
  },
  (t) => [index("staff_notes_account_idx").on(t.accountId, t.createdAt, t.id)],
);

export type PlaybookTrigger =
  | "trial_started"
  | "trial_no_milestone"
  | "trial_ending_activated"
  | "first_payment"
  | "service_day"
  | "inactive"
  | "setup_stuck"
  | "payment_failing"
  | "seats_unused"
  | "annual_renewal"
  | "expansion";

/**
 * A playbook rule: when an account *enters* the trigger's state, create a task (or update the open
 * one). `params` are the trigger's knobs (days, thresholds); the 30-60-90 template is preloaded.
 */
export const playbookRules = pgTable(
  "playbook_rules",
  {
    key: text("key").primaryKey(),
    name: text("name").notNull(),
    trigger: text("trigger").$type<PlaybookTrigger>().notNull(),
    params: jsonb("params").$type<Record<string, number | string | boolean>>().notNull().default({}),
    taskTitle: text("task_title").notNull(),
    /** Days after firing that the task is due (0 = the same day). */
    dueDays: integer("due_days").notNull().default(0),
    /** The account's assigned staff member, or always the team's queue. */
    assignTo: text("assign_to").$type<"assigned" | "queue">().notNull().default("assigned"),
    enabled: boolean("enabled").notNull().default(true),
    position: integer("position").notNull().default(0),
    version: integer("version").notNull().default(1),
    updatedBy: uuid("updated_by").references(() => users.id, { onDelete: "set null" }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("playbook_rules_assign_check", sql`${t.assignTo} in ('assigned', 'queue')`)],
);

/**
 * Whether an account (and subject: a trial, a subscription, a day mark) is in a rule's state, so a
 * rule fires on entry only: evaluating the same state again does nothing; leaving and re-entering
 * fires again.
 */
export const playbookStates = pgTable(
  "playbook_states",
  {
    accountId: uuid("account_id")
      .notNull()
      .references(() => organisations.id, { onDelete: "cascade" }),
    ruleKey: text("rule_key")
      .notNull()
      .references(() => playbookRules.key, { onDelete: "cascade" }),
    /** What the state is about within the account ('' for the account itself), e.g. a trial's id. */
    subject: text("subject").notNull().default(""),
    inState: boolean("in_state").notNull(),
    enteredAt: timestamp("entered_at", { withTimezone: true }),
    leftAt: timestamp("left_at", { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.ruleKey, t.subject] })],
);

export type TaskStatus = "open" | "done";
export type TaskOutcome = "called" | "emailed" | "no_answer" | "not_needed";

/**
 * Work for staff: created by a playbook rule (one open task per account, rule and subject: a second
 * firing updates it) or by hand. Snoozing moves `due_at`. Completing records an outcome.
 */
export const csTasks = pgTable(
  "cs_tasks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => organisations.id, { onDelete: "cascade" }),
    ruleKey: text("rule_key").references(() => playbookRules.key, { onDelete: "set null" }),
    subject: text("subject").notNull().default(""),
    /** The trial the task is about, so outreach before conversion can be recorded. */
    trialId: uuid("trial_id").references(() => trials.id, { onDelete: "set null" }),
    title: text("title").notNull(),
    /** Why, in words ("Trial ends in 3 days and 4 of 5 milestones are reached"). */
    reason: text("reason").notNull(),
    /** A path in the portal to act from. */
    link: text("link").notNull(),
    /** Null = the team's queue. */
    assigneeId: uuid("assignee_id").references(() => users.id, { onDelete: "set null" }),
    status: text("status").$type<TaskStatus>().notNull().default("open"),
    dueAt: pagedTime("due_at").notNull(),
    snoozedAt: timestamp("snoozed_at", { withTimezone: true }),
    fireCount: integer("fire_count").notNull().default(1),
    outcome: text("outcome").$type<TaskOutcome>(),
    note: text("note"),
    completedBy: uuid("completed_by").references(() => users.id, { onDelete: "set null" }),
    completedAt: pagedTime("completed_at"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("cs_tasks_open_rule_idx")
      .on(t.accountId, t.ruleKey, t.subject)
      .where(sql`${t.status} = 'open' and ${t.ruleKey} is not null`),
    index("cs_tasks_assignee_due_idx")
      .on(t.assigneeId, t.dueAt, t.id)
      .where(sql`${t.status} = 'open'`),
    index("cs_tasks_queue_due_idx")
      .on(t.dueAt, t.id)
      .where(sql`${t.status} = 'open' and ${t.assigneeId} is null`),
    index("cs_tasks_open_due_idx")
      .on(t.dueAt, t.id)
      .where(sql`${t.status} = 'open'`),
    index("cs_tasks_account_idx").on(t.accountId, t.createdAt, t.id),
    /** The "done" list: most recently completed first. */
    index("cs_tasks_done_idx")
      .on(t.completedAt.desc(), t.id.desc())
      .where(sql`${t.status} = 'done'`),
    check("cs_tasks_status_check", sql`${t.status} in ('open', 'done')`),
    check(
      "cs_tasks_outcome_check",
      sql`${t.outcome} is null or ${t.outcome} in ('called', 'emailed', 'no_answer', 'not_needed')`,
    ),
  ],
);

/**
 * Whether staff reached out to a trial before it converted or expired (issue 16 item 4), so issue
 * 17 can compare trial→paid conversion assisted vs unassisted. Written once, at the first outreach.
 */
export const trialOutreach = pgTable("trial_outreach", {
  trialId: uuid("trial_id")
    .primaryKey()
    .references(() => trials.id, { onDelete: "cascade" }),
  firstContactAt: timestamp("first_contact_at", { withTimezone: true }).notNull(),
  staffId: uuid("staff_id").references(() => users.id, { onDelete: "set null" }),
  /** The task's outcome ("called", "emailed") or "note". */
  via: text("via").notNull(),
  /** True when it happened while the trial was active (before conversion or expiry). */
  beforeOutcome: boolean("before_outcome").notNull(),
});

/**
 * Intent signals from signed-in customers (pricing or billing page viewed, upgrade preview opened,
 * checkout opened): counted per account and kind, for the PQL score and expansion rules.
 */
export const accountSignals = pgTable(
  "account_signals",
  {
    accountId: uuid("account_id")
      .notNull()
      .references(() => organisations.id, { onDelete: "cascade" }),
    kind: text("kind").$type<"pricing_viewed" | "billing_viewed" | "upgrade_preview" | "checkout_opened">().notNull(),
    count: integer("count").notNull().default(0),
    firstAt: timestamp("first_at", { withTimezone: true }).notNull().defaultNow(),
    lastAt: timestamp("last_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.kind] })],
);

/** Staff who do not want the daily digest email (opt-out; everyone with tasks gets it otherwise). */
export const staffDigestOptOuts = pgTable("staff_digest_opt_outs", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  optedOutAt: timestamp("opted_out_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Which digest went out to whom for which day (UTC), so a re-run sends nothing twice. */
export const staffDigests = pgTable(
  "staff_digests",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    day: date("day", { mode: "string" }).notNull(),
    sentAt: timestamp("sent_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.day] })],
);
