import { z } from "zod";
import { planSlug } from "./schemas";

/**
 * What a person set out to do when they signed up (issue 14, item 1): the plan they chose and whether
 * to try or buy it, and the qualification result they acted on. Signed into the emailed confirmation
 * link, so it survives the trip through the mailbox and cannot be altered on the way.
 */
export const signupIntentSchema = z.object({
  plan: z.object({ slug: planSlug, action: z.enum(["trial", "buy"]) }).optional(),
  leadId: z.uuid().optional(),
});
export type SignupIntent = z.infer<typeof signupIntentSchema>;
