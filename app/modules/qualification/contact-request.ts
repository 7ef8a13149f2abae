import { z } from "zod";
import { emailField } from "~/modules/accounts/schemas";

export const CONTACT_MESSAGE_LABEL = "What would you like to discuss? (optional)";

/** A prospect asking staff to get in touch: where to reach them and, optionally, about what. */
export const contactRequestSchema = z.object({
  email: emailField,
  message: z.string().trim().max(2000, "Use at most 2,000 characters").default(""),
});
