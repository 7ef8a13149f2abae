DROP INDEX "mrr_account_months_month_idx";--> statement-breakpoint
ALTER TABLE "subscription_ledger" ADD COLUMN "reason" text;--> statement-breakpoint
CREATE INDEX "trials_started_idx" ON "trials" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "mrr_account_months_movement_idx" ON "mrr_account_months" USING btree ("month","movement","amount" DESC NULLS LAST,"account_id");--> statement-breakpoint
CREATE INDEX "mrr_account_months_paying_idx" ON "mrr_account_months" USING btree ("month","end_mrr" DESC NULLS LAST,"account_id");--> statement-breakpoint
CREATE INDEX "mrr_account_months_cohort_idx" ON "mrr_account_months" USING btree ("cohort_month","month","end_mrr" DESC NULLS LAST,"account_id");