CREATE TABLE "price_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"price_id" uuid NOT NULL,
	"stripe_price_id" text NOT NULL,
	"unit_amount" integer NOT NULL,
	"currency" char(3) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "price_versions_stripe_price_id_unique" UNIQUE("stripe_price_id")
);
--> statement-breakpoint
ALTER TABLE "price_versions" ADD CONSTRAINT "price_versions_price_id_prices_id_fk" FOREIGN KEY ("price_id") REFERENCES "public"."prices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "price_versions_one_current_idx" ON "price_versions" USING btree ("price_id") WHERE "price_versions"."archived_at" is null;--> statement-breakpoint
-- Price history starts with the Stripe price each catalog price is synced to now; older ones are adopted by the next catalog sync.
INSERT INTO "price_versions" ("price_id", "stripe_price_id", "unit_amount", "currency") SELECT "id", "stripe_price_id", "unit_amount", "currency" FROM "prices" WHERE "stripe_price_id" IS NOT NULL;
