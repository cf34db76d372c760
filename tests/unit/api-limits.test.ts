// The JSON API's rate limits at their default numbers, in-process (tests/support/in-process-app.ts).
// Each call is a client of its own (X-Forwarded-For) unless the test names one; time passes by
// ageing the counters in the database. The per-client limit on registrations, counted on the
// socket's address whatever X-Forwarded-For says, is in tests/e2e/limits.test.ts.
import { describe, expect, it } from 'vitest';
import { clientAddress, email, newPerson, registration, type Person } from '../support/generators';
import { inProcessApp } from '../support/in-process-app';
import { codeIn, mailTo, waitForMail } from '../support/outbox';
import { signUp } from '../support/sign-up';


const app = inProcessApp();
const call = app.api;

/** The given counters' windows end, as if their time had passed. */
function timePasses(prefix: string) {
  app.db().prepare('update rate_limits set expire = ? where key like ?').run(Date.now() - 1000, `${prefix}%`);
}

async function registered(): Promise<Person> {
  const person = newPerson();
  await signUp(call, person, app.dataDir);
  return person;
}

describe('registration per address', () => {
  it('allows 5 attempts an hour for one email, from anywhere', async () => {
    const person = newPerson();
    expect((await call('POST', '/auth/register', { body: registration(person) })).status).toBe(202);
    for (let i = 0; i < 4; i += 1) {
      expect((await call('POST', '/auth/register', { body: registration({ ...newPerson(), email: person.email }) })).status).toBe(202);
    }
    expect((await call('POST', '/auth/register', { body: registration({ ...newPerson(), email: person.email }) })).status).toBe(429);
  });
});

describe('login', () => {
  it('locks an account for at most 15 minutes after 5 failures, even for the right password, and says so', async () => {
    const person = await registered();
    for (let i = 0; i < 5; i += 1) {
      expect((await call('POST', '/auth/token', { body: { login: person.username, password: `wrong ${i}` } })).status).toBe(401);
    }
    const locked = await call('POST', '/auth/token', { body: { login: person.email, password: person.password } });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);
    expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(900);
    expect(locked.body.error.message).toBe('Too many attempts. Try again in 15 minutes.');
    timePasses('LOGIN_ACCOUNT');
    expect((await call('POST', '/auth/token', { body: { login: person.username, password: person.password } })).status).toBe(200);
  });

  it('treats an unknown account exactly like a real one', async () => {
    const person = await registered();
    const nobody = newPerson();
    const ip = clientAddress();
    const answers = [];
    for (const login of [person.username, nobody.username]) {
      const statuses = [];
      for (let i = 0; i < 6; i += 1) statuses.push((await call('POST', '/auth/token', { body: { login, password: 'not the password' }, ip })).status);
      const last = await call('POST', '/auth/token', { body: { login, password: 'not the password' }, ip });
      answers.push({ statuses, last: { status: last.status, body: last.body } });
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[0]!.statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('a reset by code lifts the lock: the owner is never locked out for good', async () => {
    const person = await registered();
    for (let i = 0; i < 6; i += 1) await call('POST', '/auth/token', { body: { login: person.username, password: 'guessing' } });
    expect((await call('POST', '/auth/token', { body: { login: person.username, password: person.password } })).status).toBe(429);
    expect((await call('POST', '/auth/password/forgot', { body: { email: person.email } })).status).toBe(202);
    const code = codeIn(await waitForMail(person.email, app.dataDir, 2));
    expect((await call('POST', '/auth/password/reset', { body: { email: person.email, code, newPassword: 'taken back by the owner' } })).status).toBe(204);
    expect((await call('POST', '/auth/token', { body: { login: person.username, password: 'taken back by the owner' } })).status).toBe(200);
  });

  it('limits failures per client across accounts (30 in 15 minutes)', async () => {
    const ip = clientAddress();
    for (let i = 0; i < 30; i += 1) {
      // A different (unknown) login each time: only the per-client budget is being spent.
      expect((await call('POST', '/auth/token', { body: { login: newPerson().username, password: 'guess' }, ip })).status).toBe(401);
    }
    expect((await call('POST', '/auth/token', { body: { login: 'anyone', password: 'guess' }, ip })).status).toBe(429);
  });
});

describe('username changes', () => {
  it('are limited: 20 an hour per account, then 429 with Retry-After', async () => {
    const me = await registered();
    const token = (await call('POST', '/auth/token', { body: { login: me.username, password: me.password } })).body.access_token;
    const taken = (await registered()).username;
    for (let i = 0; i < 20; i += 1) {
      const result = await call('PATCH', `/users/${me.username}`, { token, body: { username: taken } });
      expect(result.status, `try ${i + 1}`).toBe(409);
    }
    const limited = await call('PATCH', `/users/${me.username}`, { token, body: { username: taken } });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('too_many_requests');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(60);
  });
});

describe('password recovery', () => {
  it('keeps answering the same past the per-client limit, and sends nothing more', async () => {
    const person = await registered();
    const ip = clientAddress();
    const before = mailTo(person.email, app.dataDir).length;
    for (let i = 0; i < 10; i += 1) expect((await call('POST', '/auth/password/forgot', { body: { email: email() }, ip })).status).toBe(202);
    const over = await call('POST', '/auth/password/forgot', { body: { email: person.email }, ip });
    expect(over.status).toBe(202);
    expect(over.body.message).toBe('If an account exists for that address, we sent a code to it. It works for 10 minutes.');
    // In-process, a request's after() work is done when its call returns: nothing is still on its way.
    expect(mailTo(person.email, app.dataDir)).toHaveLength(before);
  });

  it('limits code checks per client (20 in 10 minutes)', async () => {
    const ip = clientAddress();
    for (let i = 0; i < 20; i += 1) {
      expect((await call('POST', '/auth/password/reset', { body: { email: email(), code: '123456', newPassword: 'whatever it may be' }, ip })).status).toBe(422);
    }
    const over = await call('POST', '/auth/password/reset', { body: { email: email(), code: '123456', newPassword: 'whatever it may be' }, ip });
    expect(over.status).toBe(429);
    expect(over.body.error.message).toBe('Too many attempts. Try again in 10 minutes.');
  });
});
