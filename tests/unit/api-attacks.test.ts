// Attacks on the JSON API that must change nothing and break nothing: generated hostile bodies for
// every endpoint, enumeration probes, a race for one username, and concurrent bursts against the
// limits. In-process (tests/support/in-process-app.ts); the open redirects, a crash in the middle
// of writes and the server log are in tests/e2e/adversarial.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ApiResult } from '../support/api';
import { clientAddress, email, newPerson, registration, type Person } from '../support/generators';
import { inProcessApp } from '../support/in-process-app';
import { waitForMail } from '../support/outbox';


/** Generated cases per property; FC_RUNS=500 for a longer hunt. */
const RUNS = Number(process.env.FC_RUNS ?? 25);
// Attacks on the API's bodies and names, not on sign-up: accounts are usable at once.
const app = inProcessApp({ EMAIL_VERIFICATION: 'off' });
const call = app.api;

async function account(): Promise<{ person: Person; token: string }> {
  const person = newPerson();
  expect((await call('POST', '/auth/register', { body: registration(person) })).status).toBe(201);
  const login = await call('POST', '/auth/token', { body: { login: person.username, password: person.password } });
  return { person, token: login.body.access_token };
}

/** A 4xx in the API's error shape: never a 5xx, never a stack trace. */
function refusedCleanly(result: ApiResult): boolean {
  return (
    result.status >= 400 &&
    result.status < 500 &&
    typeof result.body?.error?.code === 'string' &&
    !/\bat .+:\d+:\d+|SQLITE|stack/i.test(JSON.stringify(result.body))
  );
}

// Values no field of ours accepts as they are, and strings meant to hurt.
const HOSTILE_STRINGS = [
  "' OR 1=1 --",
  '"; DROP TABLE users; --',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '\u0000',
  'a\u0000b',
  '\u202eevil',
  'ＡＤＭＩＮ', // fullwidth confusable
  'аdmin', // Cyrillic а
  '\ud800', // lone surrogate
  '𝕒𝕕𝕞𝕚𝕟',
  ' '.repeat(60),
  'x'.repeat(10_000),
  '../../../../etc/passwd',
  '${7*7}{{7*7}}',
  '__proto__',
];
const hostileValue = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, 1e308, Number.MAX_SAFE_INTEGER, [], {}, [[]], { $ne: null }, { __proto__: { admin: true } }),
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.integer(),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

/** A body with each named field either missing, or hostile, or (sometimes) an extra field. */
const hostileBody = (fields: string[]) =>
  fc
    .record(Object.fromEntries(fields.map((f) => [f, hostileValue])), { requiredKeys: [] })
    .chain((body) => fc.option(fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), hostileValue), { nil: undefined }).map((extra) => (extra ? { ...body, [extra[0]]: extra[1] } : body)));

describe('generated hostile input', () => {
  it('every endpoint answers a clean 4xx and writes nothing', async () => {
    const { person, token } = await account();
    const me = person.username;
    // `mayAccept`: a generated body can be valid there (names accept most text; forgot-password any
    // well-formed address). The username is left out of PATCH/PUT: a rename would end this token.
    const endpoints: { method: string; path: string; fields: string[]; auth?: boolean; mayAccept?: boolean }[] = [
      { method: 'POST', path: '/auth/register', fields: ['firstName', 'lastName', 'dateOfBirth', 'username', 'email', 'password'] },
      { method: 'POST', path: '/auth/token', fields: ['login', 'password'] },
      { method: 'PATCH', path: `/users/${me}`, fields: ['firstName', 'lastName', 'dateOfBirth', 'email'], auth: true, mayAccept: true },
      { method: 'PUT', path: `/users/${me}`, fields: ['firstName', 'lastName', 'dateOfBirth', 'email'], auth: true, mayAccept: true },
      { method: 'POST', path: `/users/${me}/email`, fields: ['newEmail', 'currentPassword'], auth: true },
      { method: 'POST', path: `/users/${me}/email/confirm`, fields: ['code'], auth: true },
      { method: 'POST', path: '/auth/password', fields: ['currentPassword', 'newPassword'], auth: true },
      { method: 'POST', path: '/auth/password/forgot', fields: ['email'], mayAccept: true },
      { method: 'POST', path: '/auth/password/reset', fields: ['email', 'code', 'newPassword'] },
      { method: 'DELETE', path: `/users/${me}`, fields: ['password'], auth: true },
    ];
    const credentials = () => app.db().prepare('select email, password_hash from users where username = ?').get(me);
    const before = credentials();
    for (const endpoint of endpoints) {
      await fc.assert(
        fc.asyncProperty(hostileBody(endpoint.fields), async (body) => {
          const result = await call(endpoint.method, endpoint.path, { body, token: endpoint.auth ? token : undefined });
          if (endpoint.mayAccept && result.status >= 200 && result.status < 300) return;
          if (!refusedCleanly(result)) {
            throw new Error(`${endpoint.method} ${endpoint.path} ${JSON.stringify(body).slice(0, 200)} → ${result.status} ${JSON.stringify(result.body).slice(0, 300)}`);
          }
        }),
        { numRuns: RUNS },
      );
    }
    // Non-object bodies and broken JSON, everywhere.
    for (const endpoint of endpoints) {
      for (const raw of ['[]', '"x"', 'null', '{', '{"a":', '\u0000', '1e999999', JSON.stringify([{ username: 'x' }])]) {
        const result = await call(endpoint.method, endpoint.path, { raw, token: endpoint.auth ? token : undefined });
        expect(refusedCleanly(result), `${endpoint.method} ${endpoint.path} ${raw}`).toBe(true);
      }
    }
    // Nothing hostile got to the credentials, and no username or email holds markup.
    expect(credentials()).toEqual(before);
    expect((app.db().prepare("select count(*) as n from users where username like '%<%' or email like '%<%'").get() as { n: number }).n).toBe(0);
  });

  it('hostile values in forms never leave a half-written record or a server error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...HOSTILE_STRINGS), fc.constantFrom('firstName', 'lastName', 'username', 'email', 'dateOfBirth'), async (value, field) => {
        const result = await call('POST', '/auth/register', { body: { ...registration(newPerson()), [field]: value } });
        // Names may legitimately hold some odd text; everything else must be refused.
        if (result.status === 201) {
          expect(['firstName', 'lastName']).toContain(field);
          expect(result.body.user[field]).toBe(String(value).normalize('NFC').trim());
          return;
        }
        expect(refusedCleanly(result)).toBe(true);
      }),
      { numRuns: RUNS * 2 },
    );
    const broken = app.db().prepare("select count(*) as n from users where trim(first_name) = '' or trim(last_name) = '' or password_hash = '' or username = ''").get() as { n: number };
    expect(broken.n).toBe(0);
  });
});

describe('enumeration probes', () => {
  it('login, token and forgot-password answer a registered and an unregistered address identically', async () => {
    const { person } = await account();
    const nobody = newPerson();
    const strip = (r: ApiResult) => ({ status: r.status, body: r.body, headers: [...r.headers.keys()].filter((k) => k !== 'date').sort() });
    const ip = clientAddress();
    for (const login of [person.email, person.username]) {
      const known = await call('POST', '/auth/token', { body: { login, password: 'wrong password here' }, ip });
      const unknown = await call('POST', '/auth/token', { body: { login: login === person.email ? nobody.email : nobody.username, password: 'wrong password here' }, ip });
      expect(strip(unknown)).toEqual(strip(known));
    }
    const knownForgot = await call('POST', '/auth/password/forgot', { body: { email: person.email } });
    const unknownForgot = await call('POST', '/auth/password/forgot', { body: { email: nobody.email } });
    expect(strip(unknownForgot)).toEqual(strip(knownForgot));
    const knownReset = await call('POST', '/auth/password/reset', { body: { email: person.email, code: '000000', newPassword: 'some new passphrase' } });
    const unknownReset = await call('POST', '/auth/password/reset', { body: { email: nobody.email, code: '000000', newPassword: 'some new passphrase' } });
    expect(strip(unknownReset)).toEqual(strip(knownReset));
  });

  it('a registered address gets the same answer as a free one when a profile asks for it, and its owner a notice without a code', async () => {
    const me = await account();
    const someone = await account();
    const free = email();
    const toFree = await call('POST', `/users/${me.person.username}/email`, { token: me.token, body: { newEmail: free, currentPassword: me.person.password } });
    const toTaken = await call('POST', `/users/${someone.person.username}/email`, {
      token: someone.token,
      body: { newEmail: me.person.email, currentPassword: someone.person.password },
    });
    expect(toFree.status).toBe(202);
    expect(toTaken.status).toBe(202);
    expect(toTaken.body.message).toBe(toFree.body.message.replace(free, me.person.email).replace(me.person.username, someone.person.username));
    const notice = await waitForMail(me.person.email, app.dataDir);
    expect(notice.subject).toBe('Someone tried to use your address on Gatehouse');
    expect(notice.text).not.toMatch(/\b\d{6}\b/);
    // Nothing moved: the address is still mine.
    expect((await call('GET', '/me', { token: someone.token })).body.user.email).toBe(someone.person.email);
  });
});

describe('races', () => {
  it('50 simultaneous registrations of one username: exactly one 201, the rest 409', async () => {
    const { username } = newPerson();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => call('POST', '/auth/register', { body: registration({ ...newPerson(), username: i % 2 ? username : username.toUpperCase() }) })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    expect((app.db().prepare('select count(*) as n from users where lower(username) = lower(?)').get(username) as { n: number }).n).toBe(1);
  });
});

// The white-box review of 2026-12 (docs/security.md): limits raced with concurrent guesses.
describe('concurrent bursts against the limits', () => {
  it('40 simultaneous wrong passwords for one account, each from its own address: at most 5 checked, the rest 429', async () => {
    const { person } = await account();
    const results = await Promise.all(
      Array.from({ length: 40 }, () => call('POST', '/auth/token', { body: { login: person.username, password: 'a wrong guess here' } })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(35);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    // The right password at the end of the burst is refused too.
    expect((await call('POST', '/auth/token', { body: { login: person.username, password: person.password } })).status).toBe(429);
  });

  it('20 simultaneous wrong current passwords from a signed-in session: at most 5 checked, the rest 429', async () => {
    const { person, token } = await account();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => call('POST', '/auth/password', { token, body: { currentPassword: 'a wrong guess here', newPassword: 'a brand new passphrase' } })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 422).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(15);
    expect((await call('POST', '/auth/password', { token, body: { currentPassword: person.password, newPassword: 'a brand new passphrase' } })).status).toBe(429);
  });

  it('30 simultaneous guesses at one reset code: at most 5 compared, and the right code after them fails', async () => {
    const { person } = await account();
    expect((await call('POST', '/auth/password/forgot', { body: { email: person.email } })).status).toBe(202);
    const live = () => app.db().prepare("select attempts from one_time_codes where email = ? and used_at is null").get(person.email) as { attempts: number } | undefined;
    expect(live()).toBeDefined();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => call('POST', '/auth/password/reset', { body: { email: person.email, code: String(100000 + i), newPassword: 'some new passphrase' } })),
    );
    expect(results.every((r) => r.status === 400 || r.status === 422 || r.status === 429)).toBe(true);
    expect(live()!.attempts).toBeLessThanOrEqual(5);
  });
});

