/** Messages shown after a redirect, chosen by key so a link cannot put arbitrary text on our pages. */
const notices = {
  verified: "Your email address is confirmed. Log in to continue.",
  "password-reset": "Your password was changed. Log in with the new one.",
  "email-changed": "Your email address was changed.",
  "logged-out": "You are logged out.",
  joined: "Welcome! You joined the organisation.",
  "trial-started": "Your free trial has started. We are setting it up now.",
  "plan-gone": "The plan you signed up for is no longer offered. Choose one from the plans.",
  "plan-upgraded": "Your plan is changed and the difference is paid. We are updating your service now.",
  "downgrade-scheduled": "Your change is scheduled for the end of the period you have paid for.",
  "downgrade-cancelled": "You keep your current plan; the scheduled change is dropped.",
  "subscription-resumed": "Your subscription continues: it is no longer cancelled. We email you when it is confirmed.",
  "left-organisation": "You left the organisation. We sent you an email to confirm it.",
} as const;

export type NoticeKey = keyof typeof notices;

/** The message for `key`, or null for any other string (`__proto__` and friends included). */
export function noticeText(key: string | null): string | null {
  return key && Object.hasOwn(notices, key) ? notices[key as NoticeKey] : null;
}

/** Stands for the portal's own origin when resolving a target; never sent anywhere. */
const OWN_ORIGIN = "https://portal.invalid";

/**
 * A path on the portal's own origin for `value`, or `fallback`: a crafted login link cannot send
 * people elsewhere afterwards. The target is resolved by the WHATWG URL parser as a browser would
 * resolve a `Location` (which drops tabs and newlines and reads `\` as `/`), and only a result on
 * our own origin is kept, returned in its normalised form. Control characters are refused outright,
 * so nothing reaches a response header that could split it.
 */
export function safeRedirectPath(value: FormDataEntryValue | string | null | undefined, fallback = "/account"): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (typeof value !== "string" || !value.startsWith("/") || /[\u0000-\u001f\u007f]/.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, OWN_ORIGIN);
  } catch {
    return fallback;
  }
  // "/..//evil.example" normalises to "//evil.example": a path that itself reads as another host.
  if (url.origin !== OWN_ORIGIN || url.pathname.startsWith("//")) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
