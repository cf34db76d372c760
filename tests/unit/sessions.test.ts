import { beforeEach, describe, expect, it } from 'vitest';

process.env.DATABASE_URL = ':memory:';
process.env.AUTH_SECRET ??= 'unit-test-secret-that-is-at-least-32-bytes-long';
const { getDb } = await import('@/lib/db/client');
const { insertUser, findUserForLogin, TakenError } = await import('@/lib/db/queries/users');
const session = await import('@/lib/auth/session');
const { revokeSession } = await import('@/lib/db/queries/sessions');
const { sessions, users } = await import('@/lib/db/schema');

const base = { firstName: 'Ada', lastName: 'Lovelace', dateOfBirth: '1990-04-07', passwordHash: '$2b$10$x' };

beforeEach(() => {
  getDb().delete(sessions).run();
  getDb().delete(users).run();
});

describe('users', () => {
  it('are unique by username and by email, case-insensitively', () => {
    insertUser({ ...base, username: 'Ada', email: 'ada@example.com' });
    const takenField = (fn: () => unknown) => {
      try {
        fn();
        return 'inserted';
      } catch (error) {
        return error instanceof TakenError ? error.field : String(error);
      }
    };
    expect(takenField(() => insertUser({ ...base, username: 'ADA', email: 'other@example.com' }))).toBe('username');
    expect(takenField(() => insertUser({ ...base, username: 'Grace', email: 'ada@example.com' }))).toBe('email');
    expect(getDb().select().from(users).all()).toHaveLength(1);
  });

  it('are found by email or username in any case, and keep their hash out of the public shape', () => {
    const created = insertUser({ ...base, username: 'Ada', email: 'ada@example.com' });
    expect(created).not.toHaveProperty('passwordHash');
    expect(findUserForLogin('ADA')?.id).toBe(created.id);
    expect(findUserForLogin(' Ada@Example.com ')?.id).toBe(created.id);
    expect(findUserForLogin('nobody')).toBeUndefined();
  });
});

describe('sessions', () => {
  const now = new Date('2026-11-24T12:00:00Z');
  const at = (ms: number) => new Date(now.getTime() + ms);
  const start = (remember: boolean) => {
    const user = insertUser({ ...base, username: 'Ada', email: 'ada@example.com' });
    return { user, ...session.startSession({ userId: user.id, remember, userAgent: 'test', ip: '127.0.0.1' }, now)! };
  };

  it('are live until revoked', () => {
    const { user, sessionId, refreshToken } = start(false);
    expect(refreshToken).toBeUndefined();
    expect(session.getLiveSessionUser(sessionId, user.id, now)?.username).toBe('Ada');
    expect(session.getLiveSessionUser(sessionId, user.id + 1, now)).toBeNull();
    revokeSession(sessionId, now);
    expect(session.getLiveSessionUser(sessionId, user.id, now)).toBeNull();
  });

  it('cost one statement per authenticated request: session and user together', () => {
    const { user, sessionId } = start(false);
    // Every statement better-sqlite3 runs goes through these methods of its Statement prototype.
    const proto = Object.getPrototypeOf(getDb().$client.prepare('select 1')) as Record<string, (...args: unknown[]) => unknown>;
    const executed: string[] = [];
    const originals = (['get', 'all', 'run', 'iterate'] as const).map((name) => [name, proto[name]!] as const);
    for (const [name, original] of originals) {
      proto[name] = function (this: { source: string }, ...args: unknown[]) {
        executed.push(this.source);
        return original.apply(this, args);
      };
    }
    try {
      expect(session.getLiveSessionUser(sessionId, user.id, at(1000))?.username).toBe('Ada');
      expect(executed).toHaveLength(1);
      expect(executed[0]).toMatch(/from "sessions" inner join "users"/);
      // At most once a minute it also records the activity.
      executed.length = 0;
      expect(session.getLiveSessionUser(sessionId, user.id, at(61_000))?.username).toBe('Ada');
      expect(executed.map((sql) => sql.split(' ')[0])).toEqual(['select', 'update']);
    } finally {
      for (const [name, original] of originals) proto[name] = original;
    }
  });

  it('end at their absolute limit however active they are', () => {
    const { user, sessionId } = start(false);
    expect(session.getLiveSessionUser(sessionId, user.id, at(session.SESSION_MAX_AGE_MS - 1000))).not.toBeNull();
    expect(session.getLiveSessionUser(sessionId, user.id, at(session.SESSION_MAX_AGE_MS + 1000))).toBeNull();
  });

  it('rotate the refresh token on every use and store only its hash', () => {
    const { sessionId, refreshToken } = start(true);
    const stored = getDb().select().from(sessions).get()!;
    expect(stored.refreshHash).not.toBe(refreshToken);
    const first = session.refreshSession(refreshToken!, at(1000))!;
    expect(first.sessionId).toBe(sessionId);
    expect(first.refreshToken).toBeTruthy();
    expect(first.refreshToken).not.toBe(refreshToken);
    const second = session.refreshSession(first.refreshToken!, at(2000))!;
    expect(second.sessionId).toBe(sessionId);
  });

  it('let a just-replaced refresh token through briefly, for two tabs refreshing at once', () => {
    const { sessionId, refreshToken } = start(true);
    session.refreshSession(refreshToken!, at(1000));
    const racing = session.refreshSession(refreshToken!, at(1000 + session.REFRESH_GRACE_MS - 1));
    expect(racing).toMatchObject({ sessionId });
    expect(racing?.refreshToken).toBeUndefined();
  });

  it('end the session when an old refresh token comes back later: it was copied', () => {
    const { user, sessionId, refreshToken } = start(true);
    const rotated = session.refreshSession(refreshToken!, at(1000))!;
    expect(session.refreshSession(refreshToken!, at(1000 + session.REFRESH_GRACE_MS + 1000))).toBeNull();
    expect(session.getLiveSessionUser(sessionId, user.id, at(5000))).toBeNull();
    expect(session.refreshSession(rotated.refreshToken!, at(6000))).toBeNull();
  });

  it('survive 30 idle days with "Keep me signed in" and not more', () => {
    const { refreshToken } = start(true);
    const later = session.refreshSession(refreshToken!, at(session.REFRESH_IDLE_MS - 60_000));
    expect(later?.refreshToken).toBeTruthy();
    const idleStart = session.REFRESH_IDLE_MS - 60_000;
    expect(session.refreshSession(later!.refreshToken!, at(idleStart + session.REFRESH_IDLE_MS + 1000))).toBeNull();
  });

  it('refuse unknown refresh tokens and logout by refresh token', () => {
    const { user, sessionId, refreshToken } = start(true);
    expect(session.refreshSession('not-a-token', now)).toBeNull();
    session.endSessionByRefreshToken(refreshToken!, now);
    expect(session.getLiveSessionUser(sessionId, user.id, now)).toBeNull();
    expect(session.refreshSession(refreshToken!, now)).toBeNull();
  });

  it('go when their user is deleted', () => {
    const { user } = start(true);
    getDb().delete(users).run();
    expect(getDb().select().from(sessions).all()).toHaveLength(0);
    expect(user.id).toBeGreaterThan(0);
  });

  it('keep remembered sessions across a secret rotation: refresh tokens are found under the previous secret', () => {
    const { sessionId, refreshToken } = start(true);
    const secret = process.env.AUTH_SECRET!;
    process.env.AUTH_SECRET = 'the-new-secret-after-rotation-32-bytes-long';
    try {
      expect(session.refreshSession(refreshToken!, at(1000))).toBeNull();
      process.env.AUTH_SECRET_PREVIOUS = secret;
      const refreshed = session.refreshSession(refreshToken!, at(2000))!;
      expect(refreshed.sessionId).toBe(sessionId);
      delete process.env.AUTH_SECRET_PREVIOUS;
      // The rotated token is stored under the new secret.
      expect(session.refreshSession(refreshed.refreshToken!, at(3000))?.sessionId).toBe(sessionId);
    } finally {
      process.env.AUTH_SECRET = secret;
      delete process.env.AUTH_SECRET_PREVIOUS;
    }
  });

  it('move to a new id and refresh token when rotated; the old ones are worth nothing', () => {
    const { user, sessionId, refreshToken } = start(true);
    const rotated = session.rotateSession(sessionId)!;
    expect(rotated.sessionId).not.toBe(sessionId);
    expect(rotated.refreshToken).toBeTruthy();
    expect(session.getLiveSessionUser(sessionId, user.id, now)).toBeNull();
    expect(session.getLiveSessionUser(rotated.sessionId, user.id, now)).not.toBeNull();
    expect(session.refreshSession(refreshToken!, at(1000))).toBeNull();
    expect(session.refreshSession(rotated.refreshToken!, at(1000))?.sessionId).toBe(rotated.sessionId);
  });

  it('start only while the password checked is still the account’s', () => {
    const user = insertUser({ ...base, username: 'Ada', email: 'ada@example.com' });
    expect(session.startSession({ userId: user.id, remember: false, userAgent: null, ip: null, passwordHash: 'something else' })).toBeNull();
    expect(session.startSession({ userId: user.id, remember: false, userAgent: null, ip: null, passwordHash: base.passwordHash })).not.toBeNull();
    expect(getDb().select().from(sessions).all()).toHaveLength(1);
  });
});

describe('replacing a password after a slow check', () => {
  const now = new Date('2026-11-24T12:00:00Z');
  const setup = () => {
    const user = insertUser({ ...base, username: 'Ada', email: 'ada@example.com' });
    const mine = session.startSession({ userId: user.id, remember: true, userAgent: null, ip: null }, now)!;
    const other = session.startSession({ userId: user.id, remember: false, userAgent: null, ip: null }, now)!;
    const hash = () => getDb().select().from(users).get()!.passwordHash;
    return { user, mine, other, hash };
  };

  it('writes nothing when the password changed meanwhile (the owner’s reset landed first)', () => {
    const { user, mine, other, hash } = setup();
    // The owner's reset: a new hash, every session ended.
    expect(session.replacePassword({ userId: user.id, passwordHash: '$2b$10$owner', keepSessionId: null }, now)).toMatchObject({ revoked: 2 });
    // The attacker's change, checked against the old hash before the reset, must not land.
    expect(session.replacePassword({ userId: user.id, expected: base.passwordHash, passwordHash: '$2b$10$attacker', keepSessionId: mine.sessionId }, now)).toBeNull();
    expect(hash()).toBe('$2b$10$owner');
    expect(session.getLiveSessionUser(other.sessionId, user.id, now)).toBeNull();
  });

  it('writes nothing when the session making the change ended meanwhile', () => {
    const { user, mine, other, hash } = setup();
    revokeSession(mine.sessionId, now);
    expect(session.replacePassword({ userId: user.id, expected: base.passwordHash, passwordHash: '$2b$10$new', keepSessionId: mine.sessionId }, now)).toBeNull();
    expect(hash()).toBe(base.passwordHash);
    expect(session.getLiveSessionUser(other.sessionId, user.id, now)).not.toBeNull();
  });

  it('otherwise ends every other session and moves this one to a new id and refresh token', () => {
    const { user, mine, other, hash } = setup();
    const replaced = session.replacePassword({ userId: user.id, expected: base.passwordHash, passwordHash: '$2b$10$new', keepSessionId: mine.sessionId }, now)!;
    expect(replaced.revoked).toBe(1);
    expect(hash()).toBe('$2b$10$new');
    expect(session.getLiveSessionUser(other.sessionId, user.id, now)).toBeNull();
    expect(session.getLiveSessionUser(mine.sessionId, user.id, now)).toBeNull();
    expect(session.getLiveSessionUser(replaced.session!.sessionId, user.id, now)).not.toBeNull();
    expect(session.refreshSession(mine.refreshToken!, new Date(now.getTime() + 1000))).toBeNull();
    expect(replaced.session!.refreshToken).toBeTruthy();
  });
});
