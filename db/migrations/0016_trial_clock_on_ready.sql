ALTER TABLE "provisioning_requests" drop column "queue_rank";--> statement-breakpoint
ALTER TABLE "provisioning_requests" ADD COLUMN "queue_rank" smallint GENERATED ALWAYS AS (case when status = 'waiting_staff' and operation = 'provision' and idempotency_key like 'trial:%' then 0 when status = 'waiting_staff' then 1 when status = 'failed' then 2 when status = 'queued' then 3 when status = 'running' then 4 when status = 'waiting_customer' then 5 else 6 end) STORED NOT NULL;--> statement-breakpoint
-- Dropping the column dropped its index: the queue's keyset order needs it back.
CREATE INDEX "provisioning_requests_queue_idx" ON "provisioning_requests" USING btree ("queue_rank","sla_due_at","id");--> statement-breakpoint
ALTER TABLE "trials" ALTER COLUMN "ends_at" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "trials" ADD COLUMN "length_days" integer;--> statement-breakpoint
CREATE INDEX "trials_instance_idx" ON "trials" USING btree ("instance_id");--> statement-breakpoint
ALTER TABLE "trials" ADD CONSTRAINT "trials_end_known_check" CHECK ("trials"."ends_at" is not null or "trials"."length_days" is not null);