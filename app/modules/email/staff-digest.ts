/**
 * The daily digest a staff member gets (issue 16 item 5): the same summary as the staff home, in
 * plain text with a link to each filtered list, and the link to opt out (the home page's toggle).
 */
import { longDate } from "~/lib/dates";
import { SITE_NAME } from "~/lib/site";
import { countText, DIGEST_SETTING_PATH, myDayLinks, type CappedCount } from "~/modules/success/my-day";
import { signature } from "./templates";

type Item = { accountName: string; title: string; dueAt: Date; overdue: boolean };

/** What the digest says; the counts are `myDay`'s (capped), the tasks its first items. */
export type DigestSummary = {
  myTasks: { count: CappedCount; items: Item[] };
  queueTasks: { count: CappedCount };
  healthDropped: { count: CappedCount };
  trialsToCall: { count: CappedCount };
  setupsWaitingStaff: { count: CappedCount };
  setupsWaitingCustomer: { count: CappedCount };
  failingPayments: { count: CappedCount };
  contactRequests: { count: CappedCount };
};

const plural = (count: CappedCount, one: string, many: string) =>
  `${countText(count)} ${count.count === 1 && !count.more ? one : many}`;

/** The digest email for `name` on `day` (UTC), links absolute under `appUrl`. */
export function staffDigestMessage(name: string, day: Date, summary: DigestSummary, appUrl: string) {
  const link = (path: string) => `${appUrl}${path}`;
  const tasks = summary.myTasks.items
    .map(
      (task) =>
        `  - ${task.accountName}: ${task.title} (${task.overdue ? `overdue since ${longDate(task.dueAt)}` : "due today"})`,
    )
    .join("\n");
  const lines = [
    `Your tasks due today or overdue: ${countText(summary.myTasks.count)}\n${tasks}\n  ${link(myDayLinks.myTasks)}`,
    `The team's queue, due today or overdue: ${plural(summary.queueTasks.count, "task", "tasks")}: ${link(myDayLinks.queueTasks)}`,
    `Accounts whose health dropped this week: ${countText(summary.healthDropped.count)}: ${link(myDayLinks.healthDropped)}`,
    `Trials to call: ${countText(summary.trialsToCall.count)}: ${link(myDayLinks.trialsToCall)}`,
    `Setups waiting for staff: ${countText(summary.setupsWaitingStaff.count)}: ${link(myDayLinks.setupsWaitingStaff)}`,
    `Setups waiting on the customer: ${countText(summary.setupsWaitingCustomer.count)}: ${link(myDayLinks.setupsWaitingCustomer)}`,
    `Failing payments: ${countText(summary.failingPayments.count)}: ${link(myDayLinks.failingPayments)}`,
    `Contact requests this week: ${countText(summary.contactRequests.count)}: ${link(myDayLinks.contactRequests)}`,
  ];
  return {
    subject: `Your day on ${SITE_NAME}: ${plural(summary.myTasks.count, "task", "tasks")} due`,
    text: `Hi ${name},\n\nHere is your day for ${longDate(day)}.\n\n${lines.join("\n\n")}\n\nYou get this email on days you have tasks due. To stop it, turn off the daily email on the staff home: ${link(DIGEST_SETTING_PATH)}${signature}`,
  };
}
