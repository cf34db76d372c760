// The JSON API's HTTP contract, as a script or a mobile app meets it: statuses, the error shape,
// tokens, bodies it refuses, the OpenAPI document. Each call goes to the route handler in-process
// (tests/support/in-process-app.ts); what needs a real server or browser is in tests/e2e.
import { SignJWT, base64url } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { signSessionToken } from '@/lib/auth/token';
import { claimsOf, expectError } from '../support/api';
import { API_ROUTES } from '@/lib/api/app';
import { email, newPerson, registration, username, type Person } from '../support/generators';
import { inProcessApp } from '../support/in-process-app';
import { codeIn, mailTo, waitForMail } from '../support/outbox';
import { signUp, verificationCode } from '../support/sign-up';


const app = inProcessApp({ CORS_ORIGINS: 'https://app.gatehouse.test' });
const call = app.api;

/** A new person with a verified address and a session (EMAIL_VERIFICATION=required, the default). */
async function account(): Promise<{ person: Person; token: string; user: any }> {
  const person = newPerson();
  return { person, ...(await signUp(call, person, app.dataDir)) };
}

describe('a whole session', () => {
  it('register → verify → token → me → PATCH → PUT → logout', async () => {
    const person = newPerson();
    const registering = await call('POST', '/auth/register', { body: registration(person) });
    expect({ status: registering.status, status_field: registering.body.status }).toEqual({ status: 202, status_field: 'verification_sent' });
    const verifiedNow = await call('POST', '/auth/email/verify', { body: { email: person.email, code: await verificationCode(person.email, app.dataDir) } });
    expect(verifiedNow.status).toBe(200);
    const registered = { body: { user: verifiedNow.body.user } };
    expect(Object.keys(registered.body.user).sort()).toEqual(['createdAt', 'dateOfBirth', 'email', 'emailVerified', 'firstName', 'id', 'lastName', 'updatedAt', 'username']);
    expect(registered.body.user).toMatchObject({ username: person.username, email: person.email, dateOfBirth: person.dateOfBirth, emailVerified: true });

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

    const renamed = username();
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
      .sign(new TextEncoder().encode(process.env.AUTH_SECRET));
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
    const nobody = username();
    const full = { username: other.person.username, email: other.person.email, firstName: 'X', lastName: 'Y', dateOfBirth: '1990-01-01' };
    for (const name of [other.person.username, nobody]) {
      const results = [
        await call('PATCH', `/users/${name}`, { token: me.token, body: { firstName: 'Mallory' } }),
        await call('PUT', `/users/${name}`, { token: me.token, body: full }),
        await call('DELETE', `/users/${name}`, { token: me.token, body: { password: me.person.password } }),
        await call('POST', `/users/${name}/email`, { token: me.token, body: { newEmail: email(), currentPassword: me.person.password } }),
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
    const patch = await call('PATCH', `/users/${me.person.username}`, { token: me.token, body: { email: email() } });
    expect(patch.body.error.fields.email).toBe('The email changes through POST /api/v1/users/{username}/email, which sends a confirmation code.');
    const full = { username: me.person.username, email: email(), firstName: 'A', lastName: 'B', dateOfBirth: '1990-01-01' };
    expectError(await call('PUT', `/users/${me.person.username}`, { token: me.token, body: full }), 422, 'validation_failed');
    expectError(await call('PUT', `/users/${me.person.username}`, { token: me.token, body: { firstName: 'Only' } }), 422, 'validation_failed');
  });

  it('409 for a username someone has, whatever the case; a registered email gets the answer a new one gets', async () => {
    const other = newPerson();
    const taken = await call('POST', '/auth/register', { body: registration({ ...other, username: me.person.username.toUpperCase() }) });
    expectError(taken, 409, 'username_taken');
    expect(taken.body.error.fields).toEqual({ username: 'That username is already taken.' });
    const registeredEmail = await call('POST', '/auth/register', { body: registration({ ...other, email: me.person.email.toUpperCase() }) });
    const newEmail = await call('POST', '/auth/register', { body: registration({ ...newPerson(), email: me.person.email.replace('@', '.x@') }) });
    expect({ status: registeredEmail.status, body: registeredEmail.body.status }).toEqual({ status: newEmail.status, body: newEmail.body.status });
    const someone = await account();
    expectError(await call('PATCH', `/users/${me.person.username}`, { token: me.token, body: { username: someone.person.username } }), 409, 'username_taken');
  });

  it('401 with one message for a wrong password and an unknown account', async () => {
    const wrong = await call('POST', '/auth/token', { body: { login: me.person.username, password: 'not the password' } });
    const unknown = await call('POST', '/auth/token', { body: { login: username(), password: 'not the password' } });
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
    const next = email();
    const wrongPassword = await call('POST', `/users/${person.username}/email`, { token, body: { newEmail: next, currentPassword: 'wrong one' } });
    expect(wrongPassword.body.error.fields).toEqual({ currentPassword: 'That is not your current password.' });
    const started = await call('POST', `/users/${person.username}/email`, { token, body: { newEmail: next, currentPassword: person.password } });
    expect(started.status).toBe(202);
    const code = codeIn(await waitForMail(next, app.dataDir));
    const again = await call('POST', `/users/${person.username}/email`, { token, body: { newEmail: next, currentPassword: person.password } });
    expectError(again, 429, 'too_many_requests');
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call('GET', '/me', { token })).body.user.email).toBe(person.email);

    const bad = await call('POST', `/users/${person.username}/email/confirm`, { token, body: { code: code === '000000' ? '111111' : '000000' } });
    expect(bad.body.error.fields).toEqual({ code: 'That code is invalid or has expired. Check it, or send a new code.' });
    const confirmed = await call('POST', `/users/${person.username}/email/confirm`, { token, body: { code } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.user.email).toBe(next);
    expect((await waitForMail(person.email, app.dataDir, 2)).subject).toBe('Your Gatehouse email address was changed');
  });
});

describe('forgot password', () => {
  it('answers every address the same; the code resets the password and ends every session', async () => {
    const { person, token } = await account();
    const known = await call('POST', '/auth/password/forgot', { body: { email: person.email } });
    const unknown = await call('POST', '/auth/password/forgot', { body: { email: email() } });
    expect(known.status).toBe(202);
    expect({ status: unknown.status, body: unknown.body }).toEqual({ status: known.status, body: known.body });
    const code = codeIn(await waitForMail(person.email, app.dataDir, 2));

    const wrong = await call('POST', '/auth/password/reset', { body: { email: person.email, code: code === '000000' ? '111111' : '000000', newPassword: 'reset by the api' } });
    expectError(wrong, 422, 'validation_failed');
    expect((await call('POST', '/auth/password/reset', { body: { email: person.email, code, newPassword: 'reset by the api' } })).status).toBe(204);
    expectError(await call('GET', '/me', { token }), 401, 'session_ended');
    expect((await call('POST', '/auth/token', { body: { login: person.email, password: 'reset by the api' } })).status).toBe(200);
    expect(mailTo(person.email, app.dataDir).map((m) => m.subject).at(-1)).toBe('Your Gatehouse password was changed');
  });
});

describe('deleting the account', () => {
  it('needs the password, then the token dies and the email is free again', async () => {
    const { person, token } = await account();
    expectError(await call('DELETE', `/users/${person.username}`, { token, body: { password: 'not mine' } }), 422, 'validation_failed');
    expect((await call('DELETE', `/users/${person.username}`, { token, body: { password: person.password } })).status).toBe(204);
    expectError(await call('GET', '/me', { token }), 401, 'session_ended');
    await signUp(call, newPerson({ email: person.email }), app.dataDir);
  });
});

describe('browser safety', () => {
  it('keeps CORS closed except for CORS_ORIGINS', async () => {
    const preflight = (origin: string) =>
      call('OPTIONS', '/me', { headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
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

    const routes = API_ROUTES.map(([p]) => p).filter((p) => p.startsWith('/api/v1/')).map((p) => p.slice('/api/v1'.length));
    const documented: Record<string, string[]> = {};
    for (const [p, methods] of Object.entries(doc.body.paths as Record<string, object>)) documented[p] = Object.keys(methods).map((m) => m.toUpperCase()).sort();

    const existing: Record<string, string[]> = {};
    for (const route of routes) {
      const openApiPath = route.replace(/:(\w+)/g, '{$1}');
      const concrete = route.replace(/:(\w+)/g, 'someone');
      const allow = (await call('OPTIONS', concrete)).headers.get('allow') ?? '';
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
