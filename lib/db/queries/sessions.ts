import 'server-only';
import { createHash } from 'node:crypto';
import DataLoader from 'dataloader';
import { and, desc, eq, gt, inArray, isNull, ne, or, sql, type SQLWrapper } from 'drizzle-orm';
import type { SelectedFields } from 'drizzle-orm/sqlite-core';
import { getDb, getTables, isPostgres, Rollback, step, transaction, type Db } from '../client';
import type { sessions } from '../schema-sqlite';
import type { SignInMethod } from '../values';
import { holdUser, publicUserColumns, type PublicUser } from './users';

export type NewSession = typeof sessions.$inferInsert;

/**
 * Inserts a session; with `passwordHash`, only while that is still the account's password (the
 * one the caller checked, slowly, before): a reset or change that landed meanwhile ended every
 * session, and this one must not outlive it. False when it was refused.
 */
export async function insertSession(values: NewSession, passwordHash?: string): Promise<boolean> {
  const { sessions } = getTables();
  if (passwordHash === undefined) {
    await getDb().insert(sessions).values(values);
    return true;
  }
  const inserted = await transaction(function* (tx) {
    // Only while the hash is still the one checked, held so that a password change (which ends
    // every session) can't commit between this check and the insert.
    const held = yield* step(holdUser(tx, values.userId, passwordHash));
    if (held.length === 0) throw new Rollback();
    yield* step(tx.insert(sessions).values(values).returning({ id: sessions.id }));
    return true;
  });
  return inserted ?? false;
}

export type LiveSession = { user: PublicUser; lastSeenAt: Date };

/** What GET /api/v1/me reports besides the person: second factors, passkeys, connected accounts. */
export type AccountSummary = { totp: boolean; passkeys: number; recoveryCodesLeft: number; identities: number };

// Every authenticated request runs one of these, prepared once per database so the SQL is not
// rebuilt each time. On SQLite a lookup is one call inside the process. On PostgreSQL every
// statement costs a round trip and work at both ends, so the lookups that requests make before
// the event loop's next check phase go together, like Prisma's batched findUnique: one named
// statement over the batch's keys, each key answered by its own row or none. Nothing is kept
// between batches: each request still reads its session as it is when the statement runs.
type LiveKey = { sessionId: string; userId: number; now: Date };
type Statement<T> = { execute(params: Record<string, unknown>): Promise<T[]> };
type Row = Record<string, unknown>;
type Lookup = (key: LiveKey) => Promise<Row | undefined>;
const lookups = new WeakMap<Db, Map<string, Lookup>>();
const BATCH_MAX = 100;

/** Live: not revoked, not past its absolute end, and the token's user's. */
function liveWhere(sessionId: SQLWrapper, userId: SQLWrapper, now: SQLWrapper) {
  const { sessions } = getTables();
  return and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now));
}

/** The columns the session lookups return: the person and when the session was last seen. */
function liveColumns() {
  const { sessions } = getTables();
  return { user: publicUserColumns(), lastSeenAt: sessions.lastSeenAt };
}

/** What GET /api/v1/me adds: counted in the same statement, per the session's user. */
function summaryColumns() {
  const { sessions, totpFactors, recoveryCodes, passkeys, identities } = getTables();
  const owned = (table: typeof totpFactors | typeof recoveryCodes | typeof passkeys | typeof identities) =>
    sql`${table.userId} = ${sessions.userId}`;
  return {
    totp: sql<number | string>`(select count(*) from ${totpFactors} where ${owned(totpFactors)} and ${totpFactors.confirmedAt} is not null)`,
    recoveryCodesLeft: sql<number | string>`(select count(*) from ${recoveryCodes} where ${owned(recoveryCodes)})`,
    passkeys: sql<number | string>`(select count(*) from ${passkeys} where ${owned(passkeys)})`,
    identities: sql<number | string>`(select count(*) from ${identities} where ${owned(identities)})`,
  };
}

/** One key's lookup, for SQLite: placeholders skip the columns' mapping (the column holds milliseconds). */
function prepareOne(db: Db, columns: SelectedFields): Statement<Row> {
  const { sessions, users } = getTables();
  return db
    .select(columns)
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(liveWhere(sql.placeholder('sessionId'), sql.placeholder('userId'), sql.placeholder('now')))
    .prepare();
}

/**
 * A batch's lookup, for PostgreSQL: the keys as three arrays, unnested with their positions, so
 * each key gets its own row (or none) however many share a session. A named server-side statement;
 * the name carries a digest of the text, because PostgreSQL refuses a name already prepared on the
 * connection with other text (a process whose pool outlives a code reload, as in development).
 */
function prepareBatch(db: Db, name: string, columns: SelectedFields): Statement<Row & { position: number }> {
  const { sessions, users } = getTables();
  const keys = sql`unnest(${sql.placeholder('sessionIds')}::text[], ${sql.placeholder('userIds')}::integer[], ${sql.placeholder('nows')}::timestamptz[]) with ordinality as k(session_id, user_id, now, position)`;
  const query = db
    .select({ ...columns, position: sql<number>`k.position::integer` })
    .from(keys)
    .innerJoin(sessions, liveWhere(sql`k.session_id`, sql`k.user_id`, sql`k.now`))
    .innerJoin(users, eq(users.id, sessions.userId));
  const digest = createHash('sha256').update(query.toSQL().sql).digest('base64url').slice(0, 12);
  // SQLite's prepare() takes no name; PostgreSQL's needs it.
  return query.prepare(...([`${name}_${digest}`] as unknown as []));
}

/** A batch's keys as the statement's three arrays; each row comes back with its key's position. */
async function runBatch(batch: Statement<Row & { position: number }>, keys: readonly LiveKey[]): Promise<(Row | undefined)[]> {
  const rows = await batch.execute({
    sessionIds: keys.map((key) => key.sessionId),
    userIds: keys.map((key) => key.userId),
    nows: keys.map((key) => key.now.toISOString()),
  });
  const answers: (Row | undefined)[] = new Array(keys.length).fill(undefined);
  for (const { position, ...row } of rows) answers[position - 1] = row;
  return answers;
}

// A key the statement can't take (the database would refuse the whole batch over it: a user id
// outside `integer`, a NUL in text, an invalid moment) matches no session anyway. Claims come from
// tokens this server signed, so this is a guard, not a path.
const INTEGER_MAX = 2 ** 31 - 1;
const usable = ({ sessionId, userId, now }: LiveKey) =>
  Number.isInteger(userId) && userId > 0 && userId <= INTEGER_MAX && !Number.isNaN(now.getTime()) && !sessionId.includes('\0');

/** The lookup for `db`, made once: one statement per key on SQLite, batches on PostgreSQL. */
function makeLookup(db: Db, name: string, columns: SelectedFields): Lookup {
  if (!isPostgres()) {
    const one = prepareOne(db, columns);
    return async ({ sessionId, userId, now }) => (await one.execute({ sessionId, userId, now: now.getTime() }))[0];
  }
  const batch = prepareBatch(db, name, columns);
  // No cache: a session revoked after one batch must be refused by the next.
  const loader = new DataLoader((keys: readonly LiveKey[]) => runBatch(batch, keys), { cache: false, maxBatchSize: BATCH_MAX, batchScheduleFn: (send) => setImmediate(send) });
  return async (key) => (usable(key) ? loader.load(key) : undefined);
}

/** A lookup by LiveKey whose rows are `T`: the columns' own row type, which drizzle's builder knows but can't pass through here. */
function findLive<T>(name: string, columns: () => SelectedFields) {
  return async (key: LiveKey): Promise<T | undefined> => {
    const db = getDb();
    let made = lookups.get(db);
    if (!made) lookups.set(db, (made = new Map()));
    let lookup = made.get(name);
    if (!lookup) made.set(name, (lookup = makeLookup(db, name, columns())));
    return (await lookup(key)) as T | undefined;
  };
}

type Counted = number | string;
const liveSession = findLive<LiveSession>('live_session', liveColumns);
const liveSummary = findLive<LiveSession & { totp: Counted; recoveryCodesLeft: Counted; passkeys: Counted; identities: Counted }>('live_session_summary', () => ({ ...liveColumns(), ...summaryColumns() }));

/** The session and its user in one query: live means not revoked, not past its absolute end. */
export async function findLiveSession(sessionId: string, userId: number, now: Date): Promise<LiveSession | undefined> {
  return liveSession({ sessionId, userId, now });
}

/** findLiveSession, and in the same statement what GET /api/v1/me reports besides the person. */
export async function findLiveSessionSummary(sessionId: string, userId: number, now: Date): Promise<(LiveSession & { summary: AccountSummary }) | undefined> {
  const found = await liveSummary({ sessionId, userId, now });
  if (!found) return undefined;
  const { user, lastSeenAt, totp, recoveryCodesLeft, passkeys, identities } = found;
  return {
    user,
    lastSeenAt,
    summary: { totp: Number(totp) > 0, passkeys: Number(passkeys), recoveryCodesLeft: Number(recoveryCodesLeft), identities: Number(identities) },
  };
}

/**
 * Gives a live session a new id and, if it has a refresh token, `refreshHash` in its place (the
 * old token and its grace period end). Whether it had one, or null when the session is gone.
 */
export async function renameSession(sessionId: string, newId: string, refreshHash: string, now = new Date()): Promise<{ remembered: boolean } | null> {
  const [row] = await renameSessionStatement(getDb(), sessionId, newId, refreshHash, now);
  return row ? { remembered: row.refreshHash !== null } : null;
}

/** renameSession as a statement, for a transaction: the renamed row's refresh hash, if it was live. */
export function renameSessionStatement(db: Db, sessionId: string, newId: string, refreshHash: string, now: Date) {
  const { sessions } = getTables();
  return db
    .update(sessions)
    .set({
      id: newId,
      refreshHash: sql`case when ${sessions.refreshHash} is null then null else ${refreshHash} end`,
      previousRefreshHash: null,
      refreshRotatedAt: null,
    })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
    .returning({ refreshHash: sessions.refreshHash, userId: sessions.userId });
}

export async function touchSession(sessionId: string, now: Date): Promise<void> {
  const { sessions } = getTables();
  await getDb().update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, sessionId));
}

export async function revokeSession(sessionId: string, now: Date): Promise<void> {
  const { sessions } = getTables();
  await getDb()
    .update(sessions)
    .set({ revokedAt: now, refreshHash: null })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
}

/** A session by its current or previous refresh-token hash (any of `hashes`), with its user; live ones only. */
export async function findSessionByRefreshHash(hashes: string[], now: Date) {
  const { sessions, users } = getTables();
  const [found] = await getDb()
    .select({
      id: sessions.id,
      refreshHash: sessions.refreshHash,
      refreshRotatedAt: sessions.refreshRotatedAt,
      refreshExpiresAt: sessions.refreshExpiresAt,
      user: publicUserColumns(),
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
    .limit(1);
  return found;
}

/** Swaps the refresh hash only if it is still `expected`: of two racing rotations one wins. */
export async function rotateRefreshHash(
  sessionId: string,
  expected: string,
  next: string,
  now: Date,
  refreshExpiresAt: Date,
): Promise<boolean> {
  const { sessions } = getTables();
  const rotated = await getDb()
    .update(sessions)
    .set({ refreshHash: next, previousRefreshHash: expected, refreshRotatedAt: now, refreshExpiresAt, lastSeenAt: now })
    .where(and(eq(sessions.id, sessionId), eq(sessions.refreshHash, expected)))
    .returning({ id: sessions.id });
  return rotated.length === 1;
}

export type SessionSummary = {
  id: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  remembered: boolean;
  method: string | null;
};

/** A person's live sessions, most recently used first. */
export async function listLiveSessions(userId: number, now: Date): Promise<SessionSummary[]> {
  const { sessions } = getTables();
  const rows = await getDb()
    .select({
      id: sessions.id,
      userAgent: sessions.userAgent,
      ip: sessions.ip,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      refreshExpiresAt: sessions.refreshExpiresAt,
      method: sessions.method,
    })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
    .orderBy(desc(sessions.lastSeenAt));
  return rows.map(({ refreshExpiresAt, ...row }) => ({ ...row, remembered: refreshExpiresAt !== null }));
}

/** Revokes one of a person's sessions; false when it isn't theirs or was already ended. */
export async function revokeUserSession(userId: number, sessionId: string, now: Date): Promise<boolean> {
  const { sessions } = getTables();
  const revoked = await getDb()
    .update(sessions)
    .set({ revokedAt: now, refreshHash: null })
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return revoked.length === 1;
}

/** Revokes every live session of a person except `keep` (pass null to revoke them all). */
export async function revokeSessionsExcept(userId: number, keep: string | null, now: Date): Promise<number> {
  return (await revokeSessionsStatement(getDb(), userId, keep, now)).length;
}

/** revokeSessionsExcept as a statement, for a transaction: the sessions it ended. */
export function revokeSessionsStatement(db: Db, userId: number, keep: string | null, now: Date) {
  const { sessions } = getTables();
  return db
    .update(sessions)
    .set({ revokedAt: now, refreshHash: null })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), keep ? ne(sessions.id, keep) : undefined))
    .returning({ id: sessions.id });
}

/** Ends a person's live sessions that `method` started, except `keep` (a provider was disconnected). */
export async function revokeSessionsStartedWith(userId: number, method: SignInMethod, keep: string, now: Date): Promise<void> {
  const { sessions } = getTables();
  await getDb()
    .update(sessions)
    .set({ revokedAt: now, refreshHash: null })
    .where(and(eq(sessions.userId, userId), eq(sessions.method, method), isNull(sessions.revokedAt), ne(sessions.id, keep)));
}

/** When the person last proved who they are in this live session (lib/auth/step-up.ts). */
export async function sessionAuthenticatedAt(sessionId: string, now: Date): Promise<Date | null> {
  const { sessions } = getTables();
  const [row] = await getDb()
    .select({ at: sessions.authenticatedAt })
    .from(sessions)
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)));
  return row?.at ?? null;
}

/** When "Confirm it's you" last passed in this live session (lib/auth/step-up.ts). */
export async function sessionConfirmedAt(sessionId: string, now: Date): Promise<Date | null> {
  const { sessions } = getTables();
  const [row] = await getDb()
    .select({ at: sessions.confirmedAt })
    .from(sessions)
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)));
  return row?.at ?? null;
}

/** The person proved who they are again in this session ("Confirm it's you"). */
export async function markSessionAuthenticated(sessionId: string, now: Date): Promise<boolean> {
  const { sessions } = getTables();
  const marked = await getDb()
    .update(sessions)
    .set({ authenticatedAt: now, confirmedAt: now })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
    .returning({ id: sessions.id });
  return marked.length === 1;
}
