CREATE TABLE "trials" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"account_id" uuid NOT NULL,
	"product_slug" text NOT NULL,
	"plan_slug" text NOT NULL,
	"instance_id" uuid NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"started_by" uuid,
	CONSTRAINT "trials_status_check" CHECK ("trials"."status" in ('active', 'expired', 'converted'))
);
--> statement-breakpoint
ALTER TABLE "trials" ADD CONSTRAINT "trials_account_id_organisations_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trials" ADD CONSTRAINT "trials_instance_id_service_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."service_instances"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trials" ADD CONSTRAINT "trials_started_by_users_id_fk" FOREIGN KEY ("started_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "trials_one_active_idx" ON "trials" USING btree ("account_id","product_slug") WHERE "trials"."status" = 'active';--> statement-breakpoint
CREATE INDEX "trials_ends_idx" ON "trials" USING btree ("status","ends_at");