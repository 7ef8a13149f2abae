/** What a card number does, after https://docs.stripe.com/testing#cards and #declined-payments. */
export type CardOutcome =
  | { kind: "succeeded" }
  | { kind: "declined"; code: string; declineCode?: string; message: string };

const DECLINES: Record<string, CardOutcome> = {
  "4000000000000002": { kind: "declined", code: "card_declined", declineCode: "generic_decline", message: "Your card was declined." },
  "4000000000009995": {
    kind: "declined",
    code: "card_declined",
    declineCode: "insufficient_funds",
    message: "Your card has insufficient funds.",
  },
};

const SUCCEEDS = new Set(["4242424242424242", "5555555555554444", "378282246310005"]);

export function cardOutcome(input: string): CardOutcome {
  const number = input.replace(/[\s-]/g, "");
  if (SUCCEEDS.has(number)) return { kind: "succeeded" };
  return DECLINES[number] ?? { kind: "declined", code: "incorrect_number", message: "Your card number is incorrect." };
}
