/** Messages shown after a redirect, chosen by key so a link cannot put arbitrary text on our pages. */
const notices = {
  verified: "Your email address is confirmed. Log in to continue.",
  "password-reset": "Your password was changed. Log in with the new one.",
  "email-changed": "Your email address was changed.",
  "logged-out": "You are logged out.",
  joined: "Welcome! You joined the organisation.",
  "trial-started": "Your free trial has started. We are setting it up now.",
  "plan-upgraded": "Your plan is changed and the difference is paid. We are updating your service now.",
  "downgrade-scheduled": "Your change is scheduled for the end of the period you have paid for.",
  "downgrade-cancelled": "You keep your current plan; the scheduled change is dropped.",
} as const;

export type NoticeKey = keyof typeof notices;

export function noticeText(key: string | null): string | null {
  return key && key in notices ? notices[key as NoticeKey] : null;
}

/** Only same-site paths, so a crafted login link cannot send people elsewhere afterwards. */
export function safeRedirectPath(value: FormDataEntryValue | string | null | undefined, fallback = "/account"): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\"))
    return fallback;
  return value;
}
