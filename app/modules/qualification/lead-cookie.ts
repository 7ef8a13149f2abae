/** Remembers the visitor's latest qualification, so the sign-up that follows can be linked to it. */
export const LEAD_COOKIE = "lead";
