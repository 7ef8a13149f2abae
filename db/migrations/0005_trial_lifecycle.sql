ALTER TABLE "provisioning_requests" ADD COLUMN "sla_notified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "trials" ADD COLUMN "reminder_sent_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "trials" ADD COLUMN "expired_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "trials" ADD COLUMN "deprovision_requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "trials" ADD COLUMN "extensions" integer DEFAULT 0 NOT NULL;