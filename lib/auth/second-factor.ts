import 'server-only';
import { rateLimited, wrongSecondFactor, type Outcome } from '@/lib/account/failure';
import { Rollback, step, transaction, type Db } from '@/lib/db/client';
import { acceptTotpStep, countRecoveryCodes, findTotp, useRecoveryCode } from '@/lib/db/queries/two-step';
import { findUserById } from '@/lib/db/queries/users';
import { publicUrl } from '@/lib/env';
import { sendMail } from '@/lib/mail/send';
import { recoveryCodeUsedMail } from '@/lib/mail/templates';
import { afterResponse } from '@/lib/request-scope';
import { clear, hit } from '@/lib/security/rate-limit';
import { recordSecurityEvent } from './audit';
import { currentDeviceCookie } from './device';
import { passwordBudget } from './password-budget';
import { normaliseRecoveryCode, recoveryCodeHashes } from './recovery-codes';
import { isTotpCode, totpStep } from './totp';

// A code from the authenticator app or a recovery code, wherever one is asked for: the second
// step of a sign-in, "Confirm it's you", turning two-step verification off. Each try counts
// against the person's password budget (from this browser) before it is checked, like a password,
// and against a budget of the account's own that only a right code resets.

export type UsedFactor = { kind: 'totp' } | { kind: 'recovery_code'; left: number };

/** A statement that must succeed with the code, in its transaction (e.g. using the login challenge). */
type Alongside = (tx: Db) => PromiseLike<unknown[]>;

/**
 * Checks and uses `code` for the person: an authenticator code only for a step later than the
 * last one accepted, a recovery code only while unused (then it is gone, a notice mail goes out,
 * and the answer says how many are left). `alongside` runs in the same transaction and must touch
 * a row, or nothing is used. A wrong code is recorded in their activity.
 */
export async function useSecondFactor(userId: number, code: string, options: { alongside?: Alongside; field?: string } = {}, now = new Date()): Promise<Outcome<{ used: UsedFactor }>> {
  const budget = passwordBudget(userId, '', await currentDeviceCookie());
  const account = `user:${userId}`;
  const wait = Math.max(await hit(budget.name, budget.key), await hit('SECOND_FACTOR_ACCOUNT', account));
  if (wait > 0) return rateLimited(wait, { field: options.field ?? 'code' });

  const consume = await consumer(userId, code, now);
  const used =
    consume &&
    (await transaction(function* (tx) {
      const consumed = yield* step(consume.statement(tx));
      if (consumed.length === 0) throw new Rollback();
      if (options.alongside && (yield* step(options.alongside(tx))).length === 0) throw new Rollback();
      return consume.kind;
    }));
  if (!used) {
    await recordSecurityEvent(userId, 'second_step_failed', now);
    return wrongSecondFactor(options.field);
  }
  await Promise.all([clear(budget.name, budget.key), clear('SECOND_FACTOR_ACCOUNT', account)]);
  if (used === 'totp') return { ok: true, used: { kind: 'totp' } };

  const left = await countRecoveryCodes(userId);
  await recordSecurityEvent(userId, 'recovery_code_used', now);
  afterResponse(async () => {
    const user = await findUserById(userId);
    if (user) await sendMail(user.email, await recoveryCodeUsedMail(left, publicUrl('/account/security'), publicUrl('/forgot-password')));
  });
  return { ok: true, used: { kind: 'recovery_code', left } };
}

/** The statement that uses this code, when it is one worth trying. */
async function consumer(userId: number, code: string, now: Date): Promise<{ kind: UsedFactor['kind']; statement: Alongside } | null> {
  if (isTotpCode(code)) {
    const totp = await findTotp(userId);
    const at = totp?.confirmedAt ? totpStep(userId, totp.secret, code, now.getTime()) : null;
    return at === null ? null : { kind: 'totp', statement: (tx: Db) => acceptTotpStep(tx, userId, at) };
  }
  const normalised = normaliseRecoveryCode(code);
  if (!normalised) return null;
  const hashes = recoveryCodeHashes(userId, normalised);
  return { kind: 'recovery_code', statement: (tx: Db) => useRecoveryCode(tx, userId, hashes) };
}
