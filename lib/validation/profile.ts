import { z } from 'zod';
import { dateOfBirth, email, newPassword, personName, username } from './fields';

export const PROFILE_FIELDS = ['username', 'email', 'firstName', 'lastName', 'dateOfBirth'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

export const PROFILE_LABELS: Record<ProfileField, string> = {
  username: 'username',
  email: 'email',
  firstName: 'first name',
  lastName: 'last name',
  dateOfBirth: 'date of birth',
};

/** The profile's fields, written once: forms and API build their shapes from these. */
export const profileFields = {
  username,
  email,
  firstName: personName('First name'),
  lastName: personName('Last name'),
  dateOfBirth,
};

/** Full update (PUT semantics): every field required, the same rules as registration. */
export const profileSchema = z.object(profileFields);

/** Blank means "keep as it is". */
const keepIfBlank = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), schema.optional());

/** Partial update (PATCH semantics): every field optional; only what is filled in changes. */
export const partialProfileSchema = z.object({
  username: keepIfBlank(profileFields.username),
  email: keepIfBlank(profileFields.email),
  firstName: keepIfBlank(profileFields.firstName),
  lastName: keepIfBlank(profileFields.lastName),
  dateOfBirth: keepIfBlank(profileFields.dateOfBirth),
});

export const currentPassword = z
  .string({ error: 'Enter your current password.' })
  .min(1, 'Enter your current password.')
  .max(1024, 'That is not your current password.');

export const changePasswordSchema = z
  .object({
    currentPassword,
    newPassword,
    confirmPassword: z.string({ error: 'Confirm your new password.' }).min(1, 'Confirm your new password.'),
  })
  .superRefine((data, ctx) => {
    if (data.confirmPassword !== data.newPassword) {
      ctx.addIssue({ code: 'custom', path: ['confirmPassword'], message: 'Passwords do not match.' });
    }
    if (data.newPassword === data.currentPassword) {
      ctx.addIssue({ code: 'custom', path: ['newPassword'], message: 'Choose a password different from your current one.' });
    }
  });

export const deleteAccountSchema = z.object({
  // Empty for an account without a password (lib/auth/step-up.ts proveItsYou says what then).
  password: z.string().max(1024, 'That is not your current password.'),
  confirm: z.literal('on', { error: 'Tick the box to confirm you want to delete your account.' }),
});
