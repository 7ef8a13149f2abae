/**
 * Where an account whose address is not confirmed yet is sent for anything it may not do yet: a page
 * that asks for the confirmation kindly, with a resend button. Shared by the server's guard and the
 * pages' links, so it lives outside `*.server.ts`.
 */
export const CONFIRM_EMAIL_PATH = "/account/confirm-email";
