import 'server-only';
import { randomBytes } from 'node:crypto';
import { Rollback, step, transaction } from '@/lib/db/client';
import {
  findLiveSession,
  findLiveSessionSummary,
  findSessionByRefreshHash,
  insertSession,
  renameSession,
  renameSessionStatement,
  revokeSession,
  revokeSessionsStatement,
  rotateRefreshHash,
  touchSession,
  type AccountSummary,
  type LiveSession,
} from '@/lib/db/queries/sessions';
import { swapPasswordHash, type PublicUser } from '@/lib/db/queries/users';
import type { SignInMethod } from '@/lib/db/values';
import { REFRESH_COOKIE_MAX_AGE_SECONDS } from './cookies';
import { purposeMacs } from './keys-node';

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

/**
 * What is stored of a refresh token: its HMAC under the refresh-token key, once per accepted
 * secret (the first is what new rows hold), so rotating AUTH_SECRET keeps remembered sessions.
 */
const refreshHashes = (token: string) => purposeMacs('refresh-token', token);
const refreshHash = (token: string) => refreshHashes(token)[0]!;

export type StartedSession = { sessionId: string; refreshToken?: string };

/**
 * Starts a session. `passwordHash`: the hash the caller just checked the password against; the
 * session starts only while it is still the account's (see insertSession). Null when refused.
 */
export async function startSession(
  input: { userId: number; remember: boolean; method: SignInMethod; userAgent: string | null; ip: string | null; passwordHash?: string },
  now = new Date(),
): Promise<StartedSession | null> {
  const sessionId = randomToken(16);
  const refreshToken = input.remember ? randomToken(32) : undefined;
  const inserted = await insertSession({
    id: sessionId,
    userId: input.userId,
    refreshHash: refreshToken ? refreshHash(refreshToken) : null,
    refreshExpiresAt: refreshToken ? new Date(now.getTime() + REFRESH_IDLE_MS) : null,
    userAgent: input.userAgent,
    ip: input.ip,
    createdAt: now,
    lastSeenAt: now,
    authenticatedAt: now,
    method: input.method,
    expiresAt: new Date(now.getTime() + (input.remember ? REMEMBERED_MAX_AGE_MS : SESSION_MAX_AGE_MS)),
  }, input.passwordHash);
  return inserted ? { sessionId, refreshToken } : null;
}

/** A live session found, its "last seen" brought up to date at most once a minute; null when none was. */
async function seen<T extends LiveSession>(live: T | undefined, sessionId: string, now: Date): Promise<T | null> {
  if (!live) return null;
  if (now.getTime() - live.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) await touchSession(sessionId, now);
  return live;
}

/** The user behind a live session, or null when it was revoked, ended or never existed. */
export async function getLiveSessionUser(sessionId: string, userId: number, now = new Date()): Promise<PublicUser | null> {
  return (await seen(await findLiveSession(sessionId, userId, now), sessionId, now))?.user ?? null;
}

/** The same, and in the same one statement what GET /api/v1/me reports besides the person. */
export async function getLiveSessionSummary(sessionId: string, userId: number, now = new Date()): Promise<{ user: PublicUser; summary: AccountSummary } | null> {
  return seen(await findLiveSessionSummary(sessionId, userId, now), sessionId, now);
}

/**
 * Moves the session to a new id and a new refresh token, so every token and refresh cookie issued
 * under the old ones stops working: after a username change (the old token's `username` claim is
 * stale) and after a password change (a stolen copy of this very session must die with the old
 * password). Null when the session has ended.
 */
export async function rotateSession(sessionId: string): Promise<StartedSession | null> {
  const next = randomToken(16);
  const refreshToken = randomToken(32);
  const renamed = await renameSession(sessionId, next, refreshHash(refreshToken));
  return renamed && { sessionId: next, refreshToken: renamed.remembered ? refreshToken : undefined };
}

export type PasswordReplaced = { session: StartedSession | null; revoked: number };

/**
 * Writes a new password hash after the slow checks, in one transaction that re-checks what they
 * established: the stored hash is still `expected` (no reset or change landed meanwhile) and, for
 * a change made from a session, that session is still live. Every other session ends; the one
 * making the change moves to a new id and refresh token. Null when a precondition failed.
 */
export function replacePassword(
  input: { userId: number; expected?: string; passwordHash: string; keepSessionId: string | null },
  now = new Date(),
): Promise<PasswordReplaced | null> {
  const keep = input.keepSessionId;
  const moved = { sessionId: randomToken(16), refreshToken: randomToken(32) };
  return transaction(function* (tx) {
    // The session moves first: renaming it proves it live and holds it until the end.
    let session: StartedSession | null = null;
    if (keep) {
      const [renamed] = yield* step(renameSessionStatement(tx, keep, moved.sessionId, refreshHash(moved.refreshToken), now));
      if (renamed?.userId !== input.userId) throw new Rollback();
      session = { sessionId: moved.sessionId, refreshToken: renamed.refreshHash === null ? undefined : moved.refreshToken };
    }
    const swapped = yield* step(swapPasswordHash(tx, input.userId, input.passwordHash, now, input.expected));
    if (swapped.length === 0) throw new Rollback();
    const revoked = yield* step(revokeSessionsStatement(tx, input.userId, session?.sessionId ?? null, now));
    return { session, revoked: revoked.length };
  });
}

export type Refreshed = { sessionId: string; user: PublicUser; refreshToken?: string };

/**
 * Trades a refresh token for a fresh session token. The refresh token rotates on every use; an
 * old one presented after the grace period means it was copied, so the session is ended.
 */
export async function refreshSession(refreshToken: string, now = new Date()): Promise<Refreshed | null> {
  const hashes = refreshHashes(refreshToken);
  const row = await findSessionByRefreshHash(hashes, now);
  if (!row) return null;
  if (row.refreshHash !== null && hashes.includes(row.refreshHash)) {
    if (!row.refreshExpiresAt || row.refreshExpiresAt <= now) return null;
    const next = randomToken(32);
    if (await rotateRefreshHash(row.id, row.refreshHash, refreshHash(next), now, new Date(now.getTime() + REFRESH_IDLE_MS))) {
      return { sessionId: row.id, user: row.user, refreshToken: next };
    }
    return { sessionId: row.id, user: row.user };
  }
  if (row.refreshRotatedAt && now.getTime() - row.refreshRotatedAt.getTime() <= REFRESH_GRACE_MS) {
    return { sessionId: row.id, user: row.user };
  }
  await revokeSession(row.id, now);
  return null;
}

/** Ends the session a refresh cookie belongs to (logout when the session token has lapsed). */
export async function endSessionByRefreshToken(refreshToken: string, now = new Date()): Promise<void> {
  const row = await findSessionByRefreshHash(refreshHashes(refreshToken), now);
  if (row) await revokeSession(row.id, now);
}
