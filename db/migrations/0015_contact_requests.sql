CREATE TABLE "contact_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"lead_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"email" text NOT NULL,
	"message" text DEFAULT '' NOT NULL,
	"user_id" uuid
);
--> statement-breakpoint
ALTER TABLE "contact_requests" ADD CONSTRAINT "contact_requests_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_requests" ADD CONSTRAINT "contact_requests_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "contact_requests_lead_idx" ON "contact_requests" USING btree ("lead_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "contact_requests_once_idx" ON "contact_requests" USING btree ("lead_id","email",md5("message"));--> statement-breakpoint
-- Backfill: each lead's one stored request becomes its first row, dated when it was asked for.
INSERT INTO "contact_requests" ("lead_id", "created_at", "email", "message")
SELECT "id", "contact_requested_at", "contact_email", coalesce("contact_message", '')
FROM "leads"
WHERE "contact_requested_at" IS NOT NULL AND "contact_email" IS NOT NULL;--> statement-breakpoint
-- A sent request is kept as sent: no code path may rewrite one.
CREATE FUNCTION "contact_requests_keep"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'contact requests are kept as sent; add a new one instead';
END;
$$;--> statement-breakpoint
CREATE TRIGGER "contact_requests_keep" BEFORE UPDATE ON "contact_requests"
FOR EACH ROW EXECUTE FUNCTION "contact_requests_keep"();--> statement-breakpoint
ALTER TABLE "leads" DROP COLUMN "contact_email";--> statement-breakpoint
ALTER TABLE "leads" DROP COLUMN "contact_message";