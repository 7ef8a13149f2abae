import { escapeHtml } from "./html";
import type { CardDetails } from "./payment-methods";
import { testCard } from "./test-cards";

export interface CardFieldsOptions {
  /** Checkout leaves expiry and CVC optional (a future expiry is filled in); the portal asks for them. */
  requireExpiryAndCvc: boolean;
  error: string | null;
}

const ERROR_ID = "card-error";
/** Stripe's test cards take any future expiry; a blank one on Checkout becomes December, this many years ahead. */
const DEFAULT_EXPIRY_YEARS_AHEAD = 3;

/** Card number, expiry and CVC inputs, with the error (if any) announced and tied to them. */
export function cardFields({ requireExpiryAndCvc, error }: CardFieldsOptions): string {
  const invalid = error ? ` aria-invalid="true" aria-describedby="${ERROR_ID}"` : "";
  const required = requireExpiryAndCvc ? " required" : "";
  return `<p>
    <label for="card_number">Card number</label>
    <input id="card_number" name="card_number" inputmode="numeric" autocomplete="cc-number" required${invalid}>
  </p>
  <p>
    <label for="card_expiry">Expiry (MM / YY)</label>
    <input id="card_expiry" name="card_expiry" inputmode="numeric" autocomplete="cc-exp" placeholder="MM / YY"${required}${invalid}>
  </p>
  <p>
    <label for="card_cvc">CVC</label>
    <input id="card_cvc" name="card_cvc" inputmode="numeric" autocomplete="cc-csc"${required}${invalid}>
  </p>
  ${error ? `<p id="${ERROR_ID}" role="alert">${escapeHtml(error)}</p>` : ""}`;
}

/** The card the form describes, or the message Stripe's card form would show. `now` dates the expiry check. */
export function readCardFields(
  form: URLSearchParams,
  now: number,
  { requireExpiryAndCvc }: Pick<CardFieldsOptions, "requireExpiryAndCvc">,
): CardDetails | { error: string } {
  const card = testCard(form.get("card_number") ?? "");
  if ("kind" in card) return { error: card.message };
  const expiry = readExpiry((form.get("card_expiry") ?? "").trim(), new Date(now * 1000), requireExpiryAndCvc);
  if ("error" in expiry) return expiry;
  const cvc = (form.get("card_cvc") ?? "").trim();
  if ((cvc !== "" || requireExpiryAndCvc) && !/^\d{3,4}$/.test(cvc))
    return { error: "Your card's security code is incomplete." };
  return { card, ...expiry };
}

function readExpiry(
  input: string,
  today: Date,
  required: boolean,
): { expMonth: number; expYear: number } | { error: string } {
  const thisYear = today.getUTCFullYear();
  if (input === "" && !required) return { expMonth: 12, expYear: thisYear + DEFAULT_EXPIRY_YEARS_AHEAD };
  const match = /^(\d{1,2})\s*\/?\s*(\d{2}|\d{4})$/.exec(input);
  const expMonth = Number(match?.[1]);
  const yearDigits = match?.[2] ?? "";
  const expYear = yearDigits.length === 2 ? 2000 + Number(yearDigits) : Number(yearDigits);
  if (!match || expMonth < 1 || expMonth > 12) return { error: "Your card's expiration date is incomplete." };
  if (expYear < thisYear) return { error: "Your card's expiration year is in the past." };
  if (expYear === thisYear && expMonth < today.getUTCMonth() + 1)
    return { error: "Your card's expiration date is in the past." };
  return { expMonth, expYear };
}
