import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { organisations, provisioningRequests, serviceInstances, type RequestStatus } from "../../db/schema";
import { listQueue, type QueueFilters } from "../../provisioning";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";

const STATUSES: RequestStatus[] = [
  "queued",
  "running",
  "waiting_staff",
  "waiting_customer",
  "succeeded",
  "failed",
  "cancelled",
];
const OPERATIONS = ["provision", "modify", "suspend", "resume", "deprovision"] as const;
const PLANS = ["starter", "team", "enterprise"];
const HOUR = 3_600_000;

type Row = {
  id: string;
  status: RequestStatus;
  operation: string;
  plan: string;
  trial: boolean;
  slaDueAt: Date;
  createdAt: Date;
};

let database: TestDatabase;
const rows: Row[] = [];

/** The queue's order, as the generated `queue_rank` column defines it. */
function rank(row: Row): number {
  if (row.status === "waiting_staff") return row.operation === "provision" && row.trial ? 0 : 1;
  return { failed: 2, queued: 3, running: 4, waiting_customer: 5 }[row.status as string] ?? 6;
}

function expected(filters: QueueFilters): string[] {
  const now = Date.now();
  return rows
    .filter((row) =>
      filters.status ? row.status === filters.status : !["succeeded", "cancelled"].includes(row.status),
    )
    .filter((row) => !filters.operation || row.operation === filters.operation)
    .filter((row) => !filters.plan || row.plan === filters.plan)
    .filter((row) => !filters.olderThanHours || row.createdAt.getTime() < now - filters.olderThanHours * HOUR)
    .sort(
      (a, b) =>
        rank(a) - rank(b) || a.slaDueAt.getTime() - b.slaDueAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    )
    .map((row) => row.id);
}

/** Every id the queue lists for the filters, following the cursor a few rows at a time. */
async function listed(filters: QueueFilters): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listQueue(database.db, { ...filters, cursor }, 4);
    ids.push(...page.requests.map((request) => request.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

beforeAll(async () => {
  database = await createTestDatabase();
  const [account] = await database.db.insert(organisations).values({ name: "Queue filters" }).returning();
  const snapshot = (plan: string) => ({
    productSlug: "p",
    planSlug: plan,
    planName: plan,
    seats: 1,
    limits: {},
    features: [],
    trialEndsAt: null,
  });
  const [instance] = await database.db
    .insert(serviceInstances)
    .values({ accountId: account!.id, productSlug: "p", planSlug: "team", snapshot: snapshot("team") })
    .returning();
  const now = Date.now();
  // Every status × operation, plans and ages in turn; SLAs repeat so that ids break ties.
  const values = STATUSES.flatMap((status, s) =>
    OPERATIONS.flatMap((operation, o) =>
      [0, 1].map((copy) => {
        const n = s * 100 + o * 10 + copy;
        const plan = PLANS[(s + o + copy) % PLANS.length]!;
        const trial = operation === "provision" && copy === 0;
        return {
          accountId: account!.id,
          instanceId: instance!.id,
          operation,
          status,
          provisioner: "manual",
          snapshot: snapshot(plan),
          maxAttempts: 3,
          slaDueAt: new Date(now + ((n * 7) % 5) * HOUR),
          idempotencyKey: `${trial ? "trial" : "other"}:${n}`,
          createdAt: new Date(now - ((n * 13) % 50) * HOUR),
        };
      }),
    ),
  );
  const inserted = await database.db.insert(provisioningRequests).values(values).returning();
  for (const row of inserted) {
    rows.push({
      id: row.id,
      status: row.status,
      operation: row.operation,
      plan: row.snapshot.planSlug,
      trial: row.idempotencyKey.startsWith("trial:"),
      slaDueAt: row.slaDueAt,
      createdAt: row.createdAt,
    });
    expect(row.queueRank).toBe(rank(rows.at(-1)!));
  }
});
afterAll(async () => {
  await dropTestDatabase(database);
});

describe("listQueue filters", () => {
  const cases: QueueFilters[] = [
    {},
    ...STATUSES.map((status) => ({ status })),
    ...OPERATIONS.map((operation) => ({ operation })),
    ...PLANS.map((plan) => ({ plan })),
    { olderThanHours: 20 },
    { status: "waiting_staff", operation: "provision" },
    { status: "succeeded", operation: "modify", plan: "starter" },
    { status: "cancelled", plan: "enterprise" },
    { status: "failed", olderThanHours: 10 },
    { operation: "resume", plan: "starter", olderThanHours: 5 },
  ];
  for (const filters of cases) {
    it(`lists exactly the matching requests in queue order, page by page: ${JSON.stringify(filters)}`, async () => {
      const want = expected(filters);
      expect(want.length).toBeGreaterThan(0);
      expect(await listed(filters)).toEqual(want);
    });
  }

  it("lists nothing for a combination no request has", async () => {
    expect(await listed({ status: "queued", plan: "no-such-plan" })).toEqual([]);
  });
});
