ALTER TABLE "trials" ADD COLUMN "clock_started_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "trials_clock_started_idx" ON "trials" USING btree ("clock_started_at","id") WHERE "trials"."status" = 'active' and "trials"."clock_started_at" is not null;--> statement-breakpoint
-- Trials already counting: their clock started at the start, or length_days before their end when the
-- setup made them wait (an extension makes that later than the truth, which only delays the emails).
UPDATE "trials" SET "clock_started_at" = greatest("started_at", "ends_at" - coalesce("length_days", 0) * interval '1 day') WHERE "ends_at" IS NOT NULL;
