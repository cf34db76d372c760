import 'server-only';
import { recordSecurityEvent } from '@/lib/auth/audit';
import type { Session } from '@/lib/auth/step-up';
import { TakenError, findUserForLogin, updateUser, type ProfileChanges, type PublicUser } from '@/lib/db/queries/users';
import { currentClient } from '@/lib/security/client-ip';
import { hit, waitText } from '@/lib/security/rate-limit';
import { PROFILE_FIELDS, type ProfileField } from '@/lib/validation/profile';
import { cancelEmailChange, startEmailChange } from './email-change';
import { conflict, rateLimited, taken, type Outcome } from './failure';

/** `emailPending`: the new address a confirmation code went to; the email itself is unchanged. */
export type ProfileUpdate = Outcome<{ user: PublicUser; changed: ProfileField[]; emailPending?: string }>;

/**
 * Applies validated profile changes for the signed-in person (partial or full: the caller passes
 * what it validated). All or nothing: a taken username, or a wrong password for an email change,
 * changes nothing. `expectedUpdatedAt` makes a full replace refuse to overwrite a profile that
 * changed since the form was loaded (another tab). A new email starts an email change
 * (email-change.ts): only its code goes out. Whether a username is taken is an answer about
 * someone else, so username changes are limited per account and per client.
 */
export async function updateProfile(
  current: PublicUser,
  changes: ProfileChanges,
  options: { currentPassword?: string; expectedUpdatedAt?: Date; session?: Session } = {},
): Promise<ProfileUpdate> {
  const changed = PROFILE_FIELDS.filter((field) => changes[field] !== undefined && changes[field] !== current[field]);
  if (changed.length === 0) return { ok: true, user: current, changed };
  const direct = changed.filter((field) => field !== 'email');

  if (direct.includes('username')) {
    const wait = Math.max(await hit('TAKEN_ACCOUNT', `user:${current.id}`), await hit('TAKEN_IP', (await currentClient()).limitKey));
    if (wait > 0) return rateLimited(wait, { message: `Too many username changes. Try again in ${waitText(wait)}.`, field: 'username' });
  }
  const stale = options.expectedUpdatedAt !== undefined && options.expectedUpdatedAt.getTime() !== current.updatedAt.getTime();
  if (stale) return conflict();

  if (changed.includes('email')) {
    // Everything that can refuse is asked before the code goes out, so a refusal sends nothing.
    const other = direct.includes('username') ? await findUserForLogin(changes.username!) : undefined;
    if (other && other.id !== current.id) return taken('username');
    const started = await startEmailChange(current, changes.email!, { password: options.currentPassword, session: options.session });
    if (!started.ok) return started;
  }

  let user: PublicUser | null = current;
  if (direct.length > 0) {
    try {
      user = await updateUser(current.id, Object.fromEntries(direct.map((field) => [field, changes[field]])), new Date(), options.expectedUpdatedAt);
    } catch (error) {
      if (!(error instanceof TakenError)) throw error;
      await cancelEmailChange(current.id);
      return taken(error.field);
    }
  }
  if (!user) {
    await cancelEmailChange(current.id);
    return conflict();
  }

  if (changed.includes('username')) await recordSecurityEvent(user.id, 'username_changed');
  if (direct.some((field) => field !== 'username')) await recordSecurityEvent(user.id, 'profile_updated');
  return changed.includes('email') ? { ok: true, user, changed: direct, emailPending: changes.email! } : { ok: true, user, changed };
}
