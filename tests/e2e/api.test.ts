// The JSON API against the running production build, as a script or a mobile app would use it.
import fs from 'node:fs';
import path from 'node:path';
import { SignJWT, base64url } from 'jose';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { signSessionToken } from '@/lib/auth/token';
import { clientAddress, newPerson, registration, type Person } from './support/browser';
import { codeIn, mailTo, waitForMail } from './support/outbox';

const api = (p: string) => `${inject('baseUrl')}/api/v1${p}`;
const SESSION_COOKIE = '__Host-gatehouse.session';

beforeAll(() => {
  process.env.AUTH_SECRET = inject('authSecret');
});

type Call = { status: number; body: any; headers: Headers };

async function call(method: string, p: string, options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Call> {
  // Each call comes from a client address of its own, as many apps would (the server trusts one proxy).
  const headers: Record<string, string> = { 'x-forwarded-for': clientAddress(), ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(api(p), { method, headers, body, redirect: 'manual' });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // keep the text: the assertion will show it
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

async function account(): Promise<{ person: Person; token: string; user: any }> {
  const person = newPerson();
  expect((await call('POST', '/auth/register', { body: registration(person) })).status).toBe(201);
  const login = await call('POST', '/auth/token', { body: { login: person.username, password: person.password } });
  expect(login.status).toBe(200);
  return { person, token: login.body.access_token, user: login.body.user };
}

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

function expectError(result: Call, status: number, code: string) {
  expect({ status: result.status, code: result.body?.error?.code }).toEqual({ status, code });
  expect(typeof result.body.error.message).toBe('string');
  expect(JSON.stringify(result.body)).not.toMatch(/at .*\.(ts|js):\d+|stack/i);
}

describe('a whole session', () => {
  it('register → token → me → PATCH → PUT → logout', async () => {
    const person = newPerson();
    const registered = await call('POST', '/auth/register', { body: registration(person) });
    expect(registered.status).toBe(201);
    expect(Object.keys(registered.body.user).sort()).toEqual(['createdAt', 'dateOfBirth', 'email', 'firstName', 'id', 'lastName', 'updatedAt', 'username']);
    expect(registered.body.user).toMatchObject({ username: person.username, email: person.email, dateOfBirth: person.dateOfBirth });

    const login = await call('POST', '/auth/token', { body: { login: person.email.toUpperCase(), password: person.password } });
    expect(login.status).toBe(200);
    expect(login.headers.get('cache-control')).toBe('no-store');
    expect(login.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, user: { id: registered.body.user.id } });
    const token: string = login.body.access_token;
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(claimsOf(token)).toMatchObject({ sub: String(registered.body.user.id), username: person.username });

    const me = await call('GET', '/me', { token });
    expect(me.status).toBe(200);
    expect(me.body.user).toEqual(registered.body.user);

    const patched = await call('PATCH', `/users/${person.username}`, { token, body: { lastName: 'Byron' } });
    expect(patched.status).toBe(200);
    expect(patched.body.user).toMatchObject({ lastName: 'Byron', firstName: person.firstName, username: person.username });
    expect(patched.body.access_token).toBeUndefined();

    const renamed = newPerson().username;
    const rename = await call('PATCH', `/users/${person.username.toUpperCase()}`, { token, body: { username: renamed } });
    expect(rename.status).toBe(200);
    expect(rename.body.user.username).toBe(renamed);
    expect(claimsOf(rename.body.access_token).username).toBe(renamed);
    // The token from before the rename names the old username: it stops working.
    expectError(await call('GET', '/me', { token }), 401, 'session_ended');
    const next: string = rename.body.access_token;

    const full = { username: renamed, email: person.email, firstName: 'Augusta', lastName: 'King', dateOfBirth: '1985-12-10' };
    const put = await call('PUT', `/users/${renamed}`, { token: next, body: full });
    expect(put.status).toBe(200);
    expect(put.body.user).toMatchObject(full);
    expect(typeof put.body.access_token).toBe('string');
    const latest: string = put.body.access_token;
    expect((await call('GET', '/me', { token: latest })).body.user).toMatchObject(full);

    const logout = await call('POST', '/auth/logout', { token: latest });
    expect(logout.status).toBe(204);
    const after = await call('GET', '/me', { token: latest });
    expectError(after, 401, 'session_ended');
    expect(after.headers.get('www-authenticate')).toBe('Bearer realm="gatehouse", error="invalid_token", error_description="The session has ended"');
    // A new login still works.
    expect((await call('POST', '/auth/token', { body: { login: renamed, password: person.password } })).status).toBe(200);
  });
});

describe('tokens that are refused', () => {
  let victim: { person: Person; token: string; user: any };
  beforeAll(async () => {
    victim = await account();
  });

  it('no token: 401 with a bare Bearer challenge', async () => {
    const result = await call('GET', '/me');
    expectError(result, 401, 'unauthorized');
    expect(result.headers.get('www-authenticate')).toBe('Bearer realm="gatehouse"');
  });

  it('alg none, another key, a flipped signature, a changed payload, garbage: invalid', async () => {
    const [header, payload, signature] = victim.token.split('.') as [string, string, string];
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${payload}.`;
    const saved = process.env.AUTH_SECRET;
    process.env.AUTH_SECRET = 'another-secret-that-is-at-least-32-bytes-long!';
    const foreign = await signSessionToken({ sub: String(victim.user.id), sid: claimsOf(victim.token).sid, username: victim.person.username }, 'api');
    process.env.AUTH_SECRET = saved;
    const flipped = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    const otherSub = `${header}.${base64url.encode(JSON.stringify({ ...claimsOf(victim.token), sub: '1' }))}.${signature}`;
    const hs512 = await new SignJWT({ sid: claimsOf(victim.token).sid, username: victim.person.username })
      .setProtectedHeader({ alg: 'HS512', typ: 'JWT' })
      .setSubject(String(victim.user.id))
      .setIssuer('gatehouse')
      .setAudience('gatehouse')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(inject('authSecret')));
    for (const token of [none, foreign, flipped, otherSub, hs512, 'not.a.jwt', 'x'.repeat(5000)]) {
      const result = await call('GET', '/me', { token });
      expectError(result, 401, 'invalid_token');
      expect(result.headers.get('www-authenticate')).toBe('Bearer realm="gatehouse", error="invalid_token", error_description="The access token is invalid"');
    }
    expectError(await call('GET', '/me', { headers: { authorization: 'Bearer ' } }), 401, 'invalid_token');
  });

  it('expired: told apart from invalid', async () => {
    const claims = claimsOf(victim.token);
    const expired = await signSessionToken({ sub: claims.sub, sid: claims.sid, username: claims.username }, 'api', Date.now() - 2 * 3600 * 1000);
    const result = await call('GET', '/me', { token: expired });
    expectError(result, 401, 'token_expired');
    expect(result.headers.get('www-authenticate')).toBe('Bearer realm="gatehouse", error="invalid_token", error_description="The access token expired"');
  });

  it('after a password change, other sessions’ tokens and the changing one’s old token; its new token works', async () => {
    const { person, token } = await account();
    const other = (await call('POST', '/auth/token', { body: { login: person.email, password: person.password } })).body.access_token;
    const wrong = await call('POST', '/auth/password', { token, body: { currentPassword: 'not it at all', newPassword: 'a new passphrase here' } });
    expectError(wrong, 422, 'validation_failed');
    expect(wrong.body.error.fields).toEqual({ currentPassword: 'That is not your current password.' });
    const changed = await call('POST', '/auth/password', { token, body: { currentPassword: person.password, newPassword: 'a new passphrase here' } });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });
    expectError(await call('GET', '/me', { token: other }), 401, 'session_ended');
    // The session moved to a new id: a stolen copy of the token that made the change dies with it.
    expectError(await call('GET', '/me', { token }), 401, 'session_ended');
    expect((await call('GET', '/me', { token: changed.body.access_token })).status).toBe(200);
    expectError(await call('POST', '/auth/token', { body: { login: person.email, password: person.password } }), 401, 'invalid_credentials');
    expect((await call('POST', '/auth/token', { body: { login: person.email, password: 'a new passphrase here' } })).status).toBe(200);
  });
});

describe('other people’s accounts', () => {
  it('PATCH, PUT, DELETE and email change on another name: the same 403 whether it exists or not', async () => {
    const me = await account();
    const other = await account();
    const nobody = newPerson().username;
    const full = { username: other.person.username, email: other.person.email, firstName: 'X', lastName: 'Y', dateOfBirth: '1990-01-01' };
    for (const name of [other.person.username, nobody]) {
      const results = [
        await call('PATCH', `/users/${name}`, { token: me.token, body: { firstName: 'Mallory' } }),
        await call('PUT', `/users/${name}`, { token: me.token, body: full }),
        await call('DELETE', `/users/${name}`, { token: me.token, body: { password: me.person.password } }),
        await call('POST', `/users/${name}/email`, { token: me.token, body: { newEmail: newPerson().email, currentPassword: me.person.password } }),
      ];
      for (const result of results) {
        expectError(result, 403, 'forbidden');
        expect(result.body).toEqual({ error: { code: 'forbidden', message: 'You can only read or change your own account.' } });
      }
    }
    expect((await call('GET', '/me', { token: other.token })).body.user.firstName).toBe(other.person.firstName);
  });
});

describe('bad requests', () => {
  let me: { person: Person; token: string; user: any };
  beforeAll(async () => {
    me = await account();
  });

  it('400 for a body that is not JSON', async () => {
    expectError(await call('POST', '/auth/token', { raw: '{"login": "a", ', headers: { 'content-type': 'application/json' } }), 400, 'invalid_json');
    expectError(await call('POST', '/auth/token', { raw: '', headers: { 'content-type': 'application/json' } }), 400, 'invalid_json');
  });

  it('415 for a body that is not declared JSON', async () => {
    expectError(await call('POST', '/auth/token', { raw: 'login=a&password=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');
  });

  it('413 for a megabyte', async () => {
    const big = { login: 'a'.repeat(1024 * 1024), password: 'x' };
    expectError(await call('POST', '/auth/token', { body: big }), 413, 'payload_too_large');
    expectError(await call('PATCH', `/users/${me.person.username}`, { token: me.token, body: { firstName: 'b'.repeat(1024 * 1024) } }), 413, 'payload_too_large');
  });

  it('422 for an array, a string or null where an object belongs', async () => {
    for (const body of [[registration(newPerson())], 'text', null, 42]) {
      const result = await call('POST', '/auth/register', { body });
      expectError(result, 422, 'validation_failed');
      expect(result.body.error.fields).toEqual({ body: 'The body must be a JSON object.' });
    }
  });

  it('422 for unknown fields: refused, not ignored', async () => {
    const result = await call('PATCH', `/users/${me.person.username}`, { token: me.token, body: { firstname: 'typo', isAdmin: true } });
    expectError(result, 422, 'validation_failed');
    expect(result.body.error.fields).toEqual({ firstname: 'Unknown field.', isAdmin: 'Unknown field.' });
  });

  it('422 with a message per field, for wrong types and hostile values, and nothing is written', async () => {
    const result = await call('POST', '/auth/register', {
      body: { firstName: { $ne: 1 }, lastName: null, dateOfBirth: '2999-01-01', username: "x' OR 1=1 --", email: '<script>@x', password: 12345678 },
    });
    expectError(result, 422, 'validation_failed');
    expect(Object.keys(result.body.error.fields).sort()).toEqual(['dateOfBirth', 'email', 'firstName', 'lastName', 'password', 'username']);
    expect(result.body.error.fields.dateOfBirth).toBe('Date of birth must be in the past.');
    const patch = await call('PATCH', `/users/${me.person.username}`, { token: me.token, body: { firstName: 'Fine', dateOfBirth: '2020-02-30' } });
    expect(patch.body.error.fields).toEqual({ dateOfBirth: 'That date does not exist.' });
    expect((await call('GET', '/me', { token: me.token })).body.user.firstName).toBe(me.person.firstName);
  });

  it('422 when PATCH or PUT try to change the email directly', async () => {
    const patch = await call('PATCH', `/users/${me.person.username}`, { token: me.token, body: { email: newPerson().email } });
    expect(patch.body.error.fields.email).toMatch(/POST \/api\/v1\/users\/\{username\}\/email/);
    const full = { username: me.person.username, email: newPerson().email, firstName: 'A', lastName: 'B', dateOfBirth: '1990-01-01' };
    expectError(await call('PUT', `/users/${me.person.username}`, { token: me.token, body: full }), 422, 'validation_failed');
    expectError(await call('PUT', `/users/${me.person.username}`, { token: me.token, body: { firstName: 'Only' } }), 422, 'validation_failed');
  });

  it('409 for a username or email someone has, whatever the case', async () => {
    const other = newPerson();
    const taken = await call('POST', '/auth/register', { body: registration({ ...other, username: me.person.username.toUpperCase() }) });
    expectError(taken, 409, 'username_taken');
    expect(taken.body.error.fields).toEqual({ username: 'That username is already taken.' });
    expectError(await call('POST', '/auth/register', { body: registration({ ...other, email: me.person.email.toUpperCase() }) }), 409, 'email_taken');
    const someone = await account();
    expectError(await call('PATCH', `/users/${me.person.username}`, { token: me.token, body: { username: someone.person.username } }), 409, 'username_taken');
  });

  it('401 with one message for a wrong password and an unknown account', async () => {
    const wrong = await call('POST', '/auth/token', { body: { login: me.person.username, password: 'not the password' } });
    const unknown = await call('POST', '/auth/token', { body: { login: newPerson().username, password: 'not the password' } });
    expectError(wrong, 401, 'invalid_credentials');
    expect(unknown.body).toEqual(wrong.body);
  });

  it('404 for a path that does not exist, 405 with Allow for a method that does not', async () => {
    expectError(await call('GET', '/nothing/here'), 404, 'not_found');
    expectError(await call('POST', '/users'), 404, 'not_found');
    const method = await call('GET', '/auth/token');
    expectError(method, 405, 'method_not_allowed');
    expect(method.headers.get('allow')).toBe('POST, OPTIONS');
    expect((await call('DELETE', '/me', { token: me.token })).headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });
});

describe('email change', () => {
  it('sends a code to the new address; the change happens with it; the old address is told', async () => {
    const { person, token } = await account();
    const next = newPerson().email;
    const wrongPassword = await call('POST', `/users/${person.username}/email`, { token, body: { newEmail: next, currentPassword: 'wrong one' } });
    expect(wrongPassword.body.error.fields).toEqual({ currentPassword: 'That is not your current password.' });
    const started = await call('POST', `/users/${person.username}/email`, { token, body: { newEmail: next, currentPassword: person.password } });
    expect(started.status).toBe(202);
    const code = codeIn(await waitForMail(next));
    const again = await call('POST', `/users/${person.username}/email`, { token, body: { newEmail: next, currentPassword: person.password } });
    expectError(again, 429, 'too_many_requests');
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call('GET', '/me', { token })).body.user.email).toBe(person.email);

    const bad = await call('POST', `/users/${person.username}/email/confirm`, { token, body: { code: code === '000000' ? '111111' : '000000' } });
    expect(bad.body.error.fields).toEqual({ code: 'That code is invalid or has expired. Check it, or send a new code.' });
    const confirmed = await call('POST', `/users/${person.username}/email/confirm`, { token, body: { code } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.user.email).toBe(next);
    expect((await waitForMail(person.email)).subject).toBe('Your Gatehouse email address was changed');
  });
});

describe('forgot password', () => {
  it('answers every address the same; the code resets the password and ends every session', async () => {
    const { person, token } = await account();
    const known = await call('POST', '/auth/password/forgot', { body: { email: person.email } });
    const unknown = await call('POST', '/auth/password/forgot', { body: { email: newPerson().email } });
    expect(known.status).toBe(202);
    expect({ status: unknown.status, body: unknown.body }).toEqual({ status: known.status, body: known.body });
    const code = codeIn(await waitForMail(person.email));

    const wrong = await call('POST', '/auth/password/reset', { body: { email: person.email, code: code === '000000' ? '111111' : '000000', newPassword: 'reset by the api' } });
    expectError(wrong, 422, 'validation_failed');
    expect((await call('POST', '/auth/password/reset', { body: { email: person.email, code, newPassword: 'reset by the api' } })).status).toBe(204);
    expectError(await call('GET', '/me', { token }), 401, 'session_ended');
    expect((await call('POST', '/auth/token', { body: { login: person.email, password: 'reset by the api' } })).status).toBe(200);
    expect(mailTo(person.email).map((m) => m.subject).at(-1)).toBe('Your Gatehouse password was changed');
  });
});

describe('deleting the account', () => {
  it('needs the password, then the token dies and the email is free again', async () => {
    const { person, token } = await account();
    expectError(await call('DELETE', `/users/${person.username}`, { token, body: { password: 'not mine' } }), 422, 'validation_failed');
    expect((await call('DELETE', `/users/${person.username}`, { token, body: { password: person.password } })).status).toBe(204);
    expectError(await call('GET', '/me', { token }), 401, 'session_ended');
    expect((await call('POST', '/auth/register', { body: registration({ ...newPerson(), email: person.email }) })).status).toBe(201);
  });
});

describe('browser safety', () => {
  it('accepts the session cookie only from this site for changes, and reads with it anywhere', async () => {
    const { person, token } = await account();
    // What a browser signed in to this session carries: a token of the browser's kind. The API's
    // own token is refused as a cookie.
    const { sub, sid, username } = claimsOf(token);
    const cookie = { cookie: `${SESSION_COOKIE}=${await signSessionToken({ sub, sid, username }, 'browser')}` };
    expectError(await call('GET', '/me', { headers: { cookie: `${SESSION_COOKIE}=${token}` } }), 401, 'invalid_token');
    expect((await call('GET', '/me', { headers: cookie })).status).toBe(200);
    const patch = (headers: Record<string, string>) => call('PATCH', `/users/${person.username}`, { headers: { ...cookie, ...headers }, body: { lastName: 'Cookie' } });
    expectError(await patch({}), 403, 'cross_origin');
    expectError(await patch({ origin: 'https://evil.example' }), 403, 'cross_origin');
    expectError(await patch({ origin: 'null' }), 403, 'cross_origin');
    const own = await patch({ origin: inject('baseUrl') });
    expect(own.status).toBe(200);
    expect(own.body.access_token).toBeUndefined();
  });

  it('keeps CORS closed except for CORS_ORIGINS', async () => {
    const preflight = (origin: string) =>
      fetch(api('/me'), { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    const stranger = await preflight('https://evil.example');
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    const listed = await preflight('https://app.gatehouse.test');
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://app.gatehouse.test');
    expect(listed.headers.get('access-control-allow-credentials')).toBeNull();
    expect(listed.headers.get('access-control-allow-headers')).toContain('Authorization');
  });
});

describe('the OpenAPI document', () => {
  it('lists every route that exists, with exactly its methods', async () => {
    const doc = await call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');

    const root = path.resolve(__dirname, '../../app/api/v1');
    const routes: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(path.join(dir, entry.name));
        else if (entry.name === 'route.ts') routes.push(`/${path.relative(root, dir).split(path.sep).join('/')}`);
      }
    };
    walk(root);
    const documented: Record<string, string[]> = {};
    for (const [p, methods] of Object.entries(doc.body.paths as Record<string, object>)) documented[p] = Object.keys(methods).map((m) => m.toUpperCase()).sort();

    const existing: Record<string, string[]> = {};
    for (const route of routes) {
      const openApiPath = route.replace(/\[(\w+)\]/g, '{$1}');
      const concrete = route.replace(/\[(\w+)\]/g, 'someone');
      const allow = (await fetch(api(concrete), { method: 'OPTIONS' })).headers.get('allow') ?? '';
      existing[openApiPath] = allow.split(', ').filter((m) => m !== 'HEAD' && m !== 'OPTIONS').sort();
    }
    expect(documented).toEqual(existing);
    // Request bodies come from the handlers' own schemas.
    expect(doc.body.paths['/auth/register'].post.requestBody.content['application/json'].schema.required).toEqual([
      'firstName',
      'lastName',
      'dateOfBirth',
      'username',
      'email',
      'password',
    ]);
  });
});
