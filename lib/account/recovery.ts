import 'server-only';
import { afterResponse } from '@/lib/request-scope';
import { recordSecurityEvent } from '@/lib/auth/audit';
import { CODE_TTL_MINUTES, INVALID_CODE, checkCode, deliverCode } from '@/lib/auth/otp';
import { markCodeUsed } from '@/lib/db/queries/codes';
import { clearLoginFailures } from '@/lib/auth/login';
import { hashPassword } from '@/lib/auth/password';
import { replacePassword } from '@/lib/auth/session';
import { findUserByEmail, type PublicUser } from '@/lib/db/queries/users';
import { publicUrl } from '@/lib/env';
import { sendMail } from '@/lib/mail/send';
import { codeMail, passwordChangedMail } from '@/lib/mail/templates';
import { currentClient } from '@/lib/security/client-ip';
import { hit } from '@/lib/security/rate-limit';
import { invalidField, rateLimited, type Outcome } from './failure';
import { newPasswordProblem } from './password';
import { addressProved } from './verification';

/** Always the same answer, registered address or not. */
export const CODE_SENT = `If an account exists for that address, we sent a code to it. It works for ${CODE_TTL_MINUTES} minutes.`;

/**
 * Starts a password reset. Whatever the address, the caller answers the same thing at the same
 * speed: the response waits only for one indexed lookup; issuing the code (the limit check, the
 * insert) and the mail happen after the response (`afterResponse`). Over the limit, nothing is sent.
 */
export async function requestPasswordReset(email: string): Promise<void> {
  // Over the per-IP limit nothing is sent, and the answer stays the same.
  if ((await hit('FORGOT_IP', (await currentClient()).limitKey)) > 0) return;
  const user = await findUserByEmail(email);
  if (!user) return;
  afterResponse(async () => {
    await deliverCode({ purpose: 'password_reset', userId: user.id, email: user.email }, (code) =>
      codeMail('password_reset', code, CODE_TTL_MINUTES, publicUrl(`/reset-password?email=${encodeURIComponent(user.email)}`)),
    );
  });
}

/** `passwordHash`: the new hash, for a session that starts only while it is still the password. */
export type ResetResult = Outcome<{ user: PublicUser; passwordHash: string }>;

/**
 * Sets a new password with an emailed code, ends every session of that person, marks the address
 * verified, and tells them by mail. Rules that need no account (common passwords, the typed email) are checked first, so a
 * rejected password doesn't spend a try; the rule about the username only once the code is right,
 * so this form can't be used to test guesses of someone's username.
 */
export async function resetPassword(input: { email: string; code: string; newPassword: string }): Promise<ResetResult> {
  const early = newPasswordProblem(input.newPassword, { username: '', email: input.email });
  if (early) return invalidField('newPassword', early);
  const wait = await hit('CODE_IP', (await currentClient()).limitKey);
  if (wait > 0) return rateLimited(wait, { field: 'code' });
  const user = await findUserByEmail(input.email);
  const checked = user && (await checkCode({ purpose: 'password_reset', userId: user.id }, input.code, new Date(), user.email));
  if (!user || !checked) return invalidField('code', INVALID_CODE);
  const late = newPasswordProblem(input.newPassword, user);
  if (late) return invalidField('newPassword', late);
  if (!(await markCodeUsed(checked.id, new Date()))) return invalidField('code', INVALID_CODE);

  const passwordHash = await hashPassword(input.newPassword);
  // The code, used up above, is the authority: the reset replaces whatever password is there.
  if (!(await replacePassword({ userId: user.id, passwordHash, keepSessionId: null }))) return invalidField('code', INVALID_CODE);
  await clearLoginFailures(user.id);
  await recordSecurityEvent(user.id, 'password_reset');
  // The code came back from this address: it is proved, as by a verification code.
  const proved = await addressProved(user);
  afterResponse(async () => {
    await sendMail(user.email, await passwordChangedMail('reset', publicUrl('/forgot-password')));
  });
  return { ok: true, user: proved, passwordHash };
}
