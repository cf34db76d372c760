import { z } from 'zod';
import { dateOfBirth, email, newPassword, passwordContextProblem, personName, username } from './fields';

/** What registering asks for; the form adds a confirmation, the API takes exactly these. */
export const registrationFields = {
  firstName: personName('First name'),
  lastName: personName('Last name'),
  dateOfBirth,
  username,
  email,
  password: newPassword,
};

/** What "finish creating your account" asks of a person who came from a sign-in provider (no password, no address). */
export const finishAccountSchema = z.object({
  firstName: registrationFields.firstName,
  lastName: registrationFields.lastName,
  dateOfBirth: registrationFields.dateOfBirth,
  username: registrationFields.username,
});

export function checkPasswordContext(data: { password: string; username: string; email: string }, ctx: z.RefinementCtx): void {
  const problem = passwordContextProblem(data.password, data.username, data.email);
  if (problem) ctx.addIssue({ code: 'custom', path: ['password'], message: problem });
}

export const registerSchema = z
  .object({
    ...registrationFields,
    confirmPassword: z.string({ error: 'Confirm your password.' }).min(1, 'Confirm your password.'),
  })
  .superRefine((data, ctx) => {
    checkPasswordContext(data, ctx);
    if (data.confirmPassword !== data.password) {
      ctx.addIssue({ code: 'custom', path: ['confirmPassword'], message: 'Passwords do not match.' });
    }
  });

export const loginField = z
  .string({ error: 'Enter your email or username.' })
  .trim()
  .min(1, 'Enter your email or username.')
  .max(254, 'Enter your email or username.');
// Capped well above the longest valid password so a megabyte "password" is never hashed.
export const passwordField = z.string({ error: 'Enter your password.' }).min(1, 'Enter your password.').max(1024, 'Enter your password.');

export const loginSchema = z.object({
  login: loginField,
  password: passwordField,
  remember: z
    .union([z.literal('on'), z.literal('1'), z.literal('true'), z.literal(''), z.undefined()])
    .catch(undefined)
    .transform((value) => value !== undefined && value !== ''),
  next: z.string().optional().catch(undefined),
});

/**
 * One message per field, the first zod gives, for forms and the API alike; an unknown field (a
 * strict object's) gets its own, and a problem with the whole body is `body`'s.
 */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) fields[key] ??= 'Unknown field.';
      continue;
    }
    fields[issue.path.length > 0 ? issue.path.map(String).join('.') : 'body'] ??= issue.message;
  }
  return fields;
}

export const forgotPasswordSchema = z.object({ email });

/** A new code may be asked for once a minute: the server's send limit, and the form's countdown. */
export const CODE_RESEND_SECONDS = 60;

export const codeField = z
  .string({ error: 'Enter the 6-digit code from the email.' })
  .trim()
  .min(1, 'Enter the 6-digit code from the email.')
  .max(32, 'Enter the 6-digit code from the email.');

export const resetPasswordSchema = z
  .object({
    email,
    code: codeField,
    newPassword,
    confirmPassword: z.string({ error: 'Confirm your new password.' }).min(1, 'Confirm your new password.'),
  })
  .superRefine((data, ctx) => {
    if (data.confirmPassword !== data.newPassword) {
      ctx.addIssue({ code: 'custom', path: ['confirmPassword'], message: 'Passwords do not match.' });
    }
  });

/** The code that verifies an address, for that address (the verification page, the API). */
export const verifyEmailSchema = z.object({ email, code: codeField });

/** A code entered by the signed-in person for their own address (the banner on /account). */
export const ownCodeSchema = z.object({ code: codeField });

/** A code from the authenticator app (6 digits) or a recovery code (xxxx-xxxx-xxxx): one field takes either. */
export const secondFactorField = z
  .string({ error: 'Enter the code from your authenticator app.' })
  .trim()
  .min(1, 'Enter the code from your authenticator app.')
  .max(32, 'Enter the code from your authenticator app, or a recovery code.');

/** The second step of a sign-in; `next` is where the login was going. */
export const secondStepSchema = z.object({ code: secondFactorField, next: z.string().optional().catch(undefined) });
