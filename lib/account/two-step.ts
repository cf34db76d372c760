import 'server-only';
import { recordSecurityEvent } from '@/lib/auth/audit';
import { newRecoveryCodes, normaliseRecoveryCode, recoveryCodeHashes } from '@/lib/auth/recovery-codes';
import { useSecondFactor } from '@/lib/auth/second-factor';
import { requireRecentAuth, type Proof, type Session } from '@/lib/auth/step-up';
import { groupedKey, newTotpSecret, revealTotpSecret, sealTotpSecret, totpStep, totpUri } from '@/lib/auth/totp';
import { Rollback, step, transaction, type Db } from '@/lib/db/client';
import {
  confirmTotp,
  countRecoveryCodes,
  deleteRecoveryCodes,
  deleteTotp,
  findTotp,
  holdConfirmedTotp,
  insertRecoveryCodes,
  savePendingTotp,
} from '@/lib/db/queries/two-step';
import type { PublicUser } from '@/lib/db/queries/users';
import { publicUrl } from '@/lib/env';
import { sendMail } from '@/lib/mail/send';
import { twoStepChangedMail } from '@/lib/mail/templates';
import { afterResponse } from '@/lib/request-scope';
import { conflict, invalidField, type Outcome } from './failure';

// Two-step verification on /account/security (and the operator's reset): set up an authenticator
// app, confirm it with a code, get recovery codes; new codes; turn it off. Every change needs a
// recent authentication and mails the person.

export type TwoStepStatus = {
  /** An authenticator app is confirmed: sign-ins take a second step. */
  on: boolean;
  recoveryCodesLeft: number;
  /** A setup waiting for its first code: the key to show again. */
  pending: { key: string; uri: string } | null;
};

export type TotpSetup = { key: string; uri: string };

/** Mails the person, after the answer, that how their account signs in changed (whoever changed it). */
export const mailSignInChange = (user: Pick<PublicUser, 'email'>, change: Parameters<typeof twoStepChangedMail>[0]) =>
  afterResponse(async () => {
    await sendMail(user.email, await twoStepChangedMail(change, publicUrl('/account/security'), publicUrl('/forgot-password')));
  });

export async function twoStepStatus(user: Pick<PublicUser, 'id' | 'username'>): Promise<TwoStepStatus> {
  const totp = await findTotp(user.id);
  const on = Boolean(totp?.confirmedAt);
  const base32 = totp && !on ? revealTotpSecret(user.id, totp.secret) : null;
  return {
    on,
    recoveryCodesLeft: on ? await countRecoveryCodes(user.id) : 0,
    pending: base32 ? { key: groupedKey(base32), uri: totpUri(base32, user.username) } : null,
  };
}

/** A new secret for the app, stored unconfirmed (a setup left halfway is replaced by the next). */
export async function startTotpSetup(session: Session & { user: Pick<PublicUser, 'id' | 'username'> }, proof?: Proof, now = new Date()): Promise<Outcome<{ setup: TotpSetup }>> {
  const recent = await requireRecentAuth(session, proof, now);
  if (!recent.ok) return recent;
  const base32 = newTotpSecret();
  if (!(await savePendingTotp(session.user.id, sealTotpSecret(session.user.id, base32), now))) return conflict();
  return { ok: true, setup: { key: groupedKey(base32), uri: totpUri(base32, session.user.username) } };
}

const replaceRecoveryCodes = (tx: Db, userId: number, codes: string[], now: Date) =>
  insertRecoveryCodes(tx, userId, codes.map((code) => recoveryCodeHashes(userId, normaliseRecoveryCode(code)!)[0]!), now);

/**
 * The first code from the app turns two-step verification on, with ten recovery codes, shown
 * once. The code's step counts as used. Needs the authentication to be still recent.
 */
export async function confirmTotpSetup(session: Session & { user: Pick<PublicUser, 'id' | 'email'> }, code: string, now = new Date()): Promise<Outcome<{ recoveryCodes: string[] }>> {
  const recent = await requireRecentAuth(session, {}, now);
  if (!recent.ok) return recent;
  const userId = session.user.id;
  const pending = await findTotp(userId);
  if (!pending || pending.confirmedAt) return conflict();
  const at = totpStep(userId, pending.secret, code, now.getTime());
  if (at === null) return invalidField('code', 'That code didn’t work. Check that the app shows Gatehouse, and enter its current code.');
  const codes = newRecoveryCodes();
  const confirmed = await transaction(function* (tx) {
    if ((yield* step(confirmTotp(tx, userId, pending.secret, at, now))).length === 0) throw new Rollback();
    yield* step(deleteRecoveryCodes(tx, userId));
    yield* step(replaceRecoveryCodes(tx, userId, codes, now));
    return true;
  });
  if (!confirmed) return conflict();
  await recordSecurityEvent(userId, 'two_step_enabled', now);
  mailSignInChange(session.user, 'enabled');
  return { ok: true, recoveryCodes: codes };
}

/** Ten new recovery codes; the old ones stop working. */
export async function regenerateRecoveryCodes(session: Session & { user: Pick<PublicUser, 'id' | 'email'> }, proof?: Proof, now = new Date()): Promise<Outcome<{ recoveryCodes: string[] }>> {
  const recent = await requireRecentAuth(session, proof, now);
  if (!recent.ok) return recent;
  const userId = session.user.id;
  if (!(await findTotp(userId))?.confirmedAt) return conflict();
  const codes = newRecoveryCodes();
  const replaced = await transaction(function* (tx) {
    // Still on: a "turn off" that landed meanwhile must not be followed by fresh codes.
    if ((yield* step(holdConfirmedTotp(tx, userId))).length === 0) throw new Rollback();
    yield* step(deleteRecoveryCodes(tx, userId));
    yield* step(replaceRecoveryCodes(tx, userId, codes, now));
    return true;
  });
  if (!replaced) return conflict();
  await recordSecurityEvent(userId, 'recovery_codes_regenerated', now);
  mailSignInChange(session.user, 'regenerated');
  return { ok: true, recoveryCodes: codes };
}

/** Turning it off takes a recent authentication and a current code (or a recovery code). */
export async function disableTwoStep(session: Session & { user: Pick<PublicUser, 'id' | 'email'> }, code: string, proof?: Proof, now = new Date()): Promise<Outcome> {
  const recent = await requireRecentAuth(session, proof, now);
  if (!recent.ok) return recent;
  const userId = session.user.id;
  if (!(await findTotp(userId))?.confirmedAt) return conflict();
  const used = await useSecondFactor(userId, code, {}, now);
  if (!used.ok) return used;
  await removeTwoStep(userId);
  await recordSecurityEvent(userId, 'two_step_disabled', now);
  mailSignInChange(session.user, 'disabled');
  return { ok: true };
}

/** Removes the authenticator app and the recovery codes (turning off, the operator's reset). */
export async function removeTwoStep(userId: number): Promise<boolean> {
  const removed = await transaction(function* (tx) {
    const gone = yield* step(deleteTotp(tx, userId));
    yield* step(deleteRecoveryCodes(tx, userId));
    return gone.length > 0;
  });
  return removed ?? false;
}
