/**
 * MRR movements, month by month, by account (docs/metrics.md, ADR 24): what an account's month was
 * (new, reactivation, expansion, contraction, churn) from its MRR at the month's start and end,
 * and the month's figures from all its accounts. Pure: the rollups feed it, the tests check it.
 * Amounts are minor units of the reporting currency.
 */

import type { ChurnKind, Movement } from "#db/schema";
import { addMonths } from "./months";

export type { ChurnKind, Movement };

/** A paying customer who returns within this many days of churning is a reactivation, else new. */
export const REACTIVATION_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

/** One account's month, as its ledger tells it. */
export type AccountMonth = {
  startMrr: number;
  endMrr: number;
  /** When it last went from paying to 0 before this month, if ever. */
  lastChurnedAt: Date | null;
  /** When it first paid again in this month (its MRR rose from 0), if it did. */
  returnedAt: Date | null;
  /** What took it to 0, when it ends the month at 0 after paying. */
  churnKind: ChurnKind | null;
};

/**
 * The account's movement in the month and its size (always positive): start and end compared, so
 * a subscription that started and ended within the month counts as neither, and the MRR bridge
 * closes. A return from 0 within `windowDays` of the last churn is a reactivation.
 */
export function movementOf(
  month: AccountMonth,
  windowDays = REACTIVATION_DAYS,
): { movement: Movement; amount: number } | null {
  const { startMrr, endMrr } = month;
  if (startMrr === endMrr) return null;
  if (startMrr === 0) {
    const back =
      month.lastChurnedAt &&
      month.returnedAt &&
      month.returnedAt.getTime() - month.lastChurnedAt.getTime() <= windowDays * DAY_MS;
    return { movement: back ? "reactivation" : "new", amount: endMrr };
  }
  if (endMrr === 0) return { movement: "churn", amount: startMrr };
  return endMrr > startMrr
    ? { movement: "expansion", amount: endMrr - startMrr }
    : { movement: "contraction", amount: startMrr - endMrr };
}

/** A month's totals over its accounts: MRR at both ends, each movement's MRR and accounts. */
export type MonthTotals = {
  startMrr: number;
  endMrr: number;
  customersStart: number;
  customersEnd: number;
  mrr: Record<Movement, number>;
  accounts: Record<Movement, number>;
  churnedMrrByKind: Record<ChurnKind, number>;
};

/** A month's totals with nothing in them (a month nobody paid in). */
export function emptyTotals(): MonthTotals {
  return {
    startMrr: 0,
    endMrr: 0,
    customersStart: 0,
    customersEnd: 0,
    mrr: { new: 0, reactivation: 0, expansion: 0, contraction: 0, churn: 0 },
    accounts: { new: 0, reactivation: 0, expansion: 0, contraction: 0, churn: 0 },
    churnedMrrByKind: { voluntary: 0, payment_failure: 0 },
  };
}

/** Sums accounts' months into the month's totals. */
export function monthTotals(months: AccountMonth[], windowDays = REACTIVATION_DAYS): MonthTotals {
  const totals = emptyTotals();
  for (const month of months) {
    totals.startMrr += month.startMrr;
    totals.endMrr += month.endMrr;
    if (month.startMrr > 0) totals.customersStart += 1;
    if (month.endMrr > 0) totals.customersEnd += 1;
    const moved = movementOf(month, windowDays);
    if (!moved) continue;
    totals.mrr[moved.movement] += moved.amount;
    totals.accounts[moved.movement] += 1;
    if (moved.movement === "churn") totals.churnedMrrByKind[month.churnKind ?? "voluntary"] += moved.amount;
  }
  return totals;
}

/** The figures people read off a month's totals (docs/metrics.md); a ratio with nothing to divide by is null. */
export function monthFigures(t: MonthTotals) {
  const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
  const lost = t.mrr.contraction + t.mrr.churn;
  return {
    mrr: t.endMrr,
    arr: t.endMrr * 12,
    customers: t.customersEnd,
    arpa: ratio(t.endMrr, t.customersEnd),
    logoChurn: ratio(t.accounts.churn, t.customersStart),
    revenueChurn: ratio(lost, t.startMrr),
    netRevenueRetention: ratio(t.startMrr + t.mrr.expansion - lost, t.startMrr),
    grossRevenueRetention: ratio(t.startMrr - lost, t.startMrr),
    quickRatio: ratio(t.mrr.new + t.mrr.reactivation + t.mrr.expansion, lost),
    /** start + new + reactivation + expansion − contraction − churn; equals `mrr` by construction. */
    bridgeEnd: t.startMrr + t.mrr.new + t.mrr.reactivation + t.mrr.expansion - lost,
  };
}

/** What `accountMonths` reads of an account's ledger rows: amounts in the reporting currency. */
export type LedgerEntry = {
  subscriptionId: string;
  occurredAt: Date;
  mrrAfter: number;
  change: string;
  status: string;
  /** A cancellation's reason as Stripe gave it (`cancellation_details.reason`), else null. */
  reason?: string | null;
};

/**
 * Payment-failure churn: Stripe stopped retrying and marked the subscription `unpaid`, or cancelled
 * it for `payment_failed` (the dunning setting "cancel the subscription"); any other end is voluntary.
 */
export function churnKindOf(entry: Pick<LedgerEntry, "change" | "status" | "reason">): ChurnKind {
  const failed =
    (entry.change === "status" && entry.status === "unpaid") ||
    (entry.change === "cancellation" && entry.reason === "payment_failed");
  return failed ? "payment_failure" : "voluntary";
}

/** The first day of `at`'s UTC month, `YYYY-MM-01`. */
export function monthOf(at: Date): string {
  return `${at.toISOString().slice(0, 7)}-01`;
}

/** The UTC start of the month after `month` (`YYYY-MM-01`). */
const nextMonthStart = (month: string) => new Date(`${addMonths(month, 1)}T00:00:00Z`);

/**
 * An account's months from its first ledger row's month to `until`'s, replaying its rows (any
 * order in; applied by time): each month's MRR at its start and end, the last churn before it, its
 * first return from 0 and, for a month that ends a churn, its kind (payment failure when the row
 * that took the account to 0 was Stripe giving up on a payment, `churnKindOf`). Keyed by `YYYY-MM-01`.
 */
export function accountMonths(entries: LedgerEntry[], until: Date): Map<string, AccountMonth> {
  const months = new Map<string, AccountMonth>();
  const sorted = [...entries].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  if (!sorted.length) return months;
  const bySubscription = new Map<string, number>();
  let mrr = 0;
  let lastChurnedAt: Date | null = null;
  let churnKind: ChurnKind | null = null;
  let next = 0;
  for (let month = monthOf(sorted[0]!.occurredAt); month <= monthOf(until);) {
    const end = nextMonthStart(month);
    const startMrr = mrr;
    const churnedBefore = lastChurnedAt;
    let returnedAt: Date | null = null;
    for (; next < sorted.length && sorted[next]!.occurredAt < end; next += 1) {
      const entry = sorted[next]!;
      const was = mrr;
      mrr += entry.mrrAfter - (bySubscription.get(entry.subscriptionId) ?? 0);
      bySubscription.set(entry.subscriptionId, entry.mrrAfter);
      if (was === 0 && mrr > 0 && !returnedAt) returnedAt = entry.occurredAt;
      if (was > 0 && mrr === 0) {
        lastChurnedAt = entry.occurredAt;
        churnKind = churnKindOf(entry);
      }
    }
    months.set(month, {
      startMrr,
      endMrr: mrr,
      lastChurnedAt: churnedBefore,
      returnedAt,
      churnKind: startMrr > 0 && mrr === 0 ? churnKind : null,
    });
    month = monthOf(end);
  }
  return months;
}
