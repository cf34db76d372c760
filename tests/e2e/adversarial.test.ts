// Attacks on the running production build that must change nothing and break nothing: generated
// hostile bodies for every endpoint, enumeration probes, a race for one username, and a crash in
// the middle of writes. Runs on a server of its own (trusting one proxy, so each request can be
// its own client for the rate limits).
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, type ApiResult } from './support/api';
import { clientAddress, launchBrowser, newContext, newPerson, registration, type Person } from './support/browser';
import { startServer, type Server } from './support/server';

let server: Server;
const ENV = { TRUST_PROXY: '1' };
/** Generated cases per property; FC_RUNS=500 for a longer hunt. */
const RUNS = Number(process.env.FC_RUNS ?? 25);

beforeAll(async () => {
  server = await startServer(ENV);
});
afterAll(async () => {
  await server?.stop();
});

type Call = ApiResult;

const call = (method: string, p: string, options: Parameters<typeof apiCall>[3] = {}) => apiCall(server.baseUrl, method, p, options);

/** Passwords and tokens used here: none may ever appear in the server's log. */
const secrets: string[] = [];

async function account(): Promise<{ person: Person; token: string }> {
  const person = { ...newPerson(), password: `secret ${Math.random().toString(36).slice(2)} phrase` };
  expect((await call('POST', '/auth/register', { body: registration(person) })).status).toBe(201);
  const login = await call('POST', '/auth/token', { body: { login: person.username, password: person.password } });
  secrets.push(person.password, login.body.access_token);
  return { person, token: login.body.access_token };
}

function db(): Database.Database {
  return new Database(path.join(server.dataDir, 'app.db'));
}

/** A 4xx in the API's error shape: never a 5xx, never a stack trace. */
function refusedCleanly(result: Call): boolean {
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
    const credentials = () => {
      const handle = db();
      const row = handle.prepare('select email, password_hash from users where username = ?').get(me);
      handle.close();
      return row;
    };
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
    const handle = db();
    expect((handle.prepare("select count(*) as n from users where username like '%<%' or email like '%<%'").get() as { n: number }).n).toBe(0);
    handle.close();
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
    const handle = db();
    const broken = handle.prepare("select count(*) as n from users where trim(first_name) = '' or trim(last_name) = '' or password_hash = '' or username = ''").get() as { n: number };
    expect(broken.n).toBe(0);
    handle.close();
  });
});

describe('enumeration probes', () => {
  it('login, token and forgot-password answer a registered and an unregistered address identically', async () => {
    const { person } = await account();
    const nobody = newPerson();
    const strip = (r: Call) => ({ status: r.status, body: r.body, headers: [...r.headers.keys()].filter((k) => k !== 'date').sort() });
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
});

describe('races', () => {
  it('50 simultaneous registrations of one username: exactly one 201, the rest 409', async () => {
    const username = newPerson().username;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => call('POST', '/auth/register', { body: registration({ ...newPerson(), username: i % 2 ? username : username.toUpperCase() }) })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    const handle = db();
    expect((handle.prepare('select count(*) as n from users where lower(username) = lower(?)').get(username) as { n: number }).n).toBe(1);
    handle.close();
  });
});

// The white-box review of 2026-12 (docs/security.md): limits raced with concurrent guesses, and
// every endpoint that redirects to a user-supplied `next`.
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
    const handle = db();
    const live = () => handle.prepare("select attempts from one_time_codes where email = ? and used_at is null").get(person.email) as { attempts: number } | undefined;
    await expect.poll(() => live()).toBeDefined();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => call('POST', '/auth/password/reset', { body: { email: person.email, code: String(100000 + i), newPassword: 'some new passphrase' } })),
    );
    expect(results.every((r) => r.status === 400 || r.status === 422 || r.status === 429)).toBe(true);
    expect(live()!.attempts).toBeLessThanOrEqual(5);
    handle.close();
  });
});

describe('open redirects', () => {
  // Every one of these must land on this site, through every endpoint that takes `next`.
  const TARGETS = ['/.//x.example', '/..//x.example', '/%2e//x.example', '/%2e%2e//x.example', '/a/..//x.example', '/\\x.example', '/%5cx.example', '/%2f%2fx.example', '/%09/x.example', '//x.example', 'https://x.example', 'javascript:alert(1)'];
  const onThisSite = (location: string | null) => {
    expect(location).not.toBeNull();
    expect(location!.startsWith('/') && !location!.startsWith('//') && !location!.startsWith('/\\')).toBe(true);
    expect(new URL(location!, server.baseUrl).origin).toBe(server.baseUrl);
  };

  it('GET /auth/refresh?next=…, with and without a refresh cookie', async () => {
    for (const target of TARGETS) {
      for (const cookie of [undefined, 'gatehouse.refresh=not-a-real-token']) {
        const response = await fetch(`${server.baseUrl}/auth/refresh?next=${encodeURIComponent(target)}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
        expect(response.status, target).toBe(307);
        onThisSite(response.headers.get('location'));
      }
    }
  });

  it('the login page while signed in, and the login form’s own next field', async () => {
    const { person } = await account();
    const browser = await launchBrowser();
    try {
      const context = await newContext(browser, { baseURL: server.baseUrl });
      const page = await context.newPage();
      for (const target of TARGETS) {
        // The form: the page puts a safe value in its hidden field; put the raw one back, as an attacker's page would post it.
        await context.clearCookies();
        await page.goto('/login');
        await page.fill('#login', person.username);
        await page.fill('#password', person.password);
        await page.evaluate((value) => {
          const form = document.querySelector('form')!;
          const field = form.querySelector<HTMLInputElement>('input[name=next]') ?? form.appendChild(Object.assign(document.createElement('input'), { type: 'hidden', name: 'next' }));
          field.value = value;
        }, target);
        await page.getByRole('button', { name: 'Log in' }).click();
        await page.waitForURL((url) => url.pathname !== '/login', { timeout: 10_000 }).catch(() => {});
        expect(new URL(page.url()).origin, target).toBe(server.baseUrl);
        // The page itself, visited with a session.
        const response = await context.request.get(`/login?next=${encodeURIComponent(target)}`, { maxRedirects: 0 });
        expect(response.status(), target).toBe(307);
        onThisSite(response.headers()['location'] ?? null);
      }
      await context.close();
    } finally {
      await browser.close();
    }
  });
});

describe('a crash in the middle of writes', () => {
  it('keeps every acknowledged write, and the database passes integrity_check', async () => {
    const { person, token } = await account();
    const acknowledged: { username: string }[] = [];
    const lastNames: string[] = [];
    // The first update that got no answer: the one in flight at the kill (later ones found no server).
    let inFlight: string | undefined;
    let stop = false;
    const registrations = (async () => {
      while (!stop) {
        const someone = newPerson();
        const result = await call('POST', '/auth/register', { body: registration(someone) }).catch(() => null);
        if (result?.status === 201) acknowledged.push({ username: someone.username });
      }
    })();
    const updates = (async () => {
      for (let i = 0; !stop; i += 1) {
        const lastName = `Crash${i}`;
        const result = await call('PATCH', `/users/${person.username}`, { token, body: { lastName } }).catch(() => null);
        if (result?.status === 200) lastNames.push(lastName);
        else inFlight ??= lastName;
      }
    })();
    await new Promise((r) => setTimeout(r, 1500));
    await server.crash();
    stop = true;
    await Promise.all([registrations, updates]);
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(lastNames.length).toBeGreaterThan(0);

    const port = Number(new URL(server.baseUrl).port);
    server = await startServer(ENV, { dataDir: server.dataDir, authSecret: server.authSecret, port });
    const handle = db();
    expect(handle.pragma('integrity_check', { simple: true })).toBe('ok');
    const names = new Set((handle.prepare('select username from users').all() as { username: string }[]).map((u) => u.username));
    for (const { username } of acknowledged) expect(names.has(username), username).toBe(true);
    handle.close();
    // The last acknowledged update is what the server now says (or the one in flight at the kill,
    // which may have been written without being acknowledged). The loop runs on for a moment after
    // the kill, so "the last one tried" would be a later, never-sent update.
    const me = await call('GET', '/me', { token });
    expect(me.status).toBe(200);
    expect([lastNames.at(-1), inFlight]).toContain(me.body.user.lastName);
    expect(fs.existsSync(path.join(server.dataDir, 'app.db'))).toBe(true);
  });
});

describe('the server log', () => {
  it('holds no password, token or hash from everything above', () => {
    const log = fs.readFileSync(server.log, 'utf8');
    expect(secrets.length).toBeGreaterThan(3);
    for (const secret of secrets) expect(log.includes(secret), 'a secret in the log').toBe(false);
    expect(log).not.toMatch(/\$2[aby]\$\d\d\$/);
    expect(log).not.toMatch(/eyJhbGciOi/);
  });
});
