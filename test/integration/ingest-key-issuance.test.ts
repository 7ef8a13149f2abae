import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueIngestKey, hashIngestKey } from "../../app/modules/usage/ingest-keys.server";
import type { DbOrTx } from "../../db/client";
import { demoTenants, organisations, provisioningRequests, serviceInstances, usageIngestKeys } from "../../db/schema";
import {
  createDemoProvisioner,
  createHttpProvisioner,
  enqueueProvisioning,
  manualProvisioner,
  ProvisionerRegistry,
  runProvisioningRequest,
  type Provisioner,
  type Snapshot,
} from "../../provisioning";
import { createTestDatabase, dropTestDatabase, type TestDatabase } from "../support/database";

const SECRET = "whsec_issuance_test";
const appUrl = "https://portal.test";
const system = { type: "system", id: null } as const;
const issue = async (tx: DbOrTx, instanceId: string) => (await issueIngestKey(tx, instanceId, system)).key;

const snapshot: Snapshot = {
  productSlug: "northwind-projects",
  planSlug: "team",
  planName: "Team",
  seats: 5,
  limits: { projects: 10 },
  features: [],
  trialEndsAt: null,
};

let database: TestDatabase;
let controlPlane: Server;
let controlPlaneUrl = "";
const received: string[] = [];
const answers: number[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  controlPlane = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push(Buffer.concat(chunks).toString("utf8"));
      const status = answers.shift() ?? 200;
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(status === 200 ? JSON.stringify({ result: { workspace_url: "https://cp.example.test" } }) : "");
    });
  });
  await new Promise<void>((resolve) => controlPlane.listen(0, "127.0.0.1", resolve));
  controlPlaneUrl = `http://127.0.0.1:${(controlPlane.address() as AddressInfo).port}/provision`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => controlPlane.close(() => resolve()));
  await dropTestDatabase(database);
});

async function provision(name: string, provisioner: string, config: Record<string, unknown> = {}) {
  const [org] = await database.db.insert(organisations).values({ name }).returning({ id: organisations.id });
  return database.db.transaction((tx) =>
    enqueueProvisioning(tx, {
      accountId: org!.id,
      operation: "provision",
      snapshot,
      provisioner,
      config,
      idempotencyKey: `issuance-${org!.id}`,
      actor: system,
    }),
  );
}

async function keysOf(instanceId: string) {
  return database.db
    .select()
    .from(usageIngestKeys)
    .where(eq(usageIngestKeys.instanceId, instanceId))
    .orderBy(usageIngestKeys.createdAt);
}

/** Records the ingest key each job carried, then lets the real provisioner run. */
function recording(provisioner: Provisioner, seen: (string | null)[]): Provisioner {
  return { ...provisioner, execute: (job, context) => (seen.push(job.ingestKey), provisioner.execute(job, context)) };
}

describe("ingest keys issued when a provision attempt starts", () => {
  it("the demo provisioner stores the attempt's key in its tenant; only its hash is kept elsewhere", async () => {
    const seen: (string | null)[] = [];
    const registry = new ProvisionerRegistry([recording(createDemoProvisioner(database.db, appUrl), seen)]);
    const { requestId, instanceId } = await provision("Key Demo Co", "demo");

    await runProvisioningRequest(database.db, requestId, {
      registry,
      callbackUrl: () => appUrl,
      issueIngestKey: issue,
    });

    const [key] = seen;
    expect(key).toMatch(/^pik_[A-Za-z0-9_-]{43}$/);
    const [tenant] = await database.db.select().from(demoTenants).where(eq(demoTenants.instanceId, instanceId));
    expect(tenant?.ingestKey).toBe(key);
    const keys = await keysOf(instanceId);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ keyHash: hashIngestKey(key!), createdByType: "system", revokedAt: null });
    const [request] = await database.db
      .select()
      .from(provisioningRequests)
      .where(eq(provisioningRequests.id, requestId));
    const [instance] = await database.db.select().from(serviceInstances).where(eq(serviceInstances.id, instanceId));
    expect(JSON.stringify([request?.result, instance?.access])).not.toContain("pik_");
  });

  it("the http provisioner signs the key into its body; a retried attempt sends a fresh key and revokes the first", async () => {
    const registry = new ProvisionerRegistry([createHttpProvisioner({ secret: SECRET })]);
    const { requestId, instanceId } = await provision("Key Http Co", "http", { url: controlPlaneUrl });
    received.length = 0;
    answers.push(503, 200);

    const options = { registry, callbackUrl: () => appUrl, issueIngestKey: issue };
    await runProvisioningRequest(database.db, requestId, options);
    await runProvisioningRequest(database.db, requestId, options);

    const sent = received.map((body) => (JSON.parse(body) as { ingest_key?: string }).ingest_key);
    expect(sent).toHaveLength(2);
    expect(sent[0]).not.toBe(sent[1]);
    const keys = await keysOf(instanceId);
    expect(keys.map((k) => [k.keyHash, k.revokedAt === null])).toEqual([
      [hashIngestKey(sent[0]!), false],
      [hashIngestKey(sent[1]!), true],
    ]);
    const [request] = await database.db
      .select()
      .from(provisioningRequests)
      .where(eq(provisioningRequests.id, requestId));
    expect(request?.status).toBe("succeeded");
    expect(JSON.stringify(request)).not.toContain("pik_");
  });

  it("the manual provisioner gets no key and none is issued (staff are shown one on demand)", async () => {
    const seen: (string | null)[] = [];
    const registry = new ProvisionerRegistry([recording(manualProvisioner, seen)]);
    const { requestId, instanceId } = await provision("Key Manual Co", "manual");

    await runProvisioningRequest(database.db, requestId, {
      registry,
      callbackUrl: () => appUrl,
      issueIngestKey: issue,
    });

    expect(seen).toEqual([null]);
    expect(await keysOf(instanceId)).toEqual([]);
  });
});
