// The JSON API's request bodies, built from the same field rules as the forms. Unknown fields are
// refused (strict objects): a typo like `firstname` must not look like a successful no-op.
import { z } from 'zod';
import { checkPasswordContext, codeField, loginField, passwordField, registrationFields } from './auth';
import { email, newPassword } from './fields';
import { currentPassword, profileFields } from './profile';

export const apiRegisterBody = z.strictObject(registrationFields).superRefine(checkPasswordContext);

export const apiTokenBody = z.strictObject({ login: loginField, password: passwordField });

/** PATCH: any subset of the profile; the email changes only through its confirmation. */
export const EMAIL_THROUGH_CONFIRMATION = 'The email changes through POST /api/v1/users/{username}/email, which sends a confirmation code.';

export const apiPatchProfileBody = z
  .strictObject(profileFields)
  .partial()
  .extend({ email: z.never({ error: EMAIL_THROUGH_CONFIRMATION }).optional() });

/** PUT: the whole profile; `email` must be the current one (changing it needs its confirmation). */
export const apiPutProfileBody = z.strictObject(profileFields);

export const apiEmailChangeBody = z.strictObject({ newEmail: email, currentPassword });

export const apiEmailConfirmBody = z.strictObject({ code: codeField });

export const apiDeleteBody = z.strictObject({ password: currentPassword });

export const apiChangePasswordBody = z
  .strictObject({ currentPassword, newPassword })
  .refine((data) => data.newPassword !== data.currentPassword, {
    path: ['newPassword'],
    message: 'Choose a password different from your current one.',
  });

export const apiForgotBody = z.strictObject({ email });

export const apiResetBody = z.strictObject({ email, code: codeField, newPassword });

export const apiVerifyEmailBody = z.strictObject({ email, code: codeField });

export const apiResendVerificationBody = z.strictObject({ email });

/** What the API says about a person: never a hash. Dates are ISO 8601. */
export const apiUser = z.object({
  id: z.number().int(),
  username: z.string(),
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  dateOfBirth: z.string().describe('YYYY-MM-DD'),
  emailVerified: z.boolean().describe('Whether a code or link sent to `email` came back (docs/account.md, "Verified email")'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type ApiUser = z.infer<typeof apiUser>;

export const apiUserResponse = z.object({ user: apiUser });
export const apiUserWithTokenResponse = z.object({ user: apiUser, access_token: z.string().optional() });
export const apiAccessTokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
});
export const apiTokenResponse = apiAccessTokenResponse.extend({ user: apiUser });
export const apiMessageResponse = z.object({ message: z.string() });
export const apiVerificationSentResponse = z.object({ status: z.literal('verification_sent'), message: z.string() });
export const apiErrorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.record(z.string(), z.string()).optional(),
  }),
});
