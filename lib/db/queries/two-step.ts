import 'server-only';
import { and, count, eq, gt, inArray, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import { getDb, getTables, type Db } from '../client';
import type { SignInMethod } from '../values';

// Two-step verification's rows: the authenticator app's secret, recovery codes, and first steps
// waiting for their second (lib/auth/second-step.ts). Every acceptance is one conditional
// statement, so two requests with one code can't both pass.

/** The person's authenticator app, confirmed or still being set up. */
export async function findTotp(userId: number) {
  const { totpFactors } = getTables();
  const [row] = await getDb().select().from(totpFactors).where(eq(totpFactors.userId, userId));
  return row;
}

/** A new setup: replaces one that was never confirmed; does nothing while one is confirmed. */
export async function savePendingTotp(userId: number, secret: string, now: Date): Promise<boolean> {
  const { totpFactors } = getTables();
  const saved = await getDb()
    .insert(totpFactors)
    .values({ userId, secret, createdAt: now })
    .onConflictDoUpdate({ target: totpFactors.userId, set: { secret, createdAt: now }, setWhere: isNull(totpFactors.confirmedAt) })
    .returning({ userId: totpFactors.userId });
  return saved.length === 1;
}

/** Confirms the setup whose secret is `secret` (the one the code was checked against), at `step`. */
export function confirmTotp(db: Db, userId: number, secret: string, step: number, now: Date) {
  const { totpFactors } = getTables();
  return db
    .update(totpFactors)
    .set({ confirmedAt: now, lastStep: step })
    .where(and(eq(totpFactors.userId, userId), eq(totpFactors.secret, secret), isNull(totpFactors.confirmedAt)))
    .returning({ userId: totpFactors.userId });
}

/** Accepts a code's step: only a step later than the last accepted one (a code works once). */
export function acceptTotpStep(db: Db, userId: number, step: number) {
  const { totpFactors } = getTables();
  return db
    .update(totpFactors)
    .set({ lastStep: step })
    .where(and(eq(totpFactors.userId, userId), isNotNull(totpFactors.confirmedAt), or(isNull(totpFactors.lastStep), lt(totpFactors.lastStep, step))))
    .returning({ userId: totpFactors.userId });
}

/** A write that changes nothing, holding the confirmed authenticator app until the transaction ends; the row, if there is one. */
export function holdConfirmedTotp(db: Db, userId: number) {
  const { totpFactors } = getTables();
  return db
    .update(totpFactors)
    .set({ lastStep: sql`${totpFactors.lastStep}` })
    .where(and(eq(totpFactors.userId, userId), isNotNull(totpFactors.confirmedAt)))
    .returning({ userId: totpFactors.userId });
}

export function deleteTotp(db: Db, userId: number) {
  const { totpFactors } = getTables();
  return db.delete(totpFactors).where(eq(totpFactors.userId, userId)).returning({ confirmedAt: totpFactors.confirmedAt });
}

export function deleteRecoveryCodes(db: Db, userId: number) {
  const { recoveryCodes } = getTables();
  return db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).returning({ id: recoveryCodes.id });
}

export function insertRecoveryCodes(db: Db, userId: number, codeHashes: string[], now: Date) {
  const { recoveryCodes } = getTables();
  return db
    .insert(recoveryCodes)
    .values(codeHashes.map((codeHash) => ({ userId, codeHash, createdAt: now })))
    .returning({ id: recoveryCodes.id });
}

/** Uses a recovery code: deletes the row one of `codeHashes` names, in the statement that finds it. */
export function useRecoveryCode(db: Db, userId: number, codeHashes: string[]) {
  const { recoveryCodes } = getTables();
  return db
    .delete(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), inArray(recoveryCodes.codeHash, codeHashes)))
    .returning({ id: recoveryCodes.id });
}

export async function countRecoveryCodes(userId: number): Promise<number> {
  const { recoveryCodes } = getTables();
  const [row] = await getDb().select({ n: count() }).from(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  return Number(row?.n ?? 0);
}

export async function insertLoginChallenge(row: {
  id: string;
  userId: number;
  remember: boolean;
  method: SignInMethod;
  passwordHash: string | null;
  createdAt: Date;
  expiresAt: Date;
}): Promise<void> {
  const { loginChallenges } = getTables();
  await getDb()
    .insert(loginChallenges)
    .values({ ...row, remember: row.remember ? 1 : 0 });
}

/**
 * Takes one of a live challenge's tries (before its code is checked); the challenge, or nothing
 * when it is unknown, used, expired or out of tries.
 */
export async function claimChallengeTry(ids: string[], maxAttempts: number, now: Date) {
  const { loginChallenges } = getTables();
  const [row] = await getDb()
    .update(loginChallenges)
    .set({ attempts: sql`${loginChallenges.attempts} + 1` })
    .where(
      and(inArray(loginChallenges.id, ids), isNull(loginChallenges.usedAt), gt(loginChallenges.expiresAt, now), lt(loginChallenges.attempts, maxAttempts)),
    )
    .returning({
      id: loginChallenges.id,
      userId: loginChallenges.userId,
      remember: loginChallenges.remember,
      method: loginChallenges.method,
      passwordHash: loginChallenges.passwordHash,
    });
  return row;
}

/** A live challenge, without spending a try (the second-step page asks whether it still has one). */
export async function findLiveChallenge(ids: string[], maxAttempts: number, now: Date) {
  const { loginChallenges } = getTables();
  const [row] = await getDb()
    .select({ id: loginChallenges.id, userId: loginChallenges.userId })
    .from(loginChallenges)
    .where(
      and(inArray(loginChallenges.id, ids), isNull(loginChallenges.usedAt), gt(loginChallenges.expiresAt, now), lt(loginChallenges.attempts, maxAttempts)),
    );
  return row;
}

/** Uses a challenge: once, whatever else is racing it. */
export function useChallenge(db: Db, id: string, now: Date) {
  const { loginChallenges } = getTables();
  return db
    .update(loginChallenges)
    .set({ usedAt: now })
    .where(and(eq(loginChallenges.id, id), isNull(loginChallenges.usedAt), gt(loginChallenges.expiresAt, now)))
    .returning({ id: loginChallenges.id });
}

/** Second steps still waiting after a first step of `method` end unused (a provider was disconnected). */
export async function discardChallengesStartedWith(userId: number, method: SignInMethod, now: Date): Promise<void> {
  const { loginChallenges } = getTables();
  await getDb()
    .update(loginChallenges)
    .set({ usedAt: now })
    .where(and(eq(loginChallenges.userId, userId), eq(loginChallenges.method, method), isNull(loginChallenges.usedAt)));
}
