import 'server-only';
import { invalid, invalidField, reauthenticationRequired, sessionEnded, type Outcome } from '@/lib/account/failure';
import { markSessionAuthenticated, sessionAuthenticatedAt, sessionConfirmedAt } from '@/lib/db/queries/sessions';
import { getPasswordHash } from '@/lib/db/queries/users';
import { findTotp } from '@/lib/db/queries/two-step';
import { recordSecurityEvent } from './audit';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { checkAssertion } from './passkeys';
import { isUsablePasswordHash } from './password';
import { checkOwnPassword } from './reauth';
import { useSecondFactor } from './second-factor';

// Recent authentication ("sudo mode"): turning two-step verification on or off, new recovery
// codes and passkey changes need the person to have proved who they are in this session within
// the last 10 minutes — at its login, or since with "Confirm it's you" (password, authenticator
// code, recovery code or passkey). A stolen session cookie alone can't lock the owner out.

export const RECENT_AUTH_MS = 10 * 60 * 1000;

const TWO_STEP_OFF = 'Two-step verification is off: confirm with your password.';

export type Session = { user: { id: number }; sessionId: string };

const recent = (at: Date | null, now: Date) => at !== null && now.getTime() - at.getTime() < RECENT_AUTH_MS;

export async function recentlyAuthenticated(session: Session, now = new Date()): Promise<boolean> {
  return recent(await sessionAuthenticatedAt(session.sessionId, now), now);
}

/** "Confirm it's you" passed in this session in the last 10 minutes (its sign-in doesn't count). */
export async function recentlyConfirmed(session: Session, now = new Date()): Promise<boolean> {
  return recent(await sessionConfirmedAt(session.sessionId, now), now);
}

/**
 * What a person may confirm with: a password always; a code when two-step verification is on.
 * `session`: the session asking, whose recent "Confirm it's you" (a fresh sign-in with a provider,
 * a passkey, a code) stands in for the password of an account that has none.
 */
export type Proof = { password?: string; code?: string; session?: Session };

const NO_PASSWORD = 'Your account has no password: confirm it’s you at the top of the security page first, then try again.';

/**
 * "Confirm it's you": a password (on the login budget, like a login) or a code from the
 * authenticator app or a recovery code; the session counts as recently authenticated from now.
 */
export async function confirmIdentity(session: Session, proof: Proof, now = new Date()): Promise<Outcome> {
  const userId = session.user.id;
  let checked: Outcome;
  if (proof.code) checked = (await findTotp(userId))?.confirmedAt ? await useSecondFactor(userId, proof.code, {}, now) : invalidField('code', TWO_STEP_OFF);
  else if (proof.password) checked = await checkOwnPassword(userId, proof.password, 'password');
  else checked = invalid({ password: 'Enter your password.' }, 'Enter your password.');
  if (!checked.ok) return checked;
  if (!(await markSessionAuthenticated(session.sessionId, now))) return sessionEnded();
  await recordSecurityEvent(userId, 'reauthenticated', now);
  return { ok: true };
}

/** "Confirm it's you" with one of the person's passkeys. */
export async function confirmIdentityWithPasskey(session: Session, response: AuthenticationResponseJSON, now = new Date()): Promise<Outcome> {
  const checked = await checkAssertion(response, 'reauthenticate', session.user.id, now);
  if (!checked.ok) return checked;
  if (!(await markSessionAuthenticated(session.sessionId, now))) return sessionEnded();
  await recordSecurityEvent(session.user.id, 'reauthenticated', now);
  return { ok: true };
}

/**
 * The proof an email change or a deletion carries in its own request (the form's password field;
 * the API's `currentPassword` or `code`): the password, or a code from the app or a recovery
 * code. These two always ask, however recent the session's sign-in: neither must be one click
 * away for whoever holds an unlocked browser. Answers the password hash as it stands, for the
 * write's compare-and-swap. `field` is where the form shows a problem.
 */
export async function proveItsYou(userId: number, proof: Proof, field: string, missing: string, now = new Date()): Promise<Outcome<{ hash: string }>> {
  if (proof.password) return checkOwnPassword(userId, proof.password, field);
  if (!proof.code && proof.session) {
    const hash = await getPasswordHash(userId);
    if (hash && !isUsablePasswordHash(hash)) {
      return (await recentlyConfirmed(proof.session, now)) ? { ok: true, hash } : { ...reauthenticationRequired(), message: NO_PASSWORD, fields: { [field]: NO_PASSWORD } };
    }
  }
  if (!proof.code) return { ...reauthenticationRequired(), message: missing, fields: { [field]: missing } };
  if (!(await findTotp(userId))?.confirmedAt) return invalidField('code', TWO_STEP_OFF);
  const used = await useSecondFactor(userId, proof.code, {}, now);
  if (!used.ok) return used;
  const hash = await getPasswordHash(userId);
  return hash ? { ok: true, hash } : sessionEnded();
}

/**
 * Before a sensitive change: fine when the session authenticated recently; else the proof sent
 * with the request (the API's `currentPassword` or `code`) is checked; else `reauthentication_required`.
 */
export async function requireRecentAuth(session: Session, proof: Proof = {}, now = new Date()): Promise<Outcome> {
  if (await recentlyAuthenticated(session, now)) return { ok: true };
  if (proof.password || proof.code) return confirmIdentity(session, proof, now);
  return reauthenticationRequired();
}
