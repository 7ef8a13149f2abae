CREATE TABLE "outgoing_emails" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"to" text NOT NULL,
	"subject" text NOT NULL,
	"text" text NOT NULL,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_attempt_at" timestamp with time zone,
	"last_error" text,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "outgoing_emails_unsent_idx" ON "outgoing_emails" USING btree ("queued_at") WHERE "outgoing_emails"."sent_at" is null;--> statement-breakpoint
-- Emails still queued as jobs that carry the message itself (including ones given up after 10
-- attempts) move into the table and are retried from now on: none is lost in the change.
DO $$
BEGIN
  IF to_regclass('graphile_worker._private_jobs') IS NOT NULL THEN
    UPDATE graphile_worker._private_jobs j
      SET payload = (j.payload::jsonb || jsonb_build_object('emailId', gen_random_uuid()))::json,
          attempts = 0, max_attempts = 25, run_at = now(), last_error = NULL
      FROM graphile_worker._private_tasks t
      WHERE t.id = j.task_id AND t.identifier = 'send_email' AND j.locked_at IS NULL
        AND j.payload->>'to' IS NOT NULL AND j.payload->>'emailId' IS NULL;
    INSERT INTO "outgoing_emails" ("id", "to", "subject", "text")
      SELECT (j.payload->>'emailId')::uuid, j.payload->>'to', j.payload->>'subject', j.payload->>'text'
      FROM graphile_worker._private_jobs j
      JOIN graphile_worker._private_tasks t ON t.id = j.task_id
      WHERE t.identifier = 'send_email' AND j.payload->>'emailId' IS NOT NULL
      ON CONFLICT ("id") DO NOTHING;
  END IF;
END $$;
