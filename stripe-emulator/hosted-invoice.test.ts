import { afterEach, describe, expect, it } from "vitest";
import {
  createMonthlyPrice,
  DAY_SECONDS,
  startWithClient,
  subscribeThroughCheckout,
} from "../test/support/stripe-emulator";
import type { EmulatorUnderTest } from "../test/support/stripe-emulator";

let env: EmulatorUnderTest | undefined;
afterEach(async () => {
  await env?.emulator.stop();
  env = undefined;
});

describe("invoice numbers and hosted invoices", () => {
  it("numbers each customer's invoices with its own prefix and links a hosted page and a PDF", async () => {
    env = await startWithClient();
    const { stripe, emulator } = env;
    const price = await createMonthlyPrice(stripe, 1500);
    const first = await subscribeThroughCheckout(stripe, price, { quantity: 2 });
    const second = await subscribeThroughCheckout(stripe, price);
    const customer = await stripe.customers.retrieve(String(first.customer));
    if (customer.deleted) throw new Error("customer deleted");
    expect(customer.invoice_prefix).toMatch(/^[0-9A-Z]{8}$/);

    await emulator.advanceTime(31 * DAY_SECONDS);
    const invoices = await stripe.invoices.list({ customer: customer.id });
    expect(invoices.data.map((invoice) => invoice.number).sort()).toEqual([
      `${customer.invoice_prefix}-0001`,
      `${customer.invoice_prefix}-0002`,
    ]);
    const [other] = (await stripe.invoices.list({ customer: String(second.customer) })).data.slice(-1);
    expect(other?.number).toMatch(/^[0-9A-Z]{8}-0001$/);
    expect(other?.number).not.toBe(`${customer.invoice_prefix}-0001`);

    const invoice = invoices.data.find((candidate) => candidate.number?.endsWith("-0001"))!;
    expect(invoice.hosted_invoice_url).toBe(`${emulator.url}/i/${invoice.id}`);
    expect(invoice.invoice_pdf).toBe(`${emulator.url}/i/${invoice.id}/pdf`);
    for (const url of [invoice.hosted_invoice_url!, invoice.invoice_pdf!]) {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
      const html = await response.text();
      expect(html).not.toContain("<script");
      expect(html).toContain(`Invoice ${invoice.number}`);
      expect(html).toContain("$30.00");
      expect(html).toContain("Paid");
      expect(html).toContain(invoice.lines.data[0]!.description!);
    }
  });

  it("gives drafts and unknown invoices no page", async () => {
    env = await startWithClient();
    const response = await fetch(`${env.emulator.url}/i/in_missing`);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("This invoice does not exist.");
  });
});
