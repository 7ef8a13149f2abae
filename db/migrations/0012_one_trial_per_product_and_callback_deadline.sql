ALTER TABLE "provisioning_requests" ADD COLUMN "callback_due_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "provisioning_requests_callback_due_idx" ON "provisioning_requests" USING btree ("callback_due_at") WHERE "provisioning_requests"."status" = 'running' and "provisioning_requests"."callback_due_at" is not null;--> statement-breakpoint
CREATE TABLE "trial_grants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"account_id" uuid NOT NULL,
	"product_slug" text NOT NULL,
	"granted_by" uuid,
	"reason" text NOT NULL,
	"granted_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "trials" ADD COLUMN "grant_id" uuid;--> statement-breakpoint
ALTER TABLE "trial_grants" ADD CONSTRAINT "trial_grants_account_id_organisations_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trial_grants" ADD CONSTRAINT "trial_grants_granted_by_users_id_fk" FOREIGN KEY ("granted_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "trial_grants_account_idx" ON "trial_grants" USING btree ("account_id","product_slug");--> statement-breakpoint
ALTER TABLE "trials" ADD CONSTRAINT "trials_grant_id_trial_grants_id_fk" FOREIGN KEY ("grant_id") REFERENCES "public"."trial_grants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- Trials started before the one-trial rule: every one after an organisation's first of a product is
-- recorded as granted (by no one, with the reason), so the history stays and the index below holds.
WITH "extra" AS (
	SELECT "id", "account_id", "product_slug", "started_at",
		row_number() OVER (PARTITION BY "account_id", "product_slug" ORDER BY "started_at", "id") AS "n"
	FROM "trials"
), "granted" AS (
	INSERT INTO "trial_grants" ("id", "account_id", "product_slug", "reason", "granted_at")
	SELECT "id", "account_id", "product_slug", 'started before one trial per product was enforced', "started_at"
	FROM "extra" WHERE "n" > 1
	RETURNING "id"
)
UPDATE "trials" SET "grant_id" = "granted"."id" FROM "granted" WHERE "trials"."id" = "granted"."id";--> statement-breakpoint
CREATE UNIQUE INDEX "trials_once_per_product_idx" ON "trials" USING btree ("account_id","product_slug") WHERE "trials"."grant_id" is null;--> statement-breakpoint
ALTER TABLE "trials" ADD CONSTRAINT "trials_grant_id_unique" UNIQUE("grant_id");