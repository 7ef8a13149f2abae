import { createHash } from "node:crypto";

/** What a card does, after https://docs.stripe.com/testing#cards and #declined-payments. */
export interface CardDecline {
  kind: "declined";
  code: string;
  declineCode?: string;
  message: string;
}
export type CardOutcome = { kind: "succeeded" } | CardDecline;

export interface TestCard {
  number: string;
  brand: "visa" | "mastercard" | "amex";
  /** Saving the card to a customer (Stripe checks it with the issuer). */
  attach: CardOutcome;
  /** Every later charge. */
  charge: CardOutcome;
}

const SUCCEEDS: CardOutcome = { kind: "succeeded" };
const DECLINED: CardDecline = {
  kind: "declined",
  code: "card_declined",
  declineCode: "generic_decline",
  message: "Your card was declined.",
};
const INSUFFICIENT_FUNDS: CardDecline = {
  kind: "declined",
  code: "card_declined",
  declineCode: "insufficient_funds",
  message: "Your card has insufficient funds.",
};
const INCORRECT_NUMBER: CardDecline = {
  kind: "declined",
  code: "incorrect_number",
  message: "Your card number is incorrect.",
};

const TEST_CARDS: readonly TestCard[] = [
  { number: "4242424242424242", brand: "visa", attach: SUCCEEDS, charge: SUCCEEDS },
  { number: "5555555555554444", brand: "mastercard", attach: SUCCEEDS, charge: SUCCEEDS },
  { number: "378282246310005", brand: "amex", attach: SUCCEEDS, charge: SUCCEEDS },
  // Attaches fine; every charge afterwards fails: the card for failed renewals.
  { number: "4000000000000341", brand: "visa", attach: SUCCEEDS, charge: DECLINED },
  { number: "4000000000009995", brand: "visa", attach: SUCCEEDS, charge: INSUFFICIENT_FUNDS },
  { number: "4000000000000002", brand: "visa", attach: DECLINED, charge: DECLINED },
];

/** The test card a typed number names (spaces and dashes allowed), or Stripe's "incorrect number". */
export function testCard(input: string): TestCard | CardDecline {
  const number = input.replace(/[\s-]/g, "");
  return TEST_CARDS.find((card) => card.number === number) ?? INCORRECT_NUMBER;
}

/**
 * Identifies a card number without storing it, as Stripe's `card.fingerprint` does; the emulator
 * uses it to find what a saved card does when charged later.
 */
export function cardFingerprint(number: string): string {
  return createHash("sha256").update(number).digest("base64url").slice(0, 16);
}

export function testCardByFingerprint(fingerprint: string | null | undefined): TestCard | undefined {
  return TEST_CARDS.find((card) => cardFingerprint(card.number) === fingerprint);
}
