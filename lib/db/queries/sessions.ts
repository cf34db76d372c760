import 'server-only';
import { and, eq, gt, isNull, or } from 'drizzle-orm';
import { getDb } from '../client';
import { sessions, users } from '../schema';
import { publicUserColumns, type PublicUser } from './users';

export type NewSession = typeof sessions.$inferInsert;

export function insertSession(values: NewSession): void {
  getDb().insert(sessions).values(values).run();
}

export type LiveSession = { user: PublicUser; lastSeenAt: Date };

/** The session and its user in one query: live means not revoked, not past its absolute end. */
export function findLiveSession(sessionId: string, userId: number, now: Date): LiveSession | undefined {
  const row = getDb()
    .select({ user: publicUserColumns, lastSeenAt: sessions.lastSeenAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)),
    )
    .get();
  return row;
}

export function touchSession(sessionId: string, now: Date): void {
  getDb().update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, sessionId)).run();
}

export function revokeSession(sessionId: string, now: Date): void {
  getDb()
    .update(sessions)
    .set({ revokedAt: now, refreshHash: null })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
    .run();
}

/** A session by its current or previous refresh-token hash, with its user; live ones only. */
export function findSessionByRefreshHash(hash: string, now: Date) {
  return getDb()
    .select({
      id: sessions.id,
      refreshHash: sessions.refreshHash,
      refreshRotatedAt: sessions.refreshRotatedAt,
      refreshExpiresAt: sessions.refreshExpiresAt,
      user: publicUserColumns,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        or(eq(sessions.refreshHash, hash), eq(sessions.previousRefreshHash, hash)),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, now),
      ),
    )
    .get();
}

/** Swaps the refresh hash only if it is still `expected`: of two racing rotations one wins. */
export function rotateRefreshHash(
  sessionId: string,
  expected: string,
  next: string,
  now: Date,
  refreshExpiresAt: Date,
): boolean {
  const result = getDb()
    .update(sessions)
    .set({ refreshHash: next, previousRefreshHash: expected, refreshRotatedAt: now, refreshExpiresAt, lastSeenAt: now })
    .where(and(eq(sessions.id, sessionId), eq(sessions.refreshHash, expected)))
    .run();
  return result.changes === 1;
}
