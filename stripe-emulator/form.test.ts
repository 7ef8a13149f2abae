import { expect, it } from "vitest";
import { parseForm } from "./form";

it("parses Stripe's nested form encoding into objects and arrays", () => {
  const encoded =
    "line_items[0][price]=price_a&line_items[1][price]=price_b&line_items[1][quantity]=2" +
    "&metadata[plan]=pro&expand[]=subscription&expand[]=customer&lookup_keys[0]=a%20b";
  expect(parseForm(encoded)).toEqual({
    line_items: [{ price: "price_a" }, { price: "price_b", quantity: "2" }],
    metadata: { plan: "pro" },
    expand: ["subscription", "customer"],
    lookup_keys: ["a b"],
  });
});

it("orders indexed entries by index, not by arrival", () => {
  expect(parseForm("items[10]=c&items[2]=b&items[0]=a")).toEqual({ items: ["a", "b", "c"] });
});
