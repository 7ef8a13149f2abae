/** What the staff home and the daily digest share about a staff member's day (see my-day.server.ts). */

/** Counts stop here: "100+" reads as well as an exact figure and never scans a large table. */
export const COUNT_CAP = 100;

/** A count that stopped at `COUNT_CAP`: `more` when there are more than `count`. */
export type CappedCount = { count: number; more: boolean };

/** "100+" when capped, else the figure. */
export function countText({ count, more }: CappedCount): string {
  return more ? `${count}+` : String(count);
}

/** Where each block's count links to: the list filtered to what the count counts. */
export const myDayLinks = {
  myTasks: "/staff/tasks?view=mine",
  queueTasks: "/staff/tasks?view=queue",
  healthDropped: "/staff/accounts?dropped=recent",
  trialsToCall: "/staff/trials/call",
  setupsWaitingStaff: "/staff/provisioning?status=waiting_staff",
  setupsWaitingCustomer: "/staff/provisioning?status=waiting_customer",
  failingPayments: "/staff/accounts?payment=failing",
  contactRequests: "/staff/leads?contact=requested",
} as const;

/** Where the staff home's digest toggle is: the digest email links here to opt out. */
export const DIGEST_SETTING_PATH = "/staff#digest";
