import 'server-only';
import { and, inArray, isNull, lt, lte, or } from 'drizzle-orm';
import { getDb, getTables } from '../client';

// The retention job's deletes (lib/retention.ts). Each removes at most `limit` rows and says how
// many it did, so a large backlog goes in short transactions rather than one long write lock.
// PostgreSQL has no DELETE … LIMIT, so on both engines a limited select picks the keys to delete.

/**
 * Limiter rows that count for nothing: their window has ended (the limiter itself ignores a row
 * once `expire <= now`), or they have no end at all, which no limit here is configured to make.
 */
export async function deleteDeadRateLimits(now: Date, limit: number): Promise<number> {
  const { rateLimits } = getTables();
  const db = getDb();
  const dead = db
    .select({ key: rateLimits.key })
    .from(rateLimits)
    .where(or(lte(rateLimits.expire, now.getTime()), isNull(rateLimits.expire)))
    .limit(limit);
  return (await db.delete(rateLimits).where(inArray(rateLimits.key, dead)).returning({ key: rateLimits.key })).length;
}

/** Sessions that ended before `cutoff`: revoked then, or past their absolute end then. */
export async function deleteSessionsEndedBefore(cutoff: Date, limit: number): Promise<number> {
  const { sessions } = getTables();
  const db = getDb();
  const ended = db
    .select({ id: sessions.id })
    .from(sessions)
    .where(or(lt(sessions.revokedAt, cutoff), lt(sessions.expiresAt, cutoff)))
    .limit(limit);
  return (await db.delete(sessions).where(inArray(sessions.id, ended)).returning({ id: sessions.id })).length;
}

/**
 * Accounts signed up under EMAIL_VERIFICATION=required whose address was still unverified at
 * their deadline: they could never be used; their username and address are free again. Accounts
 * made in the other modes have no deadline. The delete repeats the condition, so an account
 * verified while the batch was picked stays.
 */
export async function deleteUnverifiedAccountsBefore(now: Date, limit: number): Promise<number> {
  const { users } = getTables();
  const db = getDb();
  const expired = and(isNull(users.emailVerifiedAt), lt(users.verifyBy, now));
  const stale = db.select({ id: users.id }).from(users).where(expired).limit(limit);
  return (await db.delete(users).where(and(inArray(users.id, stale), expired)).returning({ id: users.id })).length;
}

/** Codes that expired before `cutoff`, used or not (every code expires minutes after it is sent). */
export async function deleteCodesExpiredBefore(cutoff: Date, limit: number): Promise<number> {
  const { oneTimeCodes } = getTables();
  const db = getDb();
  const expired = db.select({ id: oneTimeCodes.id }).from(oneTimeCodes).where(lt(oneTimeCodes.expiresAt, cutoff)).limit(limit);
  return (await db.delete(oneTimeCodes).where(inArray(oneTimeCodes.id, expired)).returning({ id: oneTimeCodes.id })).length;
}

export async function deleteSecurityEventsBefore(cutoff: Date, limit: number): Promise<number> {
  const { securityEvents } = getTables();
  const db = getDb();
  const old = db.select({ id: securityEvents.id }).from(securityEvents).where(lt(securityEvents.createdAt, cutoff)).limit(limit);
  return (await db.delete(securityEvents).where(inArray(securityEvents.id, old)).returning({ id: securityEvents.id })).length;
}

/** Second-step challenges that expired before `cutoff`, used or not (each lives 5 minutes). */
export async function deleteLoginChallengesExpiredBefore(cutoff: Date, limit: number): Promise<number> {
  const { loginChallenges } = getTables();
  const db = getDb();
  const expired = db.select({ id: loginChallenges.id }).from(loginChallenges).where(lt(loginChallenges.expiresAt, cutoff)).limit(limit);
  return (await db.delete(loginChallenges).where(inArray(loginChallenges.id, expired)).returning({ id: loginChallenges.id })).length;
}

/** Authenticator-app setups started before `cutoff` and never confirmed. The delete repeats the condition. */
export async function deleteUnconfirmedTotpBefore(cutoff: Date, limit: number): Promise<number> {
  const { totpFactors } = getTables();
  const db = getDb();
  const abandoned = and(isNull(totpFactors.confirmedAt), lt(totpFactors.createdAt, cutoff));
  const stale = db.select({ userId: totpFactors.userId }).from(totpFactors).where(abandoned).limit(limit);
  return (await db.delete(totpFactors).where(and(inArray(totpFactors.userId, stale), abandoned)).returning({ userId: totpFactors.userId })).length;
}

/** WebAuthn challenges that expired before `cutoff` (each lives 5 minutes; a used one is already gone). */
export async function deleteWebauthnChallengesExpiredBefore(cutoff: Date, limit: number): Promise<number> {
  const { webauthnChallenges } = getTables();
  const db = getDb();
  const expired = db.select({ id: webauthnChallenges.id }).from(webauthnChallenges).where(lt(webauthnChallenges.expiresAt, cutoff)).limit(limit);
  return (await db.delete(webauthnChallenges).where(inArray(webauthnChallenges.id, expired)).returning({ id: webauthnChallenges.id })).length;
}
