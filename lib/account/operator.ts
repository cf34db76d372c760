import 'server-only';
import { deleteAllIdentities } from '@/lib/db/queries/identities';
import { deleteAllPasskeys } from '@/lib/db/queries/passkeys';
import { insertSecurityEvent } from '@/lib/db/queries/security-events';
import { revokeSessionsExcept } from '@/lib/db/queries/sessions';
import type { PublicUser } from '@/lib/db/queries/users';
import { publicUrl } from '@/lib/env';
import { sendMail } from '@/lib/mail/send';
import { twoStepChangedMail } from '@/lib/mail/templates';
import { removeTwoStep } from './two-step';

export type SignInMethodsReset = { twoStep: boolean; passkeys: number; identities: number; sessions: number; mailed: boolean };

/**
 * For a person who lost every second factor, at their request, by the operator (`npm run account
 * -- reset-mfa`): two-step verification, every passkey and every connected account removed, every
 * session ended (whoever holds one of these may be the reason), the event in their activity, and a mail to their address. The
 * password stays; their mailbox (a reset by code) is what they sign in with from here.
 */
export async function resetSignInMethods(user: Pick<PublicUser, 'id' | 'email'>, now = new Date()): Promise<SignInMethodsReset> {
  const twoStep = await removeTwoStep(user.id);
  const passkeys = await deleteAllPasskeys(user.id);
  const identities = await deleteAllIdentities(user.id);
  const sessions = await revokeSessionsExcept(user.id, null, now);
  await insertSecurityEvent({ userId: user.id, type: 'two_step_reset_by_operator', ip: null, detail: null, userAgent: 'Operator command', createdAt: now });
  const mailed = (await sendMail(user.email, await twoStepChangedMail('reset_by_operator', publicUrl('/account/security'), publicUrl('/forgot-password')))).ok;
  return { twoStep, passkeys, identities, sessions, mailed };
}
