import 'server-only';
import { after } from 'next/server';
import { recordSecurityEvent } from '@/lib/auth/audit';
import { CODE_TTL_MINUTES, consumeCode, discardCode, issueCode } from '@/lib/auth/otp';
import { hashPassword } from '@/lib/auth/password';
import { revokeSessionsExcept } from '@/lib/db/queries/sessions';
import { findUserByEmail, setPasswordHash } from '@/lib/db/queries/users';
import { sendMail } from '@/lib/mail/send';
import { codeMail, passwordChangedMail } from '@/lib/mail/templates';
import { newPasswordProblem } from './password';

/** Always the same answer, registered address or not. */
export const CODE_SENT = `If an account exists for that address, we sent a code to it. It works for ${CODE_TTL_MINUTES} minutes.`;

/**
 * Starts a password reset. Whatever the address, the caller answers the same thing at the same
 * speed: the lookup is one indexed query, and the mail leaves after the response (`after`). A
 * code whose mail fails is discarded, so it neither works nor counts against the limit.
 */
export function requestPasswordReset(email: string): void {
  const user = findUserByEmail(email);
  if (!user) return;
  const issued = issueCode({ purpose: 'password_reset', userId: user.id, email: user.email });
  if ('limited' in issued) return;
  after(async () => {
    const sent = await sendMail(user.email, await codeMail('password_reset', issued.code, CODE_TTL_MINUTES));
    if (!sent.ok) discardCode(issued.id);
  });
}

export const INVALID_CODE = 'That code is invalid or has expired. Check it, or send a new code.';

export type ResetResult = { ok: true } | { ok: false; fieldErrors: { code?: string; newPassword?: string } };

/**
 * Sets a new password with an emailed code, ends every session of that person, and tells them by
 * mail. The password rules are checked before the code, so a rejected password doesn't burn it.
 */
export async function resetPassword(input: { email: string; code: string; newPassword: string }): Promise<ResetResult> {
  const user = findUserByEmail(input.email);
  const problem = newPasswordProblem(input.newPassword, user ?? { username: '', email: input.email });
  if (problem) return { ok: false, fieldErrors: { newPassword: problem } };
  if (!user || !consumeCode({ purpose: 'password_reset', userId: user.id }, input.code)) {
    return { ok: false, fieldErrors: { code: INVALID_CODE } };
  }
  setPasswordHash(user.id, await hashPassword(input.newPassword));
  revokeSessionsExcept(user.id, null, new Date());
  await recordSecurityEvent(user.id, 'password_reset');
  after(async () => {
    await sendMail(user.email, await passwordChangedMail());
  });
  return { ok: true };
}
