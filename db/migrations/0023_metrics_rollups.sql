CREATE TABLE "mrr_account_months" (
	"account_id" uuid NOT NULL,
	"month" date NOT NULL,
	"start_mrr" bigint NOT NULL,
	"end_mrr" bigint NOT NULL,
	"movement" text,
	"amount" bigint DEFAULT 0 NOT NULL,
	"churn_kind" text,
	"cohort_month" date,
	CONSTRAINT "mrr_account_months_account_id_month_pk" PRIMARY KEY("account_id","month")
);
--> statement-breakpoint
CREATE TABLE "mrr_cohorts" (
	"cohort_month" date NOT NULL,
	"month" date NOT NULL,
	"customers" integer DEFAULT 0 NOT NULL,
	"mrr" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "mrr_cohorts_cohort_month_month_pk" PRIMARY KEY("cohort_month","month")
);
--> statement-breakpoint
CREATE TABLE "mrr_months" (
	"month" date PRIMARY KEY NOT NULL,
	"start_mrr" bigint DEFAULT 0 NOT NULL,
	"end_mrr" bigint DEFAULT 0 NOT NULL,
	"customers_start" integer DEFAULT 0 NOT NULL,
	"customers_end" integer DEFAULT 0 NOT NULL,
	"new_mrr" bigint DEFAULT 0 NOT NULL,
	"reactivation_mrr" bigint DEFAULT 0 NOT NULL,
	"expansion_mrr" bigint DEFAULT 0 NOT NULL,
	"contraction_mrr" bigint DEFAULT 0 NOT NULL,
	"churn_mrr" bigint DEFAULT 0 NOT NULL,
	"new_accounts" integer DEFAULT 0 NOT NULL,
	"reactivation_accounts" integer DEFAULT 0 NOT NULL,
	"expansion_accounts" integer DEFAULT 0 NOT NULL,
	"contraction_accounts" integer DEFAULT 0 NOT NULL,
	"churn_accounts" integer DEFAULT 0 NOT NULL,
	"voluntary_churn_mrr" bigint DEFAULT 0 NOT NULL,
	"payment_failure_churn_mrr" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "mrr_account_months" ADD CONSTRAINT "mrr_account_months_account_id_organisations_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "mrr_account_months_month_idx" ON "mrr_account_months" USING btree ("month");