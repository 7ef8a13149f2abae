import { z } from "zod";
import { textField } from "~/lib/text";

/** Field rules shared by the forms (client hints) and the server (the check that counts). */
export const nameField = textField({ required: "Enter your name", max: 100 });

export const emailField = z
  .string({ error: "Enter your email address" })
  .trim()
  .toLowerCase()
  .max(254, "That email address is too long")
  .pipe(z.email("Enter an email address like name@company.com"));

export const newPasswordField = z
  .string({ error: "Choose a password" })
  .min(10, "Use at least 10 characters")
  .max(200, "Use at most 200 characters");

export const currentPasswordField = z.string({ error: "Enter your password" }).min(1, "Enter your password").max(200);

export const organisationNameField = textField({ required: "Enter your company's name", max: 100 });

export const membershipRoles = ["owner", "admin", "member"] as const;

export const signupSchema = z.object({
  name: nameField,
  email: emailField,
  password: newPasswordField,
  company: organisationNameField,
});

export const loginSchema = z.object({ email: emailField, password: currentPasswordField });
export const forgotPasswordSchema = z.object({ email: emailField });
export const resetPasswordSchema = z.object({ token: z.string().min(1), password: newPasswordField });
export const changePasswordSchema = z.object({ currentPassword: currentPasswordField, newPassword: newPasswordField });
export const changeEmailSchema = z.object({ newEmail: emailField, currentPassword: currentPasswordField });
export const inviteSchema = z.object({
  email: emailField,
  role: z.enum(membershipRoles, { error: "Choose a role" }),
});
export const createOrganisationSchema = z.object({ name: organisationNameField });

/** A catalog plan's slug, as a sign-up from a plan page carries it (`?plan=`) to the confirmation link. */
export const planSlug = z.string().regex(/^[a-z0-9-]{1,50}$/);
