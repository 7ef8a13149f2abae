/**
 * The customer-success side of the demo history (issue 16): who looks after each loaded account and
 * a month of health. Runs after the history's rows and usage rollups are in.
 */
import { sql as drizzleSql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { refreshAccounts } from "../../app/modules/success/refresh.server";

const DAY_MS = 24 * 60 * 60 * 1000;
/** As many days as the account page's trend chart shows. */
export const HEALTH_HISTORY_DAYS = 30;

/**
 * Gives each loaded account that nobody looks after to a staff member, round-robin over the staff
 * (oldest first) by account id, so each staff login has a portfolio and a day of tasks; with no
 * staff yet, the accounts stay in the team's queue. Then scores the accounts that have no health
 * history yet on each of the last 30 days (their usage as of that day; subscriptions as they are
 * now — the demo's history keeps no earlier subscription states) without playbooks, and finally
 * scores every loaded account for today with them: the states they are in make today's tasks,
 * not a month of overdue ones. Running the history again adds no tasks (states are kept).
 */
export async function scoreDemoAccounts(db: Database, accountIds: string[], now: Date): Promise<void> {
  const ids = `{${accountIds.join(",")}}`;
  await db.execute(drizzleSql`
    with staff as (
      select id, row_number() over (order by created_at, id) - 1 as n, count(*) over () as total
        from users where staff_role is not null),
    accounts as (
      select account_id, row_number() over (order by account_id) - 1 as n
        from account_success where account_id = any(${ids}::uuid[]) and assigned_staff_id is null)
    update account_success s set assigned_staff_id = staff.id
      from accounts join staff on staff.n = accounts.n % staff.total
     where s.account_id = accounts.account_id`);
  const fresh = await db.execute<{ account_id: string }>(drizzleSql`
    select account_id from account_success s
     where account_id = any(${ids}::uuid[])
       and not exists (select 1 from health_snapshots h where h.account_id = s.account_id)`);
  const freshIds = [...fresh].map((row) => row.account_id);
  for (let daysAgo = HEALTH_HISTORY_DAYS - 1; daysAgo >= 1 && freshIds.length; daysAgo -= 1)
    await refreshAccounts(db, freshIds, new Date(now.getTime() - daysAgo * DAY_MS), { playbooks: false });
  await refreshAccounts(db, accountIds, now);
}
