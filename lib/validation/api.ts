// The JSON API's request bodies, built from the same field rules as the forms. Unknown fields are
// refused (strict objects): a typo like `firstname` must not look like a successful no-op.
import { z } from 'zod';
import { checkPasswordContext, codeField, loginField, passwordField, registrationFields, secondFactorField } from './auth';
import { email, newPassword } from './fields';
import { currentPassword, profileFields } from './profile';
import { PROVIDER_IDS } from '@/lib/db/values';

export const apiRegisterBody = z.strictObject(registrationFields).superRefine(checkPasswordContext);

export const apiTokenBody = z.strictObject({ login: loginField, password: passwordField });

/** The second step: the `mfa_token` from the first, and a code from the authenticator app or a recovery code. */
export const apiSecondStepBody = z.strictObject({
  mfa_token: z.string({ error: 'Send the mfa_token from POST /api/v1/auth/token.' }).min(1).max(256),
  code: secondFactorField,
});

/** PATCH: any subset of the profile; the email changes only through its confirmation. */
export const EMAIL_THROUGH_CONFIRMATION = 'The email changes through POST /api/v1/users/{username}/email, which sends a confirmation code.';

export const apiPatchProfileBody = z
  .strictObject(profileFields)
  .partial()
  .extend({ email: z.never({ error: EMAIL_THROUGH_CONFIRMATION }).optional() });

/** PUT: the whole profile; `email` must be the current one (changing it needs its confirmation). */
export const apiPutProfileBody = z.strictObject(profileFields);

/** The proof an email change or a deletion carries: the password, or a code from the authenticator app (or a recovery code). */
export const apiEmailChangeBody = z.strictObject({ newEmail: email, currentPassword: currentPassword.optional(), code: secondFactorField.optional() });

export const apiEmailConfirmBody = z.strictObject({ code: codeField });

export const apiDeleteBody = z.strictObject({ password: currentPassword.optional(), code: secondFactorField.optional() });

export const apiChangePasswordBody = z
  .strictObject({ currentPassword, newPassword })
  .refine((data) => data.newPassword !== data.currentPassword, {
    path: ['newPassword'],
    message: 'Choose a password different from your current one.',
  });

/**
 * A sensitive change from a session that hasn't authenticated in the last 10 minutes carries its
 * proof: the password, or a code from the authenticator app (or a recovery code).
 */
const reauthentication = { currentPassword: passwordField.optional(), code: secondFactorField.optional() };

export const apiStartTwoStepBody = z.strictObject(reauthentication);
export const apiConfirmTwoStepBody = z.strictObject({ code: secondFactorField });
export const apiRecoveryCodesBody = z.strictObject(reauthentication);
/** `code` turns it off (a current code or a recovery code); `currentPassword`, when given, is the recent authentication. */
export const apiDisableTwoStepBody = z.strictObject({ code: secondFactorField, currentPassword: passwordField.optional() });

export const apiTwoStepSetupResponse = z.object({
  key: z.string().describe('The shared secret in base32, grouped in fours, for typing into an app'),
  uri: z.string().describe('The otpauth:// URI an app scans or opens'),
});
export const apiRecoveryCodesResponse = z.object({ recoveryCodes: z.array(z.string()).describe('Shown once: ten single-use codes') });

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
export const apiMfa = z.object({
  totp: z.boolean().describe('Two-step verification with an authenticator app is on'),
  passkeys: z.number().int().describe('Passkeys registered'),
  recoveryCodesLeft: z.number().int(),
});
export const apiIdentity = z.object({
  provider: z.enum(PROVIDER_IDS).describe('A sign-in provider connected to the account'),
  email: z.string().nullable().describe('The address the provider gave at the last sign-in'),
  linkedAt: z.iso.datetime(),
});
export const apiMeResponse = z.object({ user: apiUser, mfa: apiMfa, identities: z.array(apiIdentity) });
export const apiUserWithTokenResponse = z.object({ user: apiUser, access_token: z.string().optional() });
export const apiAccessTokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
});
export const apiTokenResponse = apiAccessTokenResponse.extend({ user: apiUser });
export const apiSecondStepResponse = apiTokenResponse.extend({
  recoveryCodesLeft: z.number().int().optional().describe('Present when a recovery code was used: how many unused ones are left'),
});
export const apiMfaRequiredResponse = z.object({
  error: z.object({ code: z.literal('mfa_required'), message: z.string() }),
  mfa_token: z.string().describe('For POST /api/v1/auth/token/mfa: 5 minutes, used once, 5 wrong codes'),
});
export const apiMessageResponse = z.object({ message: z.string() });
export const apiVerificationSentResponse = z.object({ status: z.literal('verification_sent'), message: z.string() });
export const apiErrorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.record(z.string(), z.string()).optional(),
  }),
});
