ALTER TABLE "prices" ADD COLUMN "stripe_price_id" text;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "stripe_product_id" text;