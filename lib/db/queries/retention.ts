import 'server-only';
import { isNull, lt, lte, or } from 'drizzle-orm';
import { getDb } from '../client';
import { oneTimeCodes, rateLimits, securityEvents, sessions } from '../schema';

// The retention job's deletes (lib/retention.ts). Each removes at most `limit` rows and says how
// many it did, so a large backlog goes in short transactions rather than one long write lock.

/**
 * Limiter rows that count for nothing: their window has ended (the limiter itself ignores a row
 * once `expire <= now`), or they have no end at all, which no limit here is configured to make.
 */
export function deleteDeadRateLimits(now: Date, limit: number): number {
  return getDb()
    .delete(rateLimits)
    .where(or(lte(rateLimits.expire, now.getTime()), isNull(rateLimits.expire)))
    .limit(limit)
    .run().changes;
}

/** Sessions that ended before `cutoff`: revoked then, or past their absolute end then. */
export function deleteSessionsEndedBefore(cutoff: Date, limit: number): number {
  return getDb()
    .delete(sessions)
    .where(or(lt(sessions.revokedAt, cutoff), lt(sessions.expiresAt, cutoff)))
    .limit(limit)
    .run().changes;
}

/** Codes that expired before `cutoff`, used or not (every code expires minutes after it is sent). */
export function deleteCodesExpiredBefore(cutoff: Date, limit: number): number {
  return getDb().delete(oneTimeCodes).where(lt(oneTimeCodes.expiresAt, cutoff)).limit(limit).run().changes;
}

export function deleteSecurityEventsBefore(cutoff: Date, limit: number): number {
  return getDb().delete(securityEvents).where(lt(securityEvents.createdAt, cutoff)).limit(limit).run().changes;
}
