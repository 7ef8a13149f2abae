import { z } from "zod";
import { emailField } from "~/modules/accounts/schemas";
import { textField } from "~/lib/text";

export const CONTACT_MESSAGE_LABEL = "What would you like to discuss? (optional)";

/** A prospect asking staff to get in touch: where to reach them and, optionally, about what. */
export const contactRequestSchema = z.object({
  email: emailField,
  message: textField({ max: 2000, multiline: true }).default(""),
});
