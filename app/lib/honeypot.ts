export const HONEYPOT_FIELD = "website_url";

/** True when a bot filled in the hidden field: answer as if all went well and do nothing. */
export function isBot(formData: FormData): boolean {
  const value = formData.get(HONEYPOT_FIELD);
  return typeof value === "string" && value.trim() !== "";
}
