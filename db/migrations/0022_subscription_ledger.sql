CREATE TABLE "subscription_ledger" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "subscription_ledger_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"subscription_id" text NOT NULL,
	"account_id" uuid NOT NULL,
	"change" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"mrr_before_minor" bigint NOT NULL,
	"mrr_after_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"reporting_before_minor" bigint NOT NULL,
	"reporting_after_minor" bigint NOT NULL,
	"reporting_currency" text NOT NULL,
	"plan_slug" text,
	"quantity" integer NOT NULL,
	"status" text NOT NULL,
	"stripe_event_id" text,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "subscription_ledger_amounts" CHECK ("subscription_ledger"."mrr_before_minor" >= 0 and "subscription_ledger"."mrr_after_minor" >= 0)
);
--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "mrr_minor" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "currency" text;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "billing_interval" text;--> statement-breakpoint
ALTER TABLE "subscription_ledger" ADD CONSTRAINT "subscription_ledger_account_id_organisations_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "subscription_ledger_subscription_idx" ON "subscription_ledger" USING btree ("subscription_id","occurred_at","id");--> statement-breakpoint
CREATE INDEX "subscription_ledger_account_idx" ON "subscription_ledger" USING btree ("account_id","occurred_at","id");--> statement-breakpoint
CREATE INDEX "subscription_ledger_occurred_idx" ON "subscription_ledger" USING btree ("occurred_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "subscription_ledger_event_idx" ON "subscription_ledger" USING btree ("subscription_id","stripe_event_id") WHERE "subscription_ledger"."stripe_event_id" is not null;