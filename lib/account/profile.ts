import 'server-only';
import { recordSecurityEvent } from '@/lib/auth/audit';
import { verifyPassword } from '@/lib/auth/password';
import { TakenError, getPasswordHash, updateUser, type ProfileChanges, type PublicUser } from '@/lib/db/queries/users';
import { PROFILE_FIELDS, type ProfileField } from '@/lib/validation/profile';

export const TAKEN_MESSAGES = {
  username: 'That username is already taken.',
  email: 'An account with this email already exists.',
} as const;

export type ProfileUpdate =
  | { ok: true; user: PublicUser; changed: ProfileField[] }
  | { ok: false; fieldErrors: Partial<Record<ProfileField | 'currentPassword', string>>; conflict?: never }
  | { ok: false; conflict: true; fieldErrors?: never };

/**
 * Applies validated profile changes for the signed-in person (partial or full: the caller passes
 * what it validated). All or nothing: a taken username or email, or a wrong password for an email
 * change, changes nothing. `expectedUpdatedAt` makes a full replace refuse to overwrite a profile
 * that changed since the form was loaded (another tab).
 */
export async function updateProfile(
  current: PublicUser,
  changes: ProfileChanges,
  options: { currentPassword?: string; expectedUpdatedAt?: Date } = {},
): Promise<ProfileUpdate> {
  const changed = PROFILE_FIELDS.filter((field) => changes[field] !== undefined && changes[field] !== current[field]);
  if (changed.length === 0) return { ok: true, user: current, changed };

  if (changed.includes('email')) {
    if (!options.currentPassword) {
      return { ok: false, fieldErrors: { currentPassword: 'Enter your current password to change your email.' } };
    }
    const hash = getPasswordHash(current.id);
    if (!hash || !(await verifyPassword(options.currentPassword, hash))) {
      return { ok: false, fieldErrors: { currentPassword: 'That is not your current password.' } };
    }
  }

  const update = Object.fromEntries(changed.map((field) => [field, changes[field]])) as ProfileChanges;
  let user: PublicUser | null;
  try {
    user = updateUser(current.id, update, new Date(), options.expectedUpdatedAt);
  } catch (error) {
    if (error instanceof TakenError) return { ok: false, fieldErrors: { [error.field]: TAKEN_MESSAGES[error.field] } };
    throw error;
  }
  if (!user) return { ok: false, conflict: true };

  if (changed.includes('username')) await recordSecurityEvent(user.id, 'username_changed');
  if (changed.includes('email')) await recordSecurityEvent(user.id, 'email_changed');
  if (changed.some((field) => field !== 'username' && field !== 'email')) await recordSecurityEvent(user.id, 'profile_updated');
  return { ok: true, user, changed };
}
