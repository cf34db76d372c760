import 'server-only';
import { and, desc, eq, gt, isNull, ne, or, sql } from 'drizzle-orm';
import { getDb } from '../client';
import { sessions, users } from '../schema';
import { publicUserColumns, type PublicUser } from './users';

export type NewSession = typeof sessions.$inferInsert;

export function insertSession(values: NewSession): void {
  getDb().insert(sessions).values(values).run();
}

export type LiveSession = { user: PublicUser; lastSeenAt: Date };

// Every authenticated request runs this: prepared once, it skips rebuilding the SQL each time.
let liveSessionStatement: ReturnType<typeof prepareLiveSession> | undefined;

function prepareLiveSession() {
  return getDb()
    .select({ user: publicUserColumns, lastSeenAt: sessions.lastSeenAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        eq(sessions.id, sql.placeholder('sessionId')),
        eq(sessions.userId, sql.placeholder('userId')),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, sql.placeholder('now')),
      ),
    )
    .prepare();
}

/** The session and its user in one query: live means not revoked, not past its absolute end. */
export function findLiveSession(sessionId: string, userId: number, now: Date): LiveSession | undefined {
  liveSessionStatement ??= prepareLiveSession();
  // Placeholders reach SQLite as they are: the timestamp column holds milliseconds.
  return liveSessionStatement.get({ sessionId, userId, now: now.getTime() });
}

/** Gives a live session a new id (its refresh token and history stay); false if it is gone. */
export function renameSession(sessionId: string, newId: string): boolean {
  return getDb().update(sessions).set({ id: newId }).where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt))).run().changes === 1;
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

export type SessionSummary = {
  id: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  remembered: boolean;
};

/** A person's live sessions, most recently used first. */
export function listLiveSessions(userId: number, now: Date): SessionSummary[] {
  return getDb()
    .select({
      id: sessions.id,
      userAgent: sessions.userAgent,
      ip: sessions.ip,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      refreshExpiresAt: sessions.refreshExpiresAt,
    })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
    .orderBy(desc(sessions.lastSeenAt))
    .all()
    .map(({ refreshExpiresAt, ...row }) => ({ ...row, remembered: refreshExpiresAt !== null }));
}

/** Revokes one of a person's sessions; false when it isn't theirs or was already ended. */
export function revokeUserSession(userId: number, sessionId: string, now: Date): boolean {
  const result = getDb()
    .update(sessions)
    .set({ revokedAt: now, refreshHash: null })
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    .run();
  return result.changes === 1;
}

/** Revokes every live session of a person except `keep` (pass null to revoke them all). */
export function revokeSessionsExcept(userId: number, keep: string | null, now: Date): number {
  const result = getDb()
    .update(sessions)
    .set({ revokedAt: now, refreshHash: null })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), keep ? ne(sessions.id, keep) : undefined))
    .run();
  return result.changes;
}
