CREATE TABLE "activation_milestones" (
	"instance_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"milestone_key" text NOT NULL,
	"reached_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "activation_milestones_instance_id_milestone_key_pk" PRIMARY KEY("instance_id","milestone_key")
);
--> statement-breakpoint
CREATE TABLE "email_unsubscribes" (
	"user_id" uuid NOT NULL,
	"list" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "email_unsubscribes_user_id_list_pk" PRIMARY KEY("user_id","list")
);
--> statement-breakpoint
CREATE TABLE "usage_daily" (
	"instance_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"day" date NOT NULL,
	"active_users" integer NOT NULL,
	"events" integer NOT NULL,
	"seats_in_use" integer NOT NULL,
	CONSTRAINT "usage_daily_instance_id_day_pk" PRIMARY KEY("instance_id","day")
);
--> statement-breakpoint
CREATE TABLE "usage_daily_events" (
	"instance_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"day" date NOT NULL,
	"event" text NOT NULL,
	"count" integer NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	CONSTRAINT "usage_daily_events_instance_id_day_event_pk" PRIMARY KEY("instance_id","day","event")
);
--> statement-breakpoint
CREATE TABLE "usage_daily_users" (
	"instance_id" uuid NOT NULL,
	"day" date NOT NULL,
	"user_id" text NOT NULL,
	CONSTRAINT "usage_daily_users_instance_id_day_user_id_pk" PRIMARY KEY("instance_id","day","user_id")
);
--> statement-breakpoint
CREATE TABLE "usage_events" (
	"instance_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"message_id" text NOT NULL,
	"type" text NOT NULL,
	"event" text,
	"user_id" text,
	"anonymous_id" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"properties" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"backfill" boolean DEFAULT false NOT NULL,
	"tx_id" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	CONSTRAINT "usage_events_type_check" CHECK ("usage_events"."type" in ('track', 'identify', 'group'))
) PARTITION BY RANGE ("occurred_at");
--> statement-breakpoint
CREATE TABLE "usage_ingest_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"instance_id" uuid NOT NULL,
	"key_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"created_by_type" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "usage_ingest_keys_key_hash_unique" UNIQUE("key_hash"),
	CONSTRAINT "usage_ingest_keys_created_by_type_check" CHECK ("usage_ingest_keys"."created_by_type" in ('system', 'staff', 'user'))
);
--> statement-breakpoint
CREATE TABLE "usage_instance_traits" (
	"instance_id" uuid PRIMARY KEY NOT NULL,
	"traits" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"as_of" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "usage_message_ids" (
	"instance_id" uuid NOT NULL,
	"message_id" text NOT NULL,
	"month" date NOT NULL,
	CONSTRAINT "usage_message_ids_instance_id_message_id_pk" PRIMARY KEY("instance_id","message_id")
);
--> statement-breakpoint
CREATE TABLE "usage_rollup_state" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"through_tx_id" "xid8" NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_rollup_state_one_row_check" CHECK ("usage_rollup_state"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "usage_settings" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"retention_months" integer DEFAULT 13 NOT NULL,
	"late_days" integer DEFAULT 35 NOT NULL,
	CONSTRAINT "usage_settings_one_row_check" CHECK ("usage_settings"."id" = 1),
	CONSTRAINT "usage_settings_retention_check" CHECK ("usage_settings"."retention_months" between 2 and 120)
);
--> statement-breakpoint
CREATE TABLE "usage_users" (
	"instance_id" uuid NOT NULL,
	"user_id" text NOT NULL,
	"traits" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	CONSTRAINT "usage_users_instance_id_user_id_pk" PRIMARY KEY("instance_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "plans" ADD COLUMN "milestones" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "demo_tenants" ADD COLUMN "workspace" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "demo_tenants" ADD COLUMN "ingest_key" text;--> statement-breakpoint
ALTER TABLE "outgoing_emails" ADD COLUMN "list_unsubscribe" text;--> statement-breakpoint
ALTER TABLE "activation_milestones" ADD CONSTRAINT "activation_milestones_instance_id_service_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."service_instances"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activation_milestones" ADD CONSTRAINT "activation_milestones_account_id_organisations_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "email_unsubscribes" ADD CONSTRAINT "email_unsubscribes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_ingest_keys" ADD CONSTRAINT "usage_ingest_keys_instance_id_service_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."service_instances"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_ingest_keys" ADD CONSTRAINT "usage_ingest_keys_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "activation_milestones_account_idx" ON "activation_milestones" USING btree ("account_id","reached_at");--> statement-breakpoint
CREATE INDEX "usage_daily_account_idx" ON "usage_daily" USING btree ("account_id","day");--> statement-breakpoint
CREATE INDEX "usage_daily_events_account_idx" ON "usage_daily_events" USING btree ("account_id","day");--> statement-breakpoint
CREATE INDEX "usage_events_instance_idx" ON "usage_events" USING btree ("instance_id","occurred_at");--> statement-breakpoint
CREATE INDEX "usage_events_tx_idx" ON "usage_events" USING btree ("tx_id");--> statement-breakpoint
CREATE UNIQUE INDEX "usage_ingest_keys_one_active_idx" ON "usage_ingest_keys" USING btree ("instance_id") WHERE "usage_ingest_keys"."revoked_at" is null;--> statement-breakpoint
CREATE INDEX "usage_message_ids_month_idx" ON "usage_message_ids" USING btree ("month");;--> statement-breakpoint
-- One partition per UTC month, named usage_events_yYYYYmMM; creating one that exists does nothing.
-- The usage_partitions job calls it daily for the retention window and two months ahead (ADR 21).
CREATE FUNCTION "usage_ensure_partitions"(first_month date, last_month date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  month date := date_trunc('month', first_month)::date;
  created integer := 0;
  name text;
BEGIN
  WHILE month <= last_month LOOP
    name := format('usage_events_y%sm%s', to_char(month, 'YYYY'), to_char(month, 'MM'));
    IF to_regclass(format('public.%I', name)) IS NULL THEN
      EXECUTE format(
        'CREATE TABLE %I PARTITION OF usage_events FOR VALUES FROM (%L) TO (%L)',
        name, (month::timestamp AT TIME ZONE 'UTC'), ((month + interval '1 month')::timestamp AT TIME ZONE 'UTC'));
      created := created + 1;
    END IF;
    month := (month + interval '1 month')::date;
  END LOOP;
  RETURN created;
END $$;--> statement-breakpoint
SELECT "usage_ensure_partitions"(
  (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '13 months')::date,
  (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '2 months')::date);--> statement-breakpoint
INSERT INTO "usage_settings" ("id") VALUES (1);--> statement-breakpoint
INSERT INTO "usage_rollup_state" ("id", "through_tx_id") VALUES (1, pg_snapshot_xmin(pg_current_snapshot()));
