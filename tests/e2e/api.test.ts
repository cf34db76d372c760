// The JSON API with the session cookie of a browser, against the running production build: the
// cookie's name and the site's own origin are the server's. The rest of the API's contract is in
// tests/unit/api-contract.test.ts.
import { describe, expect, it } from 'vitest';
import { claimsOf, expectError } from '../support/api';
import { api } from './support/api';
import { SESSION_COOKIE, browserToken, registered } from './support/sessions';
import { baseUrl } from './support/shared-server';

describe('browser safety', () => {
  it('accepts the session cookie only from this site for changes, and reads with it anywhere', async () => {
    const person = await registered();
    const token: string = (await api('POST', '/auth/token', { body: { login: person.username, password: person.password } })).body.access_token;
    // What a browser signed in to this session carries: a token of the browser's kind. The API's
    // own token is refused as a cookie.
    const { sub, sid, username } = claimsOf(token);
    const cookie = { cookie: `${SESSION_COOKIE}=${await browserToken({ sub, sid, username })}` };
    expectError(await api('GET', '/me', { headers: { cookie: `${SESSION_COOKIE}=${token}` } }), 401, 'invalid_token');
    expect((await api('GET', '/me', { headers: cookie })).status).toBe(200);
    const patch = (headers: Record<string, string>) => api('PATCH', `/users/${person.username}`, { headers: { ...cookie, ...headers }, body: { lastName: 'Cookie' } });
    expectError(await patch({}), 403, 'cross_origin');
    expectError(await patch({ origin: 'https://evil.example' }), 403, 'cross_origin');
    expectError(await patch({ origin: 'null' }), 403, 'cross_origin');
    const own = await patch({ origin: baseUrl() });
    expect(own.status).toBe(200);
    expect(own.body.access_token).toBeUndefined();
  });
});
