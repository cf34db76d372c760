import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import {
  findLiveSession,
  findSessionByRefreshHash,
  insertSession,
  renameSession,
  revokeSession,
  rotateRefreshHash,
  touchSession,
} from '@/lib/db/queries/sessions';
import type { PublicUser } from '@/lib/db/queries/users';
import { REFRESH_COOKIE_MAX_AGE_SECONDS } from './cookies';

// Session lifetimes (docs/sessions.md explains the whole mechanism).
const DAY = 24 * 60 * 60 * 1000;
/** Absolute end of a session without "Keep me signed in" (its idle limit is the 1 h token). */
export const SESSION_MAX_AGE_MS = 7 * DAY;
/** Absolute end of a remembered session, however active. */
export const REMEMBERED_MAX_AGE_MS = 90 * DAY;
/** A remembered session survives this long without any visit. */
export const REFRESH_IDLE_MS = REFRESH_COOKIE_MAX_AGE_SECONDS * 1000;
/** A just-replaced refresh token still works this long: two tabs may refresh at once. */
export const REFRESH_GRACE_MS = 60 * 1000;
/** "Last seen" is written at most this often, not on every request. */
const TOUCH_INTERVAL_MS = 60 * 1000;

const randomToken = (bytes: number) => randomBytes(bytes).toString('base64url');
const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

export type StartedSession = { sessionId: string; refreshToken?: string };

export function startSession(
  input: { userId: number; remember: boolean; userAgent: string | null; ip: string | null },
  now = new Date(),
): StartedSession {
  const sessionId = randomToken(16);
  const refreshToken = input.remember ? randomToken(32) : undefined;
  insertSession({
    id: sessionId,
    userId: input.userId,
    refreshHash: refreshToken ? sha256(refreshToken) : null,
    refreshExpiresAt: refreshToken ? new Date(now.getTime() + REFRESH_IDLE_MS) : null,
    userAgent: input.userAgent,
    ip: input.ip,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + (input.remember ? REMEMBERED_MAX_AGE_MS : SESSION_MAX_AGE_MS)),
  });
  return { sessionId, refreshToken };
}

/** The user behind a live session, or null when it was revoked, ended or never existed. */
export function getLiveSessionUser(sessionId: string, userId: number, now = new Date()): PublicUser | null {
  const live = findLiveSession(sessionId, userId, now);
  if (!live) return null;
  if (now.getTime() - live.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) touchSession(sessionId, now);
  return live.user;
}

/**
 * Moves the session to a new id, so every token issued under the old one stops working (e.g.
 * after a username change, when the old token's `username` claim is stale). The refresh token
 * stays valid. Returns the new id, or null when the session has ended.
 */
export function rotateSessionId(sessionId: string): string | null {
  const next = randomToken(16);
  return renameSession(sessionId, next) ? next : null;
}

export function endSession(sessionId: string, now = new Date()): void {
  revokeSession(sessionId, now);
}

export type Refreshed = { sessionId: string; user: PublicUser; refreshToken?: string };

/**
 * Trades a refresh token for a fresh session token. The refresh token rotates on every use; an
 * old one presented after the grace period means it was copied, so the session is ended.
 */
export function refreshSession(refreshToken: string, now = new Date()): Refreshed | null {
  const hash = sha256(refreshToken);
  const row = findSessionByRefreshHash(hash, now);
  if (!row) return null;
  if (row.refreshHash === hash) {
    if (!row.refreshExpiresAt || row.refreshExpiresAt <= now) return null;
    const next = randomToken(32);
    if (rotateRefreshHash(row.id, hash, sha256(next), now, new Date(now.getTime() + REFRESH_IDLE_MS))) {
      return { sessionId: row.id, user: row.user, refreshToken: next };
    }
    return { sessionId: row.id, user: row.user };
  }
  if (row.refreshRotatedAt && now.getTime() - row.refreshRotatedAt.getTime() <= REFRESH_GRACE_MS) {
    return { sessionId: row.id, user: row.user };
  }
  revokeSession(row.id, now);
  return null;
}

/** Ends the session a refresh cookie belongs to (logout when the session token has lapsed). */
export function endSessionByRefreshToken(refreshToken: string, now = new Date()): void {
  const row = findSessionByRefreshHash(sha256(refreshToken), now);
  if (row) revokeSession(row.id, now);
}
