import 'server-only';
import { and, desc, eq, gt, inArray, isNull, ne, or, sql } from 'drizzle-orm';
import { getDb } from '../client';
import { sessions, users } from '../schema';
import { publicUserColumns, type PublicUser } from './users';

export type NewSession = typeof sessions.$inferInsert;

/**
 * Inserts a session; with `passwordHash`, only while that is still the account's password (the
 * one the caller checked, slowly, before): a reset or change that landed meanwhile ended every
 * session, and this one must not outlive it. False when it was refused.
 */
export function insertSession(values: NewSession, passwordHash?: string): boolean {
  return getDb().transaction((tx) => {
    if (passwordHash !== undefined) {
      const current = tx.select({ hash: users.passwordHash }).from(users).where(eq(users.id, values.userId)).get();
      if (current?.hash !== passwordHash) return false;
    }
    tx.insert(sessions).values(values).run();
    return true;
  });
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

/**
 * Gives a live session a new id and, if it has a refresh token, `refreshHash` in its place (the
 * old token and its grace period end). Whether it had one, or null when the session is gone.
 */
export function renameSession(sessionId: string, newId: string, refreshHash: string): { remembered: boolean } | null {
  const row = getDb()
    .update(sessions)
    .set({
      id: newId,
      refreshHash: sql`case when ${sessions.refreshHash} is null then null else ${refreshHash} end`,
      previousRefreshHash: null,
      refreshRotatedAt: null,
    })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
    .returning({ refreshHash: sessions.refreshHash })
    .get();
  return row ? { remembered: row.refreshHash !== null } : null;
}

/** Whether the session is live: not revoked, not past its end. */
export function isSessionLive(sessionId: string, userId: number, now: Date): boolean {
  return (
    getDb()
      .select({ id: sessions.id })
      .from(sessions)
      .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
      .get() !== undefined
  );
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

/** A session by its current or previous refresh-token hash (any of `hashes`), with its user; live ones only. */
export function findSessionByRefreshHash(hashes: string[], now: Date) {
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
        or(inArray(sessions.refreshHash, hashes), inArray(sessions.previousRefreshHash, hashes)),
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
