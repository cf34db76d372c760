import { beforeEach, describe, expect, it, vi } from 'vitest';
import { emptyDatabase, recordStatements, useTestDatabase } from '../support/database';

// The request each use-case sees: its client address and its cookies, set per test.
const request = { ip: '203.0.113.7', cookies: new Map<string, string>() };
vi.mock('next/headers', () => ({
  // Read when called, not when awaited: a burst's requests each keep the address they started with.
  headers: () => Promise.resolve(new Headers({ 'user-agent': 'vitest', 'x-forwarded-for': request.ip })),
  cookies: async () => ({ get: (name: string) => (request.cookies.has(name) ? { value: request.cookies.get(name)! } : undefined) }),
}));
vi.mock('next/server', () => ({ after: () => {} }));

await useTestDatabase({
  BCRYPT_COST: '10',
  // A client's budget small enough to exhaust quickly (the default, 30, is e2e/limits.test.ts's).
  RATE_LIMIT_LOGIN_IP: '6/900',
});
const { insertUser, markEmailVerified } = await import('@/lib/db/queries/users');
const { hashPassword } = await import('@/lib/auth/password');
const { logIn } = await import('@/lib/auth/login');
const { checkOwnPassword } = await import('@/lib/auth/reauth');
const { knownDevice, rememberDevice } = await import('@/lib/auth/device');
const { deviceCookieName } = await import('@/lib/auth/cookies');
const { ipKey } = await import('@/lib/security/rate-limit');

const PASSWORD = 'analytical engine notes';
let passwordHash: string;

beforeEach(async () => {
  await emptyDatabase();
  request.ip = '203.0.113.7';
  request.cookies.clear();
  passwordHash ??= await hashPassword(PASSWORD);
});

/** An account whose address is verified: one that may log in in every mode. */
async function person(username: string) {
  const user = await insertUser({ username, email: `${username.toLowerCase()}@example.com`, firstName: 'Ada', lastName: 'Lovelace', dateOfBirth: '1990-04-07', passwordHash });
  return (await markEmailVerified(user.id, user.email))!;
}


/** The device cookie a browser gets after logging in to `userId` (what signInBrowser sets). */
function deviceCookieFor(userId: number, existing?: string): string {
  let value = '';
  rememberDevice({ set: (_name, v) => (value = v) }, existing, userId);
  return value;
}

/** Fires `count` logins at once, each from a client address of its own. */
const burst = (count: number, login: string, password: string) =>
  Promise.all(
    Array.from({ length: count }, (_, i) => {
      request.ip = `198.51.100.${i + 1}`;
      return logIn({ login, password, remember: false });
    }),
  );
const checked = (attempts: Awaited<ReturnType<typeof logIn>>[]) => attempts.filter((a) => !a.ok && a.kind === 'bad_credentials').length;
const refused = (attempts: Awaited<ReturnType<typeof logIn>>[]) => attempts.filter((a) => !a.ok && a.kind === 'rate_limited').length;

describe('the login limit', () => {
  it('counts a try before the password is compared: of 40 concurrent guesses, 5 are checked and 35 refused', async () => {
    const ada = await person('Ada');
    const attempts = await burst(40, ada.username, 'wrong password guess');
    expect(checked(attempts)).toBe(5);
    expect(refused(attempts)).toBe(35);
    // The right password at the end of the burst is refused too.
    expect(await logIn({ login: 'ada', password: PASSWORD, remember: false })).toMatchObject({ ok: false, retryAfterSeconds: expect.any(Number) });
  });

  it('holds for an unknown login exactly as for a real one', async () => {
    const attempts = await burst(12, 'nobody-here', 'wrong password guess');
    expect(checked(attempts)).toBe(5);
    expect(refused(attempts)).toBe(7);
  });

  it('gives the tries back when the password is right', async () => {
    const ada = await person('Ada');
    const from = (i: number) => (request.ip = `192.0.2.${i + 1}`);
    for (let i = 0; i < 4; i += 1) from(i) && expect(await logIn({ login: 'ada', password: 'wrong', remember: false })).toMatchObject({ ok: false, kind: 'bad_credentials' });
    expect((await logIn({ login: 'ada', password: PASSWORD, remember: false })).ok).toBe(true);
    for (let i = 0; i < 5; i += 1) from(i) && expect(await logIn({ login: ada.email, password: 'wrong', remember: false })).toMatchObject({ ok: false, kind: 'bad_credentials' });
  });

  it('counts a client address across accounts: its budget of checked tries, then none', async () => {
    const names: string[] = [];
    for (let i = 0; i < 4; i += 1) names.push((await person(`Ada${i}`)).username);
    const results = [];
    for (const name of names) for (let i = 0; i < 2; i += 1) results.push(await logIn({ login: name, password: 'wrong', remember: false }));
    expect(checked(results)).toBe(6);
    expect(refused(results)).toBe(2);
  });

  it('lets the owner’s known browser in while a stranger’s burst locks out unknown browsers', async () => {
    const ada = await person('Ada');
    const device = deviceCookieFor(ada.id);
    expect(refused(await burst(40, 'ada', 'wrong password guess'))).toBe(35);
    request.ip = '192.0.2.10';
    expect((await logIn({ login: 'ada', password: PASSWORD, remember: false })).ok).toBe(false);
    request.cookies.set(deviceCookieName(), device);
    expect((await logIn({ login: 'ada', password: PASSWORD, remember: false })).ok).toBe(true);
    // The same holds for the password check before a sensitive change.
    expect(await checkOwnPassword(ada.id, PASSWORD)).toMatchObject({ ok: true });
  });

  it('gives a known browser a small budget of its own', async () => {
    const ada = await person('Ada');
    request.cookies.set(deviceCookieName(), deviceCookieFor(ada.id));
    const attempts = await burst(10, 'ada', 'wrong password guess');
    expect(checked(attempts)).toBe(5);
    expect(refused(attempts)).toBe(5);
    // Unknown browsers still have theirs.
    request.cookies.clear();
    expect((await logIn({ login: 'ada', password: PASSWORD, remember: false })).ok).toBe(true);
  });
});

describe('a login', () => {
  it('is one pass: one account lookup, one limit step per budget, one hash, one session row', async () => {
    const ada = await person('Ada');
    const pool = (globalThis as unknown as { gatehousePasswordPool: { completed: number } }).gatehousePasswordPool;
    const hashesBefore = pool.completed;
    const { executed, stop } = await recordStatements();
    try {
      expect((await logIn({ login: ada.email, password: PASSWORD, remember: false })).ok).toBe(true);
    } finally {
      stop();
    }
    expect(pool.completed - hashesBefore).toBe(1);
    const touching = (table: string) => executed.filter((sql) => sql.includes(`"${table}"`) || sql.includes(` ${table} `));
    // The lookup, and the session's compare-and-swap on the hash: now a write that changes nothing
    // (holdUser), so that on PostgreSQL it also locks the row until the session is inserted.
    expect(touching('users').map((sql) => sql.split(' ')[0])).toEqual(['select', 'update']);
    expect(touching('sessions').filter((sql) => sql.startsWith('insert'))).toHaveLength(1);
    expect(touching('security_events')).toHaveLength(1);
    // Two budgets (the client's and the account's): each taken once before the compare, then given back or cleared.
    expect(executed.filter((sql) => sql.includes('rate_limits'))).toHaveLength(4);
    // Eight statements in all (transaction brackets aside): nothing is looked up or counted twice.
    expect(executed.filter((sql) => !/^(BEGIN|COMMIT)/i.test(sql))).toHaveLength(8);
  });
});

describe('the current-password check', () => {
  it('counts before comparing, too: of 20 concurrent wrong passwords, 5 are checked', async () => {
    const ada = await person('Ada');
    const results = await Promise.all(Array.from({ length: 20 }, () => checkOwnPassword(ada.id, 'wrong password guess')));
    expect(results.filter((r) => !r.ok && r.kind === 'invalid')).toHaveLength(5);
    expect(results.filter((r) => !r.ok && r.kind === 'rate_limited')).toHaveLength(15);
    expect(await checkOwnPassword(ada.id, PASSWORD)).toMatchObject({ ok: false, retryAfterSeconds: expect.any(Number) });
  });
});

describe('device cookies', () => {
  it('are signed and bound to their account', () => {
    const cookie = deviceCookieFor(7);
    expect(knownDevice(cookie, 7)).toMatch(/^[\w-]{22}$/);
    expect(knownDevice(cookie, 8)).toBeNull();
    const [userId, deviceId, expires, signature] = cookie.split('.') as [string, string, string, string];
    expect(knownDevice(`8.${deviceId}.${expires}.${signature}`, 8)).toBeNull();
    expect(knownDevice(`${userId}.${deviceId}.${Number(expires) + 1}.${signature}`, 7)).toBeNull();
    expect(knownDevice('junk', 7)).toBeNull();
    expect(knownDevice(undefined, 7)).toBeNull();
  });

  it('last 30 days, keep their device id when renewed, and hold a few accounts', () => {
    const first = deviceCookieFor(7);
    const id = knownDevice(first, 7);
    expect(knownDevice(first, 7, Date.now() + 29 * 86_400_000)).toBe(id);
    expect(knownDevice(first, 7, Date.now() + 31 * 86_400_000)).toBeNull();
    const both = deviceCookieFor(9, deviceCookieFor(7, first));
    expect(knownDevice(both, 7)).toBe(id);
    expect(knownDevice(both, 9)).not.toBeNull();
  });
});

describe('client keys', () => {
  it.each([
    ['203.0.113.5', '203.0.113.5'],
    ['203.0.113.5:4711', '203.0.113.5'],
    ['::ffff:203.0.113.5', '203.0.113.5'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['[2001:db8:1:2::1]:443', '2001:db8:1:2::/64'],
    ['2001:DB8:0001:0002:0:0:0:9', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    [null, 'unknown'],
    ['', 'unknown'],
  ])('%s counts as %s', (ip, key) => {
    expect(ipKey(ip)).toBe(key);
  });

  it('group an IPv6 /64: rotating the interface id buys no new tries', async () => {
    await person('Ada');
    const results = [];
    for (let i = 0; i < 8; i += 1) {
      request.ip = `2001:db8:abcd:12::${(i + 1).toString(16)}`;
      results.push(await logIn({ login: `nobody${i % 6}`, password: 'wrong', remember: false }));
    }
    expect(checked(results)).toBe(6);
    // Another /64 is another client.
    request.ip = '2001:db8:abcd:13::1';
    expect(await logIn({ login: 'nobody7', password: 'wrong', remember: false })).toMatchObject({ ok: false, kind: 'bad_credentials' });
  });
});
