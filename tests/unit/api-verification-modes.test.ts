// EMAIL_VERIFICATION=optional through the JSON API: the account works at once, a code is sent,
// and the code verifies; a registered address is a 409, as no answer could hide it. `off` sends
// nothing at sign-up (tests/e2e/verification.test.ts runs a server in each mode).
import { describe, expect, it } from 'vitest';
import { expectError } from '../support/api';
import { newPerson, registration } from '../support/generators';
import { inProcessApp } from '../support/in-process-app';
import { verificationCode } from '../support/sign-up';

const app = inProcessApp({ EMAIL_VERIFICATION: 'optional' });
const call = app.api;

describe('optional verification', () => {
  it('creates a usable account, sends a code, and the code verifies it', async () => {
    const person = newPerson();
    const registered = await call('POST', '/auth/register', { body: registration(person) });
    expect(registered.status).toBe(201);
    expect(registered.body.user).toMatchObject({ email: person.email, emailVerified: false });
    const login = await call('POST', '/auth/token', { body: { login: person.username, password: person.password } });
    expect(login.status).toBe(200);
    expect(login.body.user.emailVerified).toBe(false);

    const code = await verificationCode(person.email, app.dataDir);
    expect((await call('POST', '/auth/email/verify', { body: { email: person.email, code } })).status).toBe(200);
    expect((await call('GET', '/me', { token: login.body.access_token })).body.user.emailVerified).toBe(true);
    expectError(await call('POST', '/auth/register', { body: registration(newPerson({ email: person.email })) }), 409, 'email_taken');
  });
});
