import 'server-only';
import { afterResponse } from '@/lib/request-scope';
import { recordSecurityEvent } from '@/lib/auth/audit';
import { hashPassword } from '@/lib/auth/password';
import { COMMON_PASSWORD_MESSAGE, isCommonPassword } from '@/lib/auth/password-policy';
import { checkOwnPassword } from '@/lib/auth/reauth';
import { replacePassword, type StartedSession } from '@/lib/auth/session';
import type { PublicUser } from '@/lib/db/queries/users';
import { publicUrl } from '@/lib/env';
import { sendMail } from '@/lib/mail/send';
import { passwordChangedMail } from '@/lib/mail/templates';
import { passwordContextProblem } from '@/lib/validation/fields';
import { invalidField, sessionEnded, type Outcome } from './failure';

/** `session`: the session that made the change, moved to a new id (and refresh token). */
export type PasswordChange = Outcome<{ revoked: number; session: StartedSession }>;

/** The rules a new password must meet beyond its length (shared by change and reset). */
export function newPasswordProblem(password: string, user: Pick<PublicUser, 'username' | 'email'>): string | null {
  return passwordContextProblem(password, user.username, user.email) ?? (isCommonPassword(password) ? COMMON_PASSWORD_MESSAGE : null);
}

/**
 * Changes the signed-in person's password after checking the current one, then ends every other
 * session of theirs and moves this one to a new id (a copy of it taken before the change dies
 * too), and tells them by mail. The write re-checks, in one transaction, that the password is
 * still the one checked and this session still live: a reset by the owner that lands while an
 * attacker's change is being hashed wins.
 */
export async function changePassword(
  user: PublicUser,
  currentSessionId: string,
  input: { currentPassword: string; newPassword: string },
): Promise<PasswordChange> {
  const check = await checkOwnPassword(user.id, input.currentPassword);
  if (!check.ok) return check;
  const problem = newPasswordProblem(input.newPassword, user);
  if (problem) return invalidField('newPassword', problem);

  const passwordHash = await hashPassword(input.newPassword);
  const replaced = await replacePassword({ userId: user.id, expected: check.hash, passwordHash, keepSessionId: currentSessionId });
  // The session ended, or the password changed elsewhere, while this change was being checked.
  if (!replaced?.session) return sessionEnded();
  await recordSecurityEvent(user.id, 'password_changed');
  // If it wasn't them, the mailbox is where they can take the account back.
  afterResponse(async () => {
    await sendMail(user.email, await passwordChangedMail('changed', publicUrl('/forgot-password')));
  });
  return { ok: true, revoked: replaced.revoked, session: replaced.session };
}
