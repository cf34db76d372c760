import 'server-only';
import { recordSecurityEvent } from '@/lib/auth/audit';
import { CODE_TTL_MINUTES, INVALID_CODE, LINK_TTL_HOURS, checkCode, checkLink, deliverCode, type CodeDelivery } from '@/lib/auth/otp';
import { markCodeUsed, retireCodes } from '@/lib/db/queries/codes';
import { findUserByEmail, findUserById, markEmailVerified, type PublicUser } from '@/lib/db/queries/users';
import { env, publicUrl } from '@/lib/env';
import { sendMail } from '@/lib/mail/send';
import { signupAttemptMail, verificationMail } from '@/lib/mail/templates';
import { afterResponse } from '@/lib/request-scope';
import { currentClient } from '@/lib/security/client-ip';
import { hit, waitText } from '@/lib/security/rate-limit';
import { invalidField, mailUnavailable, rateLimited, type Outcome } from './failure';

// Proving an address (docs/account.md, "Verified email"): a 6-digit code, and when the site's URL
// is known a link in the same mail, through the one-time-code machinery (lib/auth/otp.ts). What
// `EMAIL_VERIFICATION` makes of an unverified account is decided by the callers: registration,
// logIn, the pages.

export const verificationMode = () => env().EMAIL_VERIFICATION;

/** The neutral answer to "send a new code": the same whether the address waits for one or not. */
export const VERIFICATION_CODE_SENT = `If that address is waiting to be verified, we sent a new code to it. It works for ${CODE_TTL_MINUTES} minutes.`;

export const verifyEmailPath = (email: string) => `/verify-email?${new URLSearchParams({ email })}`;

/** Mails a code (and a link, when AUTH_URL is set) to the person's address, within the send limits. */
export function sendVerificationCode(user: Pick<PublicUser, 'id' | 'email'>): Promise<CodeDelivery> {
  const kept = verificationMode() === 'required' ? env().UNVERIFIED_ACCOUNT_DAYS : null;
  const linkUrl = publicUrl('/') ? (link: { id: number; token: string }) => publicUrl(`/auth/verify-email?${new URLSearchParams({ c: String(link.id), t: link.token })}`) : undefined;
  return deliverCode(
    { purpose: 'email_verification', userId: user.id, email: user.email },
    (code, link) => verificationMail(code, CODE_TTL_MINUTES, link, LINK_TTL_HOURS, kept),
    new Date(),
    linkUrl,
  );
}

/** After the answer: a sign-up or login must not wait for mail (nor show by its speed that one went). */
export function sendVerificationCodeLater(user: Pick<PublicUser, 'id' | 'email'>): void {
  afterResponse(() => sendVerificationCode(user));
}

/** To the owner of an address someone tried to sign up with (`required` mode), after the answer. */
export function tellOwnerOfSignupAttempt(email: string): void {
  afterResponse(async () => {
    await sendMail(email, await signupAttemptMail(publicUrl('/login'), publicUrl('/forgot-password')));
  });
}

/**
 * "Send a new code" for an address: the caller always answers VERIFICATION_CODE_SENT; a code goes
 * out (after the answer) only to an account waiting for verification, within the limits.
 */
export async function requestVerificationCode(email: string): Promise<void> {
  // `off`: the site verifies elsewhere, and its accounts' addresses must not get our codes on demand.
  if (verificationMode() === 'off') return;
  if ((await hit('FORGOT_IP', (await currentClient()).limitKey)) > 0) return;
  const user = await findUserByEmail(email);
  if (user && !user.emailVerifiedAt) sendVerificationCodeLater(user);
}

/** The same for the signed-in person (the banner on /account): they may hear how long to wait. */
export async function resendOwnVerificationCode(user: PublicUser): Promise<Outcome> {
  if (user.emailVerifiedAt) return { ok: true };
  const delivery = await sendVerificationCode(user);
  if ('retryAfterSeconds' in delivery) {
    const message = `A code was sent a moment ago. You can ask for another in ${waitText(delivery.retryAfterSeconds)}.`;
    return rateLimited(delivery.retryAfterSeconds, { message, field: 'code' });
  }
  return delivery.ok ? { ok: true } : mailUnavailable('code');
}

/** A right code or link: used once, and the address verified while it is still the one it went to. */
async function useProof(codeId: number, userId: number, email: string): Promise<Outcome<{ user: PublicUser }>> {
  if (!(await markCodeUsed(codeId, new Date()))) return invalidField('code', INVALID_CODE);
  const marked = await markEmailVerified(userId, email);
  return marked ? { ok: true, user: await verified(marked) } : invalidField('code', INVALID_CODE);
}

async function verified(user: PublicUser): Promise<PublicUser> {
  // The link and the code are one proof: whichever came back, the other is done.
  for (const purpose of ['email_verification', 'email_verification_link'] as const) await retireCodes({ purpose, userId: user.id }, new Date());
  await recordSecurityEvent(user.id, 'email_verified');
  return user;
}

/**
 * The code from the mail, for an address: verifies it. A wrong, used or expired code, an address
 * nobody has, and one already verified all get the same INVALID_CODE. Tries are counted per
 * client, per code and per account before the compare (lib/auth/otp.ts).
 */
export async function verifyEmailWithCode(email: string, code: string): Promise<Outcome<{ user: PublicUser }>> {
  const wait = await hit('CODE_IP', (await currentClient()).limitKey);
  if (wait > 0) return rateLimited(wait, { field: 'code' });
  const user = await findUserByEmail(email);
  if (!user || user.emailVerifiedAt) return invalidField('code', INVALID_CODE);
  const checked = await checkCode({ purpose: 'email_verification', userId: user.id }, code.trim(), new Date(), user.email);
  return checked ? useProof(checked.id, user.id, checked.email) : invalidField('code', INVALID_CODE);
}

/** The link from the mail (`/auth/verify-email?c=…&t=…`): the same proof, within the per-client limit. */
export async function verifyEmailWithLink(linkId: number, token: string): Promise<Outcome<{ user: PublicUser }>> {
  const wait = await hit('CODE_IP', (await currentClient()).limitKey);
  if (wait > 0) return rateLimited(wait);
  const checked = await checkLink('email_verification', linkId, token);
  return checked ? useProof(checked.id, checked.userId, checked.email) : invalidField('code', INVALID_CODE);
}

/**
 * After a reset by code or a confirmed email change: a code sent to the address came back, which
 * proves it as well as a verification code would.
 */
export async function addressProved(user: PublicUser): Promise<PublicUser> {
  if (user.emailVerifiedAt) return user;
  const marked = await markEmailVerified(user.id, user.email);
  return marked ? verified(marked) : ((await findUserById(user.id)) ?? user);
}
