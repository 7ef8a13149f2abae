import { expect, test } from "@playwright/test";
import { signatureHeader } from "../../stripe-emulator";
import {
  clientAddress,
  demoStaffLogin,
  logIn,
  signUpAndVerify,
  stripeWebhookSecret,
  uniqueEmail,
  withDatabase,
} from "../support/e2e";

test.use({ extraHTTPHeaders: clientAddress() });

const password = "a long enough password";

test("pricing → sign up → pay with 4242 in Checkout → the order page shows setup, then ready", async ({
  page,
  browser,
}) => {
  const person = { name: "Paula", email: uniqueEmail("paula"), password, company: `Paying Co ${Date.now()}` };
  await signUpAndVerify(page, person);
  await logIn(page, person.email, password);
  await page.goto("/pricing");
  await page.getByRole("link", { name: "Choose Team" }).click();
  await page.getByRole("link", { name: "Buy now" }).click();
  await page.getByLabel("Billing").selectOption("year");
  await page.getByLabel("Users").fill("5");
  await expect(page.getByTestId("order-total")).toHaveText("Total: $1,200 per year, excluding tax");
  await page.getByRole("button", { name: "Continue to payment" }).click();

  await expect(page.getByLabel("Card number")).toBeVisible();
  await page.getByLabel("Card number").fill("4000 0000 0000 0002");
  await page.getByRole("button", { name: "Pay" }).click();
  await expect(page.getByText("Your card was declined.")).toBeVisible();
  await page.getByLabel("Card number").fill("4000 0000 0000 9995");
  await page.getByRole("button", { name: "Pay" }).click();
  await expect(page.getByText("Your card has insufficient funds.")).toBeVisible();
  const unpaid = await withDatabase(
    (sql) =>
      sql<
        { status: string }[]
      >`select o.status from orders o join organisations a on a.id = o.account_id where a.name = ${person.company}`,
  );
  expect(unpaid).toEqual([{ status: "checkout_open" }]);
  expect(
    await withDatabase(
      (sql) =>
        sql`select 1 from provisioning_requests r join organisations a on a.id = r.account_id where a.name = ${person.company}`,
    ),
  ).toHaveLength(0);

  await page.getByLabel("Card number").fill("4242 4242 4242 4242");
  await page.getByRole("button", { name: "Pay" }).click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}\?session_id=cs_/);
  await expect(page.getByTestId("order-status")).toHaveText("Your service is ready", { timeout: 10_000 });
  await expect(page.getByTestId("access-details")).toContainText(/\/demo\/paying-co-/);

  const [order] = await withDatabase(
    (sql) =>
      sql<
        { status: string; seats: number; total_amount: number }[]
      >`select o.status, o.seats, o.total_amount from orders o join organisations a on a.id = o.account_id where a.name = ${person.company}`,
  );
  expect(order).toEqual({ status: "paid", seats: 5, total_amount: 5 * 24000 });
  // The webhook arrived as well; it found the order paid and changed nothing.
  await expect
    .poll(() =>
      withDatabase(
        async (sql) =>
          (
            await sql<
              { n: number }[]
            >`select count(*)::int as n from stripe_events where type = 'checkout.session.completed' and processed_at is not null`
          )[0]!.n,
      ),
    )
    .toBeGreaterThan(0);

  // A second order for the same product is refused: the organisation already pays.
  await page.goto("/orders/new?plan=starter");
  await page.getByRole("button", { name: "Continue to payment" }).click();
  await expect(page.getByText("Your organisation already has a subscription")).toBeVisible();

  // Staff see the organisation's subscription, orders and payment state.
  const staffContext = await browser.newContext({ extraHTTPHeaders: clientAddress() });
  const staffPage = await staffContext.newPage();
  const staff = demoStaffLogin();
  await logIn(staffPage, staff.email, staff.password);
  await staffPage.goto(`/staff/accounts?q=${encodeURIComponent(person.company)}`);
  await staffPage.getByTestId("account-row").filter({ hasText: person.company }).getByRole("link").click();
  await expect(staffPage.getByTestId("subscriptions")).toContainText("Team · 5 users · Active");
  await expect(staffPage.getByTestId("orders")).toContainText("$1,200 per year · Paid");
  await staffContext.close();
});

test("buying during a trial modifies the trial's instance: same workspace, now paid", async ({ page }) => {
  const person = { name: "Tom", email: uniqueEmail("tom"), password, company: `Trial Buyer ${Date.now()}` };
  await signUpAndVerify(page, person);
  await logIn(page, person.email, password);
  await page.goto("/plans/starter");
  await page.getByRole("button", { name: "Start free trial" }).click();
  const setUp = page.getByTestId("service-request").filter({ hasText: "Set up: Starter" });
  await expect(setUp.getByTestId("request-status")).toHaveText("Ready", { timeout: 10_000 });
  const workspace = (await setUp.getByTestId("access-details").textContent())!.match(
    /http:\/\/\S+?\/demo\/[a-z0-9-]+/,
  )![0];

  await page.getByRole("link", { name: "Buy Starter" }).click();
  await page.getByLabel("Users").fill("4");
  await page.getByRole("button", { name: "Continue to payment" }).click();
  await page.getByLabel("Card number").fill("4242424242424242");
  await page.getByRole("button", { name: "Pay" }).click();
  await expect(page.getByTestId("order-status")).toHaveText("Your service is ready", { timeout: 10_000 });
  await expect(page.getByTestId("service-request")).toContainText("Change: Starter");
  await expect(page.getByTestId("access-details")).toContainText(workspace);

  const rows = await withDatabase(
    (sql) => sql<{ trials: string; instances: number; seats: number }[]>`
      select (select status from trials t where t.account_id = a.id) as trials,
             (select count(*)::int from service_instances i where i.account_id = a.id) as instances,
             (select seats from demo_tenants d join service_instances i on i.id = d.instance_id where i.account_id = a.id) as seats
      from organisations a where a.name = ${person.company}`,
  );
  expect(rows).toEqual([{ trials: "converted", instances: 1, seats: 4 }]);
});

test("forged, stale or malformed webhooks are refused and store nothing; a signed one is stored once", async ({
  request,
}) => {
  const forged = await request.post("/webhooks/stripe", {
    data: JSON.stringify({ id: "evt_forged", type: "checkout.session.completed", data: { object: { id: "cs_x" } } }),
    headers: { "Content-Type": "application/json", "Stripe-Signature": "t=1,v1=deadbeef" },
  });
  expect(forged.status()).toBe(400);
  const missing = await request.post("/webhooks/stripe", {
    data: "not json",
    headers: { "Content-Type": "application/json" },
  });
  expect(missing.status()).toBe(400);
  const secret = await stripeWebhookSecret();
  const signed = (body: string, secondsAgo = 0) => ({
    "Content-Type": "application/json",
    "Stripe-Signature": signatureHeader(body, secret, Math.floor(Date.now() / 1000) - secondsAgo),
  });
  const id = `evt_e2e_${Date.now()}`;
  const body = JSON.stringify({
    id,
    object: "event",
    type: "customer.updated",
    livemode: false,
    data: { object: { id: "cus_e2e" } },
  });
  // Correctly signed ten minutes ago: a replay, outside Stripe's five-minute tolerance.
  expect((await request.post("/webhooks/stripe", { data: body, headers: signed(body, 600) })).status()).toBe(400);
  const count = (eventId: string) =>
    withDatabase(
      async (sql) =>
        (await sql<{ n: number }[]>`select count(*)::int as n from stripe_events where id = ${eventId}`)[0]!.n,
    );
  expect(await count("evt_forged")).toBe(0);
  expect(await count(id)).toBe(0);

  const first = await request.post("/webhooks/stripe", { data: body, headers: signed(body) });
  const again = await request.post("/webhooks/stripe", { data: body, headers: signed(body) });
  expect([first.status(), again.status()]).toEqual([200, 200]);
  expect(await again.json()).toMatchObject({ duplicate: true });
  expect(await count(id)).toBe(1);
});
