import 'server-only';
import { after } from 'next/server';
import { recordSecurityEvent } from '@/lib/auth/audit';
import { checkOwnPassword, currentPasswordProblem } from '@/lib/auth/login';
import { hashPassword } from '@/lib/auth/password';
import { COMMON_PASSWORD_MESSAGE, isCommonPassword } from '@/lib/auth/password-policy';
import { revokeSessionsExcept } from '@/lib/db/queries/sessions';
import { setPasswordHash, type PublicUser } from '@/lib/db/queries/users';
import { publicUrl } from '@/lib/env';
import { sendMail } from '@/lib/mail/send';
import { passwordChangedMail } from '@/lib/mail/templates';
import { passwordContextProblem } from '@/lib/validation/fields';

type Field = 'currentPassword' | 'newPassword';
export type PasswordChange = { ok: true; revoked: number } | { ok: false; fieldErrors: Partial<Record<Field, string>>; retryAfterSeconds?: number };

/** The rules a new password must meet beyond its length (shared by change and reset). */
export function newPasswordProblem(password: string, user: Pick<PublicUser, 'username' | 'email'>): string | null {
  return passwordContextProblem(password, user.username, user.email) ?? (isCommonPassword(password) ? COMMON_PASSWORD_MESSAGE : null);
}

/**
 * Changes the signed-in person's password after checking the current one, then ends every other
 * session of theirs (the one making the change stays signed in) and tells them by mail.
 */
export async function changePassword(
  user: PublicUser,
  currentSessionId: string,
  input: { currentPassword: string; newPassword: string },
): Promise<PasswordChange> {
  const check = await checkOwnPassword(user.id, input.currentPassword);
  if (!check.ok) {
    return { ok: false, fieldErrors: { currentPassword: currentPasswordProblem(check) }, retryAfterSeconds: check.retryAfterSeconds };
  }
  const problem = newPasswordProblem(input.newPassword, user);
  if (problem) return { ok: false, fieldErrors: { newPassword: problem } };

  setPasswordHash(user.id, await hashPassword(input.newPassword));
  const revoked = revokeSessionsExcept(user.id, currentSessionId, new Date());
  await recordSecurityEvent(user.id, 'password_changed');
  // If it wasn't them, the mailbox is where they can take the account back.
  after(async () => {
    await sendMail(user.email, await passwordChangedMail('changed', publicUrl('/forgot-password')));
  });
  return { ok: true, revoked };
}
