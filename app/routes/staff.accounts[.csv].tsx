import type { LoaderFunctionArgs } from "@remix-run/node";
import { stringify } from "csv-stringify/sync";
import { csvText } from "~/lib/csv";
import { requireStaff } from "~/modules/accounts/sessions.server";
import { loadCatalogWords } from "~/modules/catalog/labels.server";
import {
  changeText,
  dayText,
  mrrDecimal,
  plansText,
  stageText,
  unscoredText,
} from "~/modules/success/portfolio-format";
import { portfolioBatches, portfolioFiltersSchema } from "~/modules/success/portfolio.server";
import { bandLabels } from "~/modules/success/words";

const HEADERS = [
  "Account",
  "Owner email",
  "Stage",
  "Health",
  "Health score",
  "Change in 7 days",
  "Plans",
  "MRR",
  "Currency",
  "Assigned to",
  "Trial ends (UTC)",
];

/**
 * The portfolio as CSV (`/staff/accounts.csv?…` with the list's filters): every matching
 * account, not just a page, streamed a keyset batch at a time so a 100,000-account export never
 * sits in memory. Words, not keys (ADR 20); MRR as a decimal with its currency beside it.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const staff = await requireStaff(request, context);
  const filters = portfolioFiltersSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const { planNames } = await loadCatalogWords(context.db);
  const batches = portfolioBatches(context.db, filters, { staffId: staff.userId, now: new Date() });
  const encoder = new TextEncoder();
  let started = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        // The byte order mark tells spreadsheet programs the file is UTF-8 (names with accents).
        controller.enqueue(encoder.encode(`\uFEFF${stringify([HEADERS])}`));
        return;
      }
      const next = await batches.next();
      if (next.done) {
        controller.close();
        return;
      }
      const rows = next.value.map((account) => [
        csvText(account.name),
        csvText(account.ownerEmail ?? ""),
        stageText(account.stage, account.stageDay),
        account.healthBand ? bandLabels[account.healthBand] : unscoredText(account.stage),
        account.healthScore ?? "",
        changeText(account.healthChange7d),
        plansText(account.planSlugs, planNames),
        mrrDecimal(account.mrrMinor, account.currency),
        (account.currency ?? "").toUpperCase(),
        csvText(account.assignedName ?? "Team"),
        dayText(account.trialEndsAt),
      ]);
      controller.enqueue(encoder.encode(stringify(rows)));
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
  const day = new Date().toISOString().slice(0, 10);
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="accounts-${day}.csv"`,
      "Cache-Control": "private, no-store",
    },
  });
}
