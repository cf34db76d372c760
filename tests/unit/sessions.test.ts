import { beforeEach, describe, expect, it } from 'vitest';
import { emptyDatabase, recordStatements, useTestDatabase } from '../support/database';

await useTestDatabase();
const { getDb, getTables, isPostgres } = await import('@/lib/db/client');
const { sessions, users } = getTables();
const { insertUser, findUserForLogin, TakenError } = await import('@/lib/db/queries/users');
const session = await import('@/lib/auth/session');
const { revokeSession } = await import('@/lib/db/queries/sessions');
const { copyDigest, personalCopyKey } = await import('@/lib/auth/page-copy');
const { sessionCookieName } = await import('@/lib/auth/cookies');
const { RENEW_AFTER_SECONDS, signSessionToken } = await import('@/lib/auth/token');
const { updateUser } = await import('@/lib/db/queries/users');

const base = { firstName: 'Ada', lastName: 'Lovelace', dateOfBirth: '1990-04-07', passwordHash: '$2b$10$x' };

beforeEach(async () => {
  await emptyDatabase();
});


describe('users', () => {
  it('are unique by username and by email, case-insensitively', async () => {
    await insertUser({ ...base, username: 'Ada', email: 'ada@example.com' });
    const takenField = (insert: Promise<unknown>) =>
      insert.then(
        () => 'inserted',
        (error: unknown) => (error instanceof TakenError ? error.field : String(error)),
      );
    expect(await takenField(insertUser({ ...base, username: 'ADA', email: 'other@example.com' }))).toBe('username');
    expect(await takenField(insertUser({ ...base, username: 'Grace', email: 'ada@example.com' }))).toBe('email');
    expect(await getDb().select().from(users)).toHaveLength(1);
  });

  it('are found by email or username in any case, and keep their hash out of the public shape', async () => {
    const created = await insertUser({ ...base, username: 'Ada', email: 'ada@example.com' });
    expect(created).not.toHaveProperty('passwordHash');
    expect((await findUserForLogin('ADA'))?.id).toBe(created.id);
    expect((await findUserForLogin(' Ada@Example.com '))?.id).toBe(created.id);
    expect(await findUserForLogin('nobody')).toBeUndefined();
  });
});

describe('sessions', () => {
  const now = new Date('2026-11-24T12:00:00Z');
  const at = (ms: number) => new Date(now.getTime() + ms);
  const start = async (remember: boolean) => {
    const user = await insertUser({ ...base, username: 'Ada', email: 'ada@example.com' });
    return { user, ...(await session.startSession({ userId: user.id, remember, method: 'password', userAgent: 'test', ip: '127.0.0.1' }, now))! };
  };

  it('are live until revoked', async () => {
    const { user, sessionId, refreshToken } = await start(false);
    expect(refreshToken).toBeUndefined();
    expect((await session.getLiveSessionUser(sessionId, user.id, now))?.username).toBe('Ada');
    expect(await session.getLiveSessionUser(sessionId, user.id + 1, now)).toBeNull();
    await revokeSession(sessionId, now);
    expect(await session.getLiveSessionUser(sessionId, user.id, now)).toBeNull();
  });

  it('cost one statement per authenticated request: session and user together', async () => {
    const { user, sessionId } = await start(false);
    const { executed, stop } = await recordStatements();
    try {
      expect((await session.getLiveSessionUser(sessionId, user.id, at(1000)))?.username).toBe('Ada');
      expect(executed).toHaveLength(1);
      expect(executed[0]).toMatch(/"sessions".* inner join "users"/);
      // At most once a minute it also records the activity.
      executed.length = 0;
      expect((await session.getLiveSessionUser(sessionId, user.id, at(61_000)))?.username).toBe('Ada');
      expect(executed.map((sql) => sql.split(' ')[0])).toEqual(['select', 'update']);
    } finally {
      stop();
    }
  });

  it('looked up together each get their own answer, in one statement on PostgreSQL', async () => {
    const { user, sessionId } = await start(false);
    const grace = await insertUser({ ...base, username: 'Grace', email: 'grace@example.com' });
    const startGraces = () => session.startSession({ userId: grace.id, remember: false, method: 'password', userAgent: 'test', ip: '127.0.0.1' }, now);
    const graces = (await startGraces())!;
    const ended = (await startGraces())!;
    await revokeSession(ended.sessionId, now);
    const lookups: [string, number, Date][] = [
      [sessionId, user.id, at(1000)],
      [graces.sessionId, grace.id, at(1000)],
      [sessionId, grace.id, at(1000)], // someone else's token naming this session
      [ended.sessionId, grace.id, at(1000)], // revoked
      ['no-such-session', user.id, at(1000)],
      [sessionId, Number.NaN, at(1000)], // keys the database can't take don't spoil the others'
      [sessionId, 2 ** 31, at(1000)],
      [`${sessionId}\0`, user.id, at(1000)],
      [sessionId, user.id, at(session.SESSION_MAX_AGE_MS + 1000)], // past its end at this one's moment
      [sessionId, user.id, at(2000)],
      [graces.sessionId, grace.id, at(2000)],
    ];
    const { executed, stop } = await recordStatements();
    try {
      const found = await Promise.all(lookups.map(([id, userId, moment]) => session.getLiveSessionUser(id, userId, moment)));
      expect(found.map((live) => live?.username ?? null)).toEqual(['Ada', 'Grace', null, null, null, null, null, null, null, 'Ada', 'Grace']);
      expect(executed).toHaveLength(isPostgres() ? 1 : lookups.length);
    } finally {
      stop();
    }
  });

  it('report, for GET /api/v1/me, the second factors and connected accounts in the same one statement', async () => {
    const { user, sessionId } = await start(false);
    const { insertRecoveryCodes } = await import('@/lib/db/queries/two-step');
    const { insertIdentity } = await import('@/lib/db/queries/identities');
    await insertRecoveryCodes(getDb(), user.id, ['a', 'b', 'c'], now);
    await insertIdentity(user.id, { provider: 'oidc', subject: 'sub-1', email: 'ada@example.com', emailVerified: true }, now);
    // Someone else's rows are not counted.
    const other = await insertUser({ ...base, username: 'Grace', email: 'grace@example.com' });
    await insertRecoveryCodes(getDb(), other.id, ['d'], now);
    const { executed, stop } = await recordStatements();
    try {
      const live = await session.getLiveSessionSummary(sessionId, user.id, at(1000));
      expect(live?.user.username).toBe('Ada');
      expect(live?.summary).toEqual({ totp: false, passkeys: 0, recoveryCodesLeft: 3, identities: 1 });
      expect(executed).toHaveLength(1);
    } finally {
      stop();
    }
    await revokeSession(sessionId, now);
    expect(await session.getLiveSessionSummary(sessionId, user.id, at(1000))).toBeNull();
  });

  it('end at their absolute limit however active they are', async () => {
    const { user, sessionId } = await start(false);
    expect(await session.getLiveSessionUser(sessionId, user.id, at(session.SESSION_MAX_AGE_MS - 1000))).not.toBeNull();
    expect(await session.getLiveSessionUser(sessionId, user.id, at(session.SESSION_MAX_AGE_MS + 1000))).toBeNull();
  });

  it('rotate the refresh token on every use and store only its hash', async () => {
    const { sessionId, refreshToken } = await start(true);
    const [stored] = await getDb().select().from(sessions);
    expect(stored!.refreshHash).not.toBe(refreshToken);
    const first = (await session.refreshSession(refreshToken!, at(1000)))!;
    expect(first.sessionId).toBe(sessionId);
    expect(first.refreshToken).toBeTruthy();
    expect(first.refreshToken).not.toBe(refreshToken);
    const second = (await session.refreshSession(first.refreshToken!, at(2000)))!;
    expect(second.sessionId).toBe(sessionId);
  });

  it('let a just-replaced refresh token through briefly, for two tabs refreshing at once', async () => {
    const { sessionId, refreshToken } = await start(true);
    await session.refreshSession(refreshToken!, at(1000));
    const racing = await session.refreshSession(refreshToken!, at(1000 + session.REFRESH_GRACE_MS - 1));
    expect(racing).toMatchObject({ sessionId });
    expect(racing?.refreshToken).toBeUndefined();
  });

  it('end the session when an old refresh token comes back later: it was copied', async () => {
    const { user, sessionId, refreshToken } = await start(true);
    const rotated = (await session.refreshSession(refreshToken!, at(1000)))!;
    expect(await session.refreshSession(refreshToken!, at(1000 + session.REFRESH_GRACE_MS + 1000))).toBeNull();
    expect(await session.getLiveSessionUser(sessionId, user.id, at(5000))).toBeNull();
    expect(await session.refreshSession(rotated.refreshToken!, at(6000))).toBeNull();
  });

  it('survive 30 idle days with "Keep me signed in" and not more', async () => {
    const { refreshToken } = await start(true);
    const later = await session.refreshSession(refreshToken!, at(session.REFRESH_IDLE_MS - 60_000));
    expect(later?.refreshToken).toBeTruthy();
    const idleStart = session.REFRESH_IDLE_MS - 60_000;
    expect(await session.refreshSession(later!.refreshToken!, at(idleStart + session.REFRESH_IDLE_MS + 1000))).toBeNull();
  });

  it('refuse unknown refresh tokens and logout by refresh token', async () => {
    const { user, sessionId, refreshToken } = await start(true);
    expect(await session.refreshSession('not-a-token', now)).toBeNull();
    await session.endSessionByRefreshToken(refreshToken!, now);
    expect(await session.getLiveSessionUser(sessionId, user.id, now)).toBeNull();
    expect(await session.refreshSession(refreshToken!, now)).toBeNull();
  });

  it('go when their user is deleted', async () => {
    const { user } = await start(true);
    await getDb().delete(users);
    expect(await getDb().select().from(sessions)).toHaveLength(0);
    expect(user.id).toBeGreaterThan(0);
  });

  it('keep remembered sessions across a secret rotation: refresh tokens are found under the previous secret', async () => {
    const { sessionId, refreshToken } = await start(true);
    const secret = process.env.AUTH_SECRET!;
    process.env.AUTH_SECRET = 'the-new-secret-after-rotation-32-bytes-long';
    try {
      expect(await session.refreshSession(refreshToken!, at(1000))).toBeNull();
      process.env.AUTH_SECRET_PREVIOUS = secret;
      const refreshed = (await session.refreshSession(refreshToken!, at(2000)))!;
      expect(refreshed.sessionId).toBe(sessionId);
      delete process.env.AUTH_SECRET_PREVIOUS;
      // The rotated token is stored under the new secret.
      expect((await session.refreshSession(refreshed.refreshToken!, at(3000)))?.sessionId).toBe(sessionId);
    } finally {
      process.env.AUTH_SECRET = secret;
      delete process.env.AUTH_SECRET_PREVIOUS;
    }
  });

  it('move to a new id and refresh token when rotated; the old ones are worth nothing', async () => {
    const { user, sessionId, refreshToken } = await start(true);
    const rotated = (await session.rotateSession(sessionId))!;
    expect(rotated.sessionId).not.toBe(sessionId);
    expect(rotated.refreshToken).toBeTruthy();
    expect(await session.getLiveSessionUser(sessionId, user.id, now)).toBeNull();
    expect(await session.getLiveSessionUser(rotated.sessionId, user.id, now)).not.toBeNull();
    expect(await session.refreshSession(refreshToken!, at(1000))).toBeNull();
    expect((await session.refreshSession(rotated.refreshToken!, at(1000)))?.sessionId).toBe(rotated.sessionId);
  });

  it('start only while the password checked is still the account’s', async () => {
    const user = await insertUser({ ...base, username: 'Ada', email: 'ada@example.com' });
    expect(await session.startSession({ userId: user.id, remember: false, method: 'password', userAgent: null, ip: null, passwordHash: 'something else' })).toBeNull();
    expect(await session.startSession({ userId: user.id, remember: false, method: 'password', userAgent: null, ip: null, passwordHash: base.passwordHash })).not.toBeNull();
    expect(await getDb().select().from(sessions)).toHaveLength(1);
  });
});

describe('the key of the account page’s copy (lib/auth/page-copy.ts)', () => {
  async function signedIn() {
    const user = await insertUser({ ...base, username: 'Ada', email: 'ada@example.com' });
    const { sessionId } = (await session.startSession({ userId: user.id, remember: false, method: 'password', userAgent: 'test', ip: '127.0.0.1' }))!;
    const cookie = async (issuedAt = Date.now(), kind: 'browser' | 'api' = 'browser') =>
      `other=1; ${sessionCookieName()}=${await signSessionToken({ sub: String(user.id), sid: sessionId, username: 'Ada' }, kind, issuedAt)}`;
    return { user, sessionId, cookie };
  }

  it('names the session and a digest of the person’s row, in one token check and one statement', async () => {
    const { user, sessionId, cookie } = await signedIn();
    const header = await cookie();
    const { executed, stop } = await recordStatements();
    try {
      expect(await personalCopyKey(header, '/account')).toEqual({ key: `${sessionId} ${copyDigest(user)}` });
      expect(executed).toHaveLength(1);
    } finally {
      stop();
    }
  });

  it('changes with any change to the row', async () => {
    const { user, cookie } = await signedIn();
    const header = await cookie();
    const before = await personalCopyKey(header, '/account');
    await updateUser(user.id, { firstName: 'Augusta' }, new Date());
    const after = await personalCopyKey(header, '/account');
    expect(after).not.toEqual(before);
    expect(after).toEqual({ key: expect.not.stringContaining(copyDigest(user)) });
  });

  it('is null where Next must answer: no cookie, a bad or API token, a token due for renewal, an ended session', async () => {
    const { sessionId, cookie } = await signedIn();
    expect(await personalCopyKey(undefined, '/account')).toBeNull();
    expect(await personalCopyKey('other=1', '/account')).toBeNull();
    expect(await personalCopyKey(`${sessionCookieName()}=not.a.token`, '/account')).toBeNull();
    expect(await personalCopyKey(await cookie(Date.now(), 'api'), '/account')).toBeNull();
    expect(await personalCopyKey(await cookie(Date.now() - (RENEW_AFTER_SECONDS - 5) * 1000), '/account')).not.toBeNull();
    expect(await personalCopyKey(await cookie(Date.now() - RENEW_AFTER_SECONDS * 1000), '/account')).toBeNull();
    const header = await cookie();
    await revokeSession(sessionId, new Date());
    expect(await personalCopyKey(header, '/account')).toBeNull();
  });
});

describe('replacing a password after a slow check', () => {
  const now = new Date('2026-11-24T12:00:00Z');
  const setup = async () => {
    const user = await insertUser({ ...base, username: 'Ada', email: 'ada@example.com' });
    const mine = (await session.startSession({ userId: user.id, remember: true, method: 'password', userAgent: null, ip: null }, now))!;
    const other = (await session.startSession({ userId: user.id, remember: false, method: 'password', userAgent: null, ip: null }, now))!;
    const hash = async () => (await getDb().select().from(users))[0]!.passwordHash;
    return { user, mine, other, hash };
  };

  it('writes nothing when the password changed meanwhile (the owner’s reset landed first)', async () => {
    const { user, mine, other, hash } = await setup();
    // The owner's reset: a new hash, every session ended.
    expect(await session.replacePassword({ userId: user.id, passwordHash: '$2b$10$owner', keepSessionId: null }, now)).toMatchObject({ revoked: 2 });
    // The attacker's change, checked against the old hash before the reset, must not land.
    expect(
      await session.replacePassword({ userId: user.id, expected: base.passwordHash, passwordHash: '$2b$10$attacker', keepSessionId: mine.sessionId }, now),
    ).toBeNull();
    expect(await hash()).toBe('$2b$10$owner');
    expect(await session.getLiveSessionUser(other.sessionId, user.id, now)).toBeNull();
  });

  it('writes nothing when the session making the change ended meanwhile', async () => {
    const { user, mine, other, hash } = await setup();
    await revokeSession(mine.sessionId, now);
    expect(
      await session.replacePassword({ userId: user.id, expected: base.passwordHash, passwordHash: '$2b$10$new', keepSessionId: mine.sessionId }, now),
    ).toBeNull();
    expect(await hash()).toBe(base.passwordHash);
    expect(await session.getLiveSessionUser(other.sessionId, user.id, now)).not.toBeNull();
  });

  it('otherwise ends every other session and moves this one to a new id and refresh token', async () => {
    const { user, mine, other, hash } = await setup();
    const replaced = (await session.replacePassword(
      { userId: user.id, expected: base.passwordHash, passwordHash: '$2b$10$new', keepSessionId: mine.sessionId },
      now,
    ))!;
    expect(replaced.revoked).toBe(1);
    expect(await hash()).toBe('$2b$10$new');
    expect(await session.getLiveSessionUser(other.sessionId, user.id, now)).toBeNull();
    expect(await session.getLiveSessionUser(mine.sessionId, user.id, now)).toBeNull();
    expect(await session.getLiveSessionUser(replaced.session!.sessionId, user.id, now)).not.toBeNull();
    expect(await session.refreshSession(mine.refreshToken!, new Date(now.getTime() + 1000))).toBeNull();
    expect(replaced.session!.refreshToken).toBeTruthy();
  });
});
