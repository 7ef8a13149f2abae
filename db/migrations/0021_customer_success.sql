CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE TABLE "account_signals" (
	"account_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	"first_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "account_signals_account_id_kind_pk" PRIMARY KEY("account_id","kind")
);
--> statement-breakpoint
CREATE TABLE "account_success" (
	"account_id" uuid PRIMARY KEY NOT NULL,
	"assigned_staff_id" uuid,
	"stage" text DEFAULT 'prospect' NOT NULL,
	"stage_day" integer,
	"health_score" smallint,
	"health_band" text,
	"health_profile" text,
	"health_change_7d" smallint,
	"health_change_30d" smallint,
	"health_dropped_at" timestamp with time zone,
	"pql_score" smallint,
	"pql_reasons" jsonb,
	"mrr_minor" bigint DEFAULT 0 NOT NULL,
	"currency" text,
	"plan_slugs" text[] DEFAULT '{}'::text[] NOT NULL,
	"trial_ends_at" timestamp with time zone,
	"attention" smallint DEFAULT 500 NOT NULL,
	"search" text DEFAULT '' NOT NULL,
	"computed_at" timestamp with time zone,
	CONSTRAINT "account_success_stage_check" CHECK ("account_success"."stage" in ('prospect', 'trial', 'onboarding', 'adopted', 'at_risk', 'churned')),
	CONSTRAINT "account_success_band_check" CHECK ("account_success"."health_band" is null or "account_success"."health_band" in ('red', 'yellow', 'green'))
);
--> statement-breakpoint
CREATE TABLE "cs_tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"account_id" uuid NOT NULL,
	"rule_key" text,
	"subject" text DEFAULT '' NOT NULL,
	"trial_id" uuid,
	"title" text NOT NULL,
	"reason" text NOT NULL,
	"link" text NOT NULL,
	"assignee_id" uuid,
	"status" text DEFAULT 'open' NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"snoozed_at" timestamp with time zone,
	"fire_count" integer DEFAULT 1 NOT NULL,
	"outcome" text,
	"note" text,
	"completed_by" uuid,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cs_tasks_status_check" CHECK ("cs_tasks"."status" in ('open', 'done')),
	CONSTRAINT "cs_tasks_outcome_check" CHECK ("cs_tasks"."outcome" is null or "cs_tasks"."outcome" in ('called', 'emailed', 'no_answer', 'not_needed'))
);
--> statement-breakpoint
CREATE TABLE "health_overrides" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"account_id" uuid NOT NULL,
	"band" text NOT NULL,
	"reason" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"cleared_at" timestamp with time zone,
	"cleared_by" uuid,
	CONSTRAINT "health_overrides_band_check" CHECK ("health_overrides"."band" in ('red', 'yellow', 'green'))
);
--> statement-breakpoint
CREATE TABLE "health_snapshots" (
	"account_id" uuid NOT NULL,
	"day" date NOT NULL,
	"score" smallint NOT NULL,
	"band" text NOT NULL,
	"profile" text NOT NULL,
	"computed_score" smallint NOT NULL,
	"measures" jsonb NOT NULL,
	"weights_version" integer NOT NULL,
	"override_id" uuid,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "health_snapshots_account_id_day_pk" PRIMARY KEY("account_id","day")
);
--> statement-breakpoint
CREATE TABLE "health_weight_versions" (
	"version" serial PRIMARY KEY NOT NULL,
	"weights" jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reason" text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "playbook_rules" (
	"key" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"trigger" text NOT NULL,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"task_title" text NOT NULL,
	"due_days" integer DEFAULT 0 NOT NULL,
	"assign_to" text DEFAULT 'assigned' NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "playbook_rules_assign_check" CHECK ("playbook_rules"."assign_to" in ('assigned', 'queue'))
);
--> statement-breakpoint
CREATE TABLE "playbook_states" (
	"account_id" uuid NOT NULL,
	"rule_key" text NOT NULL,
	"subject" text DEFAULT '' NOT NULL,
	"in_state" boolean NOT NULL,
	"entered_at" timestamp with time zone,
	"left_at" timestamp with time zone,
	CONSTRAINT "playbook_states_account_id_rule_key_subject_pk" PRIMARY KEY("account_id","rule_key","subject")
);
--> statement-breakpoint
CREATE TABLE "staff_digest_opt_outs" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"opted_out_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "staff_digests" (
	"user_id" uuid NOT NULL,
	"day" date NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "staff_digests_user_id_day_pk" PRIMARY KEY("user_id","day")
);
--> statement-breakpoint
CREATE TABLE "staff_notes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"account_id" uuid NOT NULL,
	"author_id" uuid,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "trial_outreach" (
	"trial_id" uuid PRIMARY KEY NOT NULL,
	"first_contact_at" timestamp with time zone NOT NULL,
	"staff_id" uuid,
	"via" text NOT NULL,
	"before_outcome" boolean NOT NULL
);
--> statement-breakpoint
ALTER TABLE "account_signals" ADD CONSTRAINT "account_signals_account_id_organisations_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_success" ADD CONSTRAINT "account_success_account_id_organisations_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_success" ADD CONSTRAINT "account_success_assigned_staff_id_users_id_fk" FOREIGN KEY ("assigned_staff_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cs_tasks" ADD CONSTRAINT "cs_tasks_account_id_organisations_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cs_tasks" ADD CONSTRAINT "cs_tasks_rule_key_playbook_rules_key_fk" FOREIGN KEY ("rule_key") REFERENCES "public"."playbook_rules"("key") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cs_tasks" ADD CONSTRAINT "cs_tasks_trial_id_trials_id_fk" FOREIGN KEY ("trial_id") REFERENCES "public"."trials"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cs_tasks" ADD CONSTRAINT "cs_tasks_assignee_id_users_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cs_tasks" ADD CONSTRAINT "cs_tasks_completed_by_users_id_fk" FOREIGN KEY ("completed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "health_overrides" ADD CONSTRAINT "health_overrides_account_id_organisations_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "health_overrides" ADD CONSTRAINT "health_overrides_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "health_overrides" ADD CONSTRAINT "health_overrides_cleared_by_users_id_fk" FOREIGN KEY ("cleared_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "health_snapshots" ADD CONSTRAINT "health_snapshots_account_id_organisations_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "health_weight_versions" ADD CONSTRAINT "health_weight_versions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "playbook_rules" ADD CONSTRAINT "playbook_rules_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "playbook_states" ADD CONSTRAINT "playbook_states_account_id_organisations_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "playbook_states" ADD CONSTRAINT "playbook_states_rule_key_playbook_rules_key_fk" FOREIGN KEY ("rule_key") REFERENCES "public"."playbook_rules"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_digest_opt_outs" ADD CONSTRAINT "staff_digest_opt_outs_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_digests" ADD CONSTRAINT "staff_digests_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_notes" ADD CONSTRAINT "staff_notes_account_id_organisations_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_notes" ADD CONSTRAINT "staff_notes_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trial_outreach" ADD CONSTRAINT "trial_outreach_trial_id_trials_id_fk" FOREIGN KEY ("trial_id") REFERENCES "public"."trials"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trial_outreach" ADD CONSTRAINT "trial_outreach_staff_id_users_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "account_success_attention_idx" ON "account_success" USING btree ("attention","account_id");--> statement-breakpoint
CREATE INDEX "account_success_stage_idx" ON "account_success" USING btree ("stage","attention","account_id");--> statement-breakpoint
CREATE INDEX "account_success_band_idx" ON "account_success" USING btree ("health_band","attention","account_id");--> statement-breakpoint
CREATE INDEX "account_success_assigned_idx" ON "account_success" USING btree ("assigned_staff_id","attention","account_id");--> statement-breakpoint
CREATE INDEX "account_success_trial_ends_idx" ON "account_success" USING btree ("trial_ends_at","account_id") WHERE "account_success"."trial_ends_at" is not null;--> statement-breakpoint
CREATE INDEX "account_success_pql_idx" ON "account_success" USING btree ("pql_score","account_id") WHERE "account_success"."pql_score" is not null;--> statement-breakpoint
CREATE INDEX "account_success_dropped_idx" ON "account_success" USING btree ("health_dropped_at","account_id") WHERE "account_success"."health_dropped_at" is not null;--> statement-breakpoint
CREATE INDEX "account_success_plans_idx" ON "account_success" USING gin ("plan_slugs");--> statement-breakpoint
CREATE INDEX "account_success_search_idx" ON "account_success" USING gin ("search" gin_trgm_ops);--> statement-breakpoint
CREATE UNIQUE INDEX "cs_tasks_open_rule_idx" ON "cs_tasks" USING btree ("account_id","rule_key","subject") WHERE "cs_tasks"."status" = 'open' and "cs_tasks"."rule_key" is not null;--> statement-breakpoint
CREATE INDEX "cs_tasks_assignee_due_idx" ON "cs_tasks" USING btree ("assignee_id","due_at","id") WHERE "cs_tasks"."status" = 'open';--> statement-breakpoint
CREATE INDEX "cs_tasks_queue_due_idx" ON "cs_tasks" USING btree ("due_at","id") WHERE "cs_tasks"."status" = 'open' and "cs_tasks"."assignee_id" is null;--> statement-breakpoint
CREATE INDEX "cs_tasks_open_due_idx" ON "cs_tasks" USING btree ("due_at","id") WHERE "cs_tasks"."status" = 'open';--> statement-breakpoint
CREATE INDEX "cs_tasks_account_idx" ON "cs_tasks" USING btree ("account_id","created_at","id");--> statement-breakpoint
CREATE INDEX "health_overrides_account_idx" ON "health_overrides" USING btree ("account_id","created_at");--> statement-breakpoint
CREATE INDEX "staff_notes_account_idx" ON "staff_notes" USING btree ("account_id","created_at","id");--> statement-breakpoint
-- Every organisation has its success row from the start, so the portfolio (which reads only this
-- table) lists accounts the health job has not scored yet.
CREATE FUNCTION account_success_for_organisation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO account_success (account_id, search) VALUES (NEW.id, lower(NEW.name)) ON CONFLICT DO NOTHING;
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER organisations_account_success AFTER INSERT ON organisations
  FOR EACH ROW EXECUTE FUNCTION account_success_for_organisation();--> statement-breakpoint
INSERT INTO account_success (account_id, search) SELECT id, lower(name) FROM organisations ON CONFLICT DO NOTHING;
--> statement-breakpoint
CREATE INDEX "cs_tasks_done_idx" ON "cs_tasks" USING btree ("completed_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "cs_tasks"."status" = 'done';--> statement-breakpoint
-- The preloaded 30-60-90 playbook (app/modules/success/playbook-template.ts, which a test holds this
-- to); admins edit the rows afterwards, so a re-run never overwrites them.
INSERT INTO playbook_rules (key, name, trigger, params, task_title, due_days, assign_to, position) VALUES
  ('trial-welcome', 'Trial day 1: welcome', 'trial_started', '{"day":1,"manualSetup":false}'::jsonb, 'Send the new trial a welcome email.', 0, 'assigned', 10),
  ('trial-welcome-call', 'Trial day 1: welcome call for plans that staff set up', 'trial_started', '{"day":1,"manualSetup":true}'::jsonb, 'Call the new trial to welcome them and plan the setup.', 0, 'assigned', 20),
  ('trial-no-milestone', 'Trial day 3 with no milestone', 'trial_no_milestone', '{"day":3}'::jsonb, 'Help the trial reach its first milestone.', 1, 'assigned', 30),
  ('trial-ready-to-buy', 'Trial ending soon and well activated', 'trial_ending_activated', '{"daysBefore":3,"activationPercent":60}'::jsonb, 'Call the trial: it is ready to buy.', 0, 'assigned', 40),
  ('first-payment', 'First payment: onboarding call', 'first_payment', '{}'::jsonb, 'Book the onboarding call.', 2, 'assigned', 50),
  ('day-30', 'Day 30 check-in', 'service_day', '{"day":30}'::jsonb, 'Check in with the customer at day 30.', 2, 'assigned', 60),
  ('day-60', 'Day 60 check-in', 'service_day', '{"day":60}'::jsonb, 'Check in with the customer at day 60.', 2, 'assigned', 70),
  ('day-90', 'Day 90 check-in', 'service_day', '{"day":90}'::jsonb, 'Check in with the customer at day 90.', 2, 'assigned', 80),
  ('inactive', 'No active user for 7 days', 'inactive', '{"days":7}'::jsonb, 'Find out why no one is using the product.', 1, 'assigned', 90),
  ('setup-stuck', 'Setup failed or waiting on the customer', 'setup_stuck', '{"waitingDays":2}'::jsonb, 'Help the customer get the setup finished.', 0, 'queue', 100),
  ('payment-failing', 'Payment failing', 'payment_failing', '{}'::jsonb, 'Help the customer fix the failing payment.', 1, 'assigned', 110),
  ('seats-unused', 'Users bought mostly unused after 60 days', 'seats_unused', '{"afterDays":60,"usedPercent":50}'::jsonb, 'Help the customer get their unused users started.', 3, 'assigned', 120),
  ('annual-renewal', 'Annual plan renews in 60 days', 'annual_renewal', '{"daysBefore":60}'::jsonb, 'Prepare the annual renewal with the customer.', 7, 'assigned', 130),
  ('expansion', 'Near a plan limit or looking at upgrades', 'expansion', '{"limitPercent":80,"previewDays":7}'::jsonb, 'Talk to the customer about a larger plan.', 2, 'assigned', 140)
ON CONFLICT (key) DO NOTHING;--> statement-breakpoint
-- The staff lists' filters (issue 16's bench, 1,000,000 requests and 300,000 leads): each filter reads
-- its keyset page in list order from an index instead of sorting or scanning every match.
CREATE INDEX "provisioning_requests_operation_queue_idx" ON "provisioning_requests" USING btree ("operation","queue_rank","sla_due_at","id");--> statement-breakpoint
CREATE INDEX "provisioning_requests_plan_queue_idx" ON "provisioning_requests" USING btree (("snapshot"->>'planSlug'),"queue_rank","sla_due_at","id");--> statement-breakpoint
CREATE INDEX "leads_verdict_plan_created_idx" ON "leads" USING btree ("verdict","plan_slug","created_at","id");--> statement-breakpoint
-- Staff home and portfolio (issue 16 items 5 and 6): each count and list the home shows reads an index.
CREATE INDEX "orders_pending_approval_idx" ON "orders" USING btree ("paid_at") WHERE "orders"."status" = 'pending_approval';--> statement-breakpoint
CREATE INDEX "subscriptions_failing_idx" ON "subscriptions" USING btree ("payment_failed_at","account_id") WHERE "subscriptions"."payment_failed_at" is not null or "subscriptions"."status" in ('past_due', 'unpaid');--> statement-breakpoint
CREATE INDEX "organisations_created_idx" ON "organisations" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "leads_contact_created_idx" ON "leads" USING btree ("created_at","id") WHERE "leads"."contact_requested_at" is not null;--> statement-breakpoint
CREATE INDEX "contact_requests_created_idx" ON "contact_requests" USING btree ("created_at","id");--> statement-breakpoint
-- The staff list (the assignment form on every account page) without reading every customer.
CREATE INDEX "users_staff_idx" ON "users" USING btree ("name","id") WHERE "users"."staff_role" is not null;--> statement-breakpoint
INSERT INTO account_success (account_id, search) SELECT id, lower(name) FROM organisations ON CONFLICT DO NOTHING;--> statement-breakpoint
-- The health job reads each account's latest trial for a batch of accounts (facts.server.ts).
CREATE INDEX "trials_account_idx" ON "trials" USING btree ("account_id","started_at");
