CREATE TABLE "demo_tenants" (
	"instance_id" uuid PRIMARY KEY NOT NULL,
	"subdomain" text NOT NULL,
	"plan_slug" text NOT NULL,
	"limits" jsonb NOT NULL,
	"seats" integer NOT NULL,
	"status" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "demo_tenants_subdomain_unique" UNIQUE("subdomain")
);
--> statement-breakpoint
CREATE TABLE "provisioning_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"request_id" uuid NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text,
	"from_status" text,
	"to_status" text NOT NULL,
	"message" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "provisioning_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"account_id" uuid NOT NULL,
	"instance_id" uuid NOT NULL,
	"operation" text NOT NULL,
	"status" text NOT NULL,
	"provisioner" text NOT NULL,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"snapshot" jsonb NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer NOT NULL,
	"result" jsonb,
	"last_error" text,
	"waiting_reason" text,
	"claimed_by" uuid,
	"claimed_at" timestamp with time zone,
	"sla_due_at" timestamp with time zone NOT NULL,
	"idempotency_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	"queue_rank" smallint GENERATED ALWAYS AS (case status when 'waiting_staff' then 0 when 'failed' then 1 when 'queued' then 2 when 'running' then 3 when 'waiting_customer' then 4 else 5 end) STORED NOT NULL,
	CONSTRAINT "provisioning_requests_idempotency_key_unique" UNIQUE("idempotency_key"),
	CONSTRAINT "provisioning_requests_status_check" CHECK ("provisioning_requests"."status" in ('queued', 'running', 'waiting_staff', 'waiting_customer', 'succeeded', 'failed', 'cancelled')),
	CONSTRAINT "provisioning_requests_operation_check" CHECK ("provisioning_requests"."operation" in ('provision', 'modify', 'suspend', 'resume', 'deprovision'))
);
--> statement-breakpoint
CREATE TABLE "service_instances" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"account_id" uuid NOT NULL,
	"product_slug" text NOT NULL,
	"plan_slug" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"access" jsonb,
	"snapshot" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "provisioning_events" ADD CONSTRAINT "provisioning_events_request_id_provisioning_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."provisioning_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provisioning_requests" ADD CONSTRAINT "provisioning_requests_account_id_organisations_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provisioning_requests" ADD CONSTRAINT "provisioning_requests_instance_id_service_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."service_instances"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "provisioning_requests" ADD CONSTRAINT "provisioning_requests_claimed_by_users_id_fk" FOREIGN KEY ("claimed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_instances" ADD CONSTRAINT "service_instances_account_id_organisations_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "provisioning_events_request_idx" ON "provisioning_events" USING btree ("request_id","occurred_at");--> statement-breakpoint
CREATE INDEX "provisioning_requests_queue_idx" ON "provisioning_requests" USING btree ("queue_rank","sla_due_at","id");--> statement-breakpoint
CREATE INDEX "provisioning_requests_status_idx" ON "provisioning_requests" USING btree ("status","sla_due_at","id");--> statement-breakpoint
CREATE INDEX "provisioning_requests_account_idx" ON "provisioning_requests" USING btree ("account_id","created_at");--> statement-breakpoint
CREATE INDEX "service_instances_account_idx" ON "service_instances" USING btree ("account_id");