import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { E2E_CONTROL_PLANE_SECRET } from "../../playwright.config";
import { signPayload, SIGNATURE_HEADER, verifySignature } from "../../provisioning/provisioners/http";
import { withDatabase } from "../support/e2e";
import { snapshotOf } from "../support/snapshot";

const secret = E2E_CONTROL_PLANE_SECRET;

function bodyOf(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => resolve(body));
  });
}

/** A request for the http provisioner, queued as an order would queue it. */
async function queueHttpRequest(controlPlaneUrl: string): Promise<string> {
  return withDatabase(async (sql) => {
    const [org] = await sql<
      { id: string }[]
    >`insert into organisations (name) values (${`Control plane ${Date.now()}`}) returning id`;
    const snapshot = snapshotOf();
    const [instance] = await sql<
      { id: string }[]
    >`insert into service_instances (account_id, product_slug, plan_slug, snapshot) values (${org!.id}, 'northwind-projects', 'team', ${sql.json(snapshot)}) returning id`;
    const [request] = await sql<{ id: string }[]>`
      insert into provisioning_requests (account_id, instance_id, operation, status, provisioner, config, snapshot, max_attempts, sla_due_at, idempotency_key)
      values (${org!.id}, ${instance!.id}, 'provision', 'queued', 'http', ${sql.json({ url: controlPlaneUrl })}, ${sql.json(snapshot)}, 5, now() + interval '1 hour', ${`cp-${instance!.id}`})
      returning id`;
    await sql`select graphile_worker.add_job('provisioning_run', ${sql.json({ requestId: request!.id })}::json, queue_name => ${`provisioning:${org!.id}`}::text)`;
    return request!.id;
  });
}

async function statusOf(requestId: string): Promise<string> {
  const [row] = await withDatabase(
    (sql) => sql<{ status: string }[]>`select status from provisioning_requests where id = ${requestId}`,
  );
  return row!.status;
}

test("the portal calls a control plane that answers 202, and its signed callback completes the request", async ({
  request,
}) => {
  const received: { body: string; signature: string | undefined; idempotencyKey: string | undefined }[] = [];
  const controlPlane = createServer(async (req, res) => {
    received.push({
      body: await bodyOf(req),
      signature: req.headers["portal-signature"] as string,
      idempotencyKey: req.headers["idempotency-key"] as string,
    });
    res.writeHead(202).end();
  });
  await new Promise<void>((resolve) => controlPlane.listen(0, "127.0.0.1", resolve));
  try {
    const requestId = await queueHttpRequest(
      `http://127.0.0.1:${(controlPlane.address() as AddressInfo).port}/tenants`,
    );
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(1);
    const call = received[0]!;
    expect(verifySignature(secret, call.signature, call.body)).toEqual({ ok: true });
    expect(JSON.parse(call.body)).toMatchObject({
      requestId,
      operation: "provision",
      callbackUrl: expect.stringContaining(`/provisioning/callbacks/${requestId}`),
      ingest_key: expect.stringMatching(/^pik_/),
    });
    expect(await statusOf(requestId)).toBe("running");

    const report = JSON.stringify({
      requestId,
      status: "succeeded",
      result: { workspace_url: "https://cp.example.test" },
    });
    const forged = await request.post(`/provisioning/callbacks/${requestId}`, {
      data: report,
      headers: { "Content-Type": "application/json", [SIGNATURE_HEADER]: signPayload("not the secret", report) },
    });
    expect(forged.status()).toBe(400);
    const stale = await request.post(`/provisioning/callbacks/${requestId}`, {
      data: report,
      headers: {
        "Content-Type": "application/json",
        [SIGNATURE_HEADER]: signPayload(secret, report, new Date(Date.now() - 10 * 60_000)),
      },
    });
    expect(stale.status()).toBe(400);
    expect(await statusOf(requestId)).toBe("running");

    const signature = signPayload(secret, report);
    const accepted = await request.post(`/provisioning/callbacks/${requestId}`, {
      data: report,
      headers: { "Content-Type": "application/json", [SIGNATURE_HEADER]: signature },
    });
    expect(accepted.status()).toBe(200);
    expect(await statusOf(requestId)).toBe("succeeded");

    // The same report again, signature and all, changes nothing.
    const replayed = await request.post(`/provisioning/callbacks/${requestId}`, {
      data: report,
      headers: { "Content-Type": "application/json", [SIGNATURE_HEADER]: signature },
    });
    expect(replayed.status()).toBe(409);
  } finally {
    controlPlane.close();
  }
});
