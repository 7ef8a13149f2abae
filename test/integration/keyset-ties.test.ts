/**
 * The rule behind every keyset-paged list (ADR 25): paging from the first page to the last shows
 * each row exactly once, even when rows share their sort time down to the millisecond and differ
 * only in microseconds, where a cursor (a JS Date) cannot tell them apart. Each list gets rows
 * written with microsecond times inside one millisecond and is read two rows a page.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listQueue } from "../../provisioning";
import { listTrialAccounts } from "../../app/modules/metrics/funnel.server";
import { listLeads } from "../../app/modules/qualification/leads.server";
import { listStaffNotes } from "../../app/modules/success/notes.server";
import { listTasks, type TaskView } from "../../app/modules/success/tasks.server";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";
import { insertPerson } from "../support/people";

let database: TestDatabase;
let staffId: string;
let accountId: string;

/** Seven instants inside one millisecond, as PostgreSQL literals (microseconds 100 to 700). */
const MILLISECOND = "2031-05-06 07:08:09.123";
const TIES = [1, 2, 3, 4, 5, 6, 7].map((n) => `${MILLISECOND}${n}00+00`);
const PAGE = 2;

/** Every row of a list, read page by page until the list says there is no next page. */
async function everyPage<T>(read: (cursor: string | null) => Promise<{ rows: T[]; next: string | null }>) {
  const seen: T[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1000; pages += 1) {
    const { rows, next } = await read(cursor);
    seen.push(...rows);
    if (!next) return seen;
    cursor = next;
  }
  throw new Error("the list never ended");
}

/** Each of `expected` exactly once among the ids read (other rows of the database may be there too). */
function expectEachOnce(read: string[], expected: string[]) {
  const ours = read.filter((id) => expected.includes(id));
  expect(ours.toSorted()).toEqual(expected.toSorted());
}

beforeAll(async () => {
  database = await createTestDatabase();
  staffId = (await insertPerson(database.db, "Pager", "staff")).id;
  const [account] = await database.sql<{ id: string }[]>`insert into organisations (name) values ('Ties') returning id`;
  accountId = account!.id;
});

afterAll(async () => {
  await dropTestDatabase(database);
});

describe("keyset pages over rows tied to the millisecond", () => {
  it("the leads list, newest first", async () => {
    const ids: string[] = [];
    for (const at of TIES) {
      const [row] = await database.sql<{ id: string }[]>`insert into leads (created_at, answers, verdict, score, result)
        values (${at}, '{}', 'fits', 50, '{}') returning id`;
      ids.push(row!.id);
    }
    const read = await everyPage(async (cursor) => {
      const page = await listLeads(
        database.db,
        { from: "2031-05-06", to: "2031-05-06", cursor: cursor ?? undefined },
        PAGE,
      );
      return { rows: page.leads.map((lead) => lead.id), next: page.nextCursor };
    });
    expectEachOnce(read, ids);
  });

  it("an account's staff notes, newest first", async () => {
    const ids: string[] = [];
    for (const at of TIES) {
      const [row] = await database.sql<
        { id: string }[]
      >`insert into staff_notes (account_id, author_id, body, created_at)
        values (${accountId}, ${staffId}, 'A note', ${at}) returning id`;
      ids.push(row!.id);
    }
    const read = await everyPage(async (cursor) => {
      const page = await listStaffNotes(database.db, accountId, cursor, PAGE);
      return { rows: page.notes.map((note) => note.id), next: page.nextCursor };
    });
    expectEachOnce(read, ids);
  });

  it("every task view: open ones by due time, done ones by completion, newest first", async () => {
    const insertTask = async (at: string, assignee: string | null, done: boolean) => {
      const [row] = await database.sql<{ id: string }[]>`insert into cs_tasks
          (account_id, title, reason, link, assignee_id, due_at, status, completed_at, outcome)
        values (${accountId}, 'Call', 'Because', '/staff', ${assignee}, ${at}, ${done ? "done" : "open"},
          ${done ? at : null}, ${done ? "called" : null}) returning id`;
      return row!.id;
    };
    const mine = [];
    const queue = [];
    const done = [];
    for (const at of TIES) {
      mine.push(await insertTask(at, staffId, false));
      queue.push(await insertTask(at, null, false));
      done.push(await insertTask(at, staffId, true));
    }
    const expected: Record<TaskView, string[]> = { mine, queue, open: [...mine, ...queue], done };
    for (const view of Object.keys(expected) as TaskView[]) {
      const read = await everyPage(async (cursor) => {
        const page = await listTasks(
          database.db,
          { view, cursor: cursor ?? undefined, staffId, now: new Date("2031-05-06T00:00:00Z") },
          PAGE,
        );
        return { rows: page.tasks.map((task) => task.id), next: page.nextCursor };
      });
      expectEachOnce(read, expected[view]);
    }
  });

  it("the provisioning queue, most overdue first", async () => {
    const snapshot = { productSlug: "p", planSlug: "team", planName: "Team", seats: 1, limits: {}, features: [] };
    const [instance] = await database.sql<{ id: string }[]>`insert into service_instances
        (account_id, product_slug, plan_slug, snapshot)
      values (${accountId}, 'p', 'team', ${JSON.stringify(snapshot)}::jsonb) returning id`;
    const ids: string[] = [];
    for (const at of TIES) {
      const [row] = await database.sql<{ id: string }[]>`insert into provisioning_requests
          (account_id, instance_id, operation, status, provisioner, snapshot, max_attempts, sla_due_at, idempotency_key)
        values (${accountId}, ${instance!.id}, 'provision', 'waiting_staff', 'manual', ${JSON.stringify(snapshot)}::jsonb,
          1, ${at}, ${`ties:${randomUUID()}`}) returning id`;
      ids.push(row!.id);
    }
    const read = await everyPage(async (cursor) => {
      const page = await listQueue(database.db, { status: "waiting_staff", cursor: cursor ?? undefined }, PAGE);
      return { rows: page.requests.map((request) => request.id), next: page.nextCursor };
    });
    expectEachOnce(read, ids);
  });

  it("a month's trials behind a funnel figure, in the order they started", async () => {
    const ids: string[] = [];
    for (const at of TIES) {
      const [account] = await database.sql<{ id: string }[]>`insert into organisations (name)
        values ('Trial ties') returning id`;
      const [instance] = await database.sql<{ id: string }[]>`insert into service_instances
          (account_id, product_slug, plan_slug, snapshot)
        values (${account!.id}, 'p', 'team', '{}') returning id`;
      const [trial] = await database.sql<{ id: string }[]>`insert into trials
          (account_id, product_slug, plan_slug, instance_id, started_at, length_days)
        values (${account!.id}, 'p', 'team', ${instance!.id}, ${at}, 14) returning id`;
      ids.push(trial!.id);
    }
    const read = await everyPage(async (cursor) => {
      const page = await listTrialAccounts(database.db, { month: "2031-05-01", outcome: "all" }, cursor, PAGE);
      return { rows: page.trials.map((trial) => trial.trialId), next: page.nextCursor };
    });
    expectEachOnce(read, ids);
  });
});
