import 'server-only';
import { afterResponse } from '@/lib/request-scope';
import { recordSecurityEvent } from '@/lib/auth/audit';
import { CODE_TTL_MINUTES, INVALID_CODE, consumeCode, deliverCode } from '@/lib/auth/otp';
import { proveItsYou, type Proof } from '@/lib/auth/step-up';
import { findLiveCode, retireCodes } from '@/lib/db/queries/codes';
import { TakenError, findUserByEmail, updateUser, type PublicUser } from '@/lib/db/queries/users';
import { publicUrl } from '@/lib/env';
import { sendMail } from '@/lib/mail/send';
import { codeMail, emailChangedMail, emailInUseMail } from '@/lib/mail/templates';
import { currentClient } from '@/lib/security/client-ip';
import { hit, waitText } from '@/lib/security/rate-limit';
import { invalidField, mailUnavailable, rateLimited, sessionEnded, type Failure, type Outcome } from './failure';

// An email change: the current password, then a code to the new address; the address changes only
// when the code comes back (confirmEmailChange), and the old address is told.

/**
 * Checks the proof (the current password, or an authenticator or recovery code) and sends the
 * code; nothing changes until it is confirmed.
 */
export async function startEmailChange(user: PublicUser, newEmail: string, proof: Proof): Promise<Outcome> {
  const check = await proveItsYou(user.id, proof, 'currentPassword', 'Enter your current password to change your email.');
  if (!check.ok) return check;
  return sendEmailChangeCode(user, newEmail);
}

/**
 * Sends (or re-sends) the code that confirms a new address; at most one a minute, five an hour.
 * An address that already has an account gets, instead of a code, a notice that someone tried to
 * move an account to it, and the caller hears exactly what a free address gets (a code is stored
 * all the same, that nobody knows): the profile form must not tell who is registered. The unique
 * index still decides at confirmation.
 */
export async function sendEmailChangeCode(user: PublicUser, newEmail: string): Promise<Outcome> {
  const owner = await findUserByEmail(newEmail);
  const delivery = await deliverCode({ purpose: 'email_change', userId: user.id, email: newEmail }, (code) =>
    owner && owner.id !== user.id ? emailInUseMail(publicUrl('/forgot-password')) : codeMail('email_change', code, CODE_TTL_MINUTES, publicUrl('/account/profile')),
  );
  if ('retryAfterSeconds' in delivery) {
    const message = `A code was sent a moment ago. You can ask for another in ${waitText(delivery.retryAfterSeconds)}.`;
    return rateLimited(delivery.retryAfterSeconds, { message, field: 'email' });
  }
  if (!delivery.ok) return mailUnavailable('email');
  await recordSecurityEvent(user.id, 'email_change_requested');
  return { ok: true };
}

/** Drops a change whose code went out, when what came with it could not be saved. */
export async function cancelEmailChange(userId: number): Promise<void> {
  await retireCodes({ purpose: 'email_change', userId }, new Date());
}

/** The new address waiting for its code, if any. */
export async function pendingEmailChange(userId: number): Promise<string | null> {
  return (await findLiveCode({ purpose: 'email_change', userId }, new Date()))?.email ?? null;
}

const emailTakenMeanwhile = (): Failure => ({
  ok: false,
  kind: 'taken',
  field: 'email',
  message: 'Another account took that address in the meantime.',
  fields: { code: 'Another account took that address in the meantime.' },
});

/** Switches to the new address once its code is entered; the old address gets a notice. */
export async function confirmEmailChange(current: PublicUser, code: string): Promise<Outcome<{ user: PublicUser }>> {
  const wait = await hit('CODE_IP', (await currentClient()).limitKey);
  if (wait > 0) return rateLimited(wait, { field: 'code' });
  const confirmed = await consumeCode({ purpose: 'email_change', userId: current.id }, code.trim());
  if (!confirmed) return invalidField('code', INVALID_CODE);
  let user: PublicUser | null;
  try {
    // The code came back from the new address: it is verified from now on.
    user = await updateUser(current.id, { email: confirmed.email, emailVerifiedAt: new Date() }, new Date());
  } catch (error) {
    if (error instanceof TakenError) return emailTakenMeanwhile();
    throw error;
  }
  if (!user) return sessionEnded();
  // Reset codes mailed to the old address must not outlive it.
  await retireCodes({ purpose: 'password_reset', userId: user.id }, new Date());
  await recordSecurityEvent(user.id, 'email_changed');
  const oldEmail = current.email;
  afterResponse(async () => {
    await sendMail(oldEmail, await emailChangedMail(confirmed.email));
  });
  return { ok: true, user };
}
