ALTER TABLE "plans" ADD COLUMN "stripe_product_id" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "charged_at_checkout" integer;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "first_charge_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "first_charge_amount" integer;--> statement-breakpoint
ALTER TABLE "outgoing_emails" ADD COLUMN "dedupe_key" text;--> statement-breakpoint
CREATE UNIQUE INDEX "outgoing_emails_dedupe_key_idx" ON "outgoing_emails" USING btree ("dedupe_key");