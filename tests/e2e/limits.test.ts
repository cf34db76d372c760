// Rate limits at their default numbers, on a server of their own that trusts no proxy: the client
// IP is the socket's (127.0.0.1) whatever X-Forwarded-For says. Time passes by ageing the
// counters in the database.
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectText, launchBrowser, newPerson, registration, type Person } from './support/browser';
import { codeIn, mailTo, waitForMail } from './support/outbox';
import { startServer, type Server } from './support/server';

let server: Server;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function call(method: string, p: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.baseUrl}/api/v1${p}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, retryAfter: response.headers.get('retry-after') };
}

function db() {
  return new Database(path.join(server.dataDir, 'app.db'));
}

/** The given counters' windows end, as if their time had passed. */
function timePasses(prefix: string) {
  const handle = db();
  handle.prepare('update rate_limits set expire = ? where key like ?').run(Date.now() - 1000, `${prefix}%`);
  handle.close();
}

async function registered(): Promise<Person> {
  const person = newPerson();
  const result = await call('POST', '/auth/register', registration(person));
  expect(result.status).toBe(201);
  return person;
}

describe('registration', () => {
  it('allows 10 an hour from one client, whatever X-Forwarded-For claims', async () => {
    for (let i = 0; i < 10; i += 1) {
      expect((await call('POST', '/auth/register', registration(newPerson()), { 'x-forwarded-for': `203.0.113.${i}` })).status).toBe(201);
    }
    const refused = await call('POST', '/auth/register', registration(newPerson()), { 'x-forwarded-for': '203.0.113.99' });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('too_many_requests');
    expect(Number(refused.retryAfter)).toBeGreaterThan(3000);
    timePasses('REGISTER_IP');
    await registered();
  });
});

describe('registration per address', () => {
  it('allows 5 attempts an hour for one email, from anywhere', async () => {
    timePasses('REGISTER_IP');
    const person = newPerson();
    expect((await call('POST', '/auth/register', registration(person))).status).toBe(201);
    for (let i = 0; i < 4; i += 1) {
      expect((await call('POST', '/auth/register', registration({ ...newPerson(), email: person.email }))).status).toBe(409);
    }
    expect((await call('POST', '/auth/register', registration({ ...newPerson(), email: person.email }))).status).toBe(429);
    timePasses('REGISTER_IP');
  });
});

describe('login', () => {
  it('locks an account for at most 15 minutes after 5 failures, even for the right password, and says so', async () => {
    timePasses('REGISTER_IP');
    const person = await registered();
    for (let i = 0; i < 5; i += 1) {
      expect((await call('POST', '/auth/token', { login: person.username, password: `wrong ${i}` })).status).toBe(401);
    }
    const locked = await call('POST', '/auth/token', { login: person.email, password: person.password });
    expect(locked.status).toBe(429);
    expect(Number(locked.retryAfter)).toBeGreaterThan(800);
    expect(Number(locked.retryAfter)).toBeLessThanOrEqual(900);
    expect(locked.body.error.message).toBe('Too many attempts. Try again in 15 minutes.');

    const page = await (await browser.newContext({ baseURL: server.baseUrl })).newPage();
    await page.goto('/login');
    await page.fill('#login', person.username);
    await page.fill('#password', person.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expectText(page, '#form-error', 'Too many attempts. Try again in 15 minutes.');

    timePasses('LOGIN_ACCOUNT');
    expect((await call('POST', '/auth/token', { login: person.username, password: person.password })).status).toBe(200);
  });

  it('treats an unknown account exactly like a real one', async () => {
    const person = await registered();
    const nobody = newPerson();
    const answers = [];
    for (const login of [person.username, nobody.username]) {
      const statuses = [];
      for (let i = 0; i < 6; i += 1) statuses.push((await call('POST', '/auth/token', { login, password: 'not the password' })).status);
      const last = await call('POST', '/auth/token', { login, password: 'not the password' });
      answers.push({ statuses, last: { status: last.status, body: last.body } });
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[0]!.statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('a reset by code lifts the lock: the owner is never locked out for good', async () => {
    const person = await registered();
    for (let i = 0; i < 6; i += 1) await call('POST', '/auth/token', { login: person.username, password: 'guessing' });
    expect((await call('POST', '/auth/token', { login: person.username, password: person.password })).status).toBe(429);
    expect((await call('POST', '/auth/password/forgot', { email: person.email })).status).toBe(202);
    const code = codeIn(await waitForMail(person.email, 1, server.dataDir));
    expect((await call('POST', '/auth/password/reset', { email: person.email, code, newPassword: 'taken back by the owner' })).status).toBe(204);
    expect((await call('POST', '/auth/token', { login: person.username, password: 'taken back by the owner' })).status).toBe(200);
  });

  it('limits failures per client across accounts (30 in 15 minutes)', async () => {
    timePasses('LOGIN_IP');
    for (let i = 0; i < 30; i += 1) {
      // A different (unknown) login each time: only the per-client budget is being spent.
      expect((await call('POST', '/auth/token', { login: `nobody${i}x${Date.now()}`, password: 'guess' }, { 'x-forwarded-for': `198.51.100.${i}` })).status).toBe(401);
    }
    expect((await call('POST', '/auth/token', { login: 'anyone', password: 'guess' })).status).toBe(429);
    timePasses('LOGIN_IP');
  });
});

describe('password recovery', () => {
  it('keeps answering the same past the per-client limit, and sends nothing more', async () => {
    timePasses('REGISTER_IP');
    const person = await registered();
    timePasses('FORGOT_IP');
    const before = mailTo(person.email, server.dataDir).length;
    for (let i = 0; i < 10; i += 1) expect((await call('POST', '/auth/password/forgot', { email: newPerson().email })).status).toBe(202);
    const over = await call('POST', '/auth/password/forgot', { email: person.email });
    expect(over.status).toBe(202);
    expect(over.body.message).toBe('If an account exists for that address, we sent a code to it. It works for 10 minutes.');
    await new Promise((r) => setTimeout(r, 500));
    expect(mailTo(person.email, server.dataDir)).toHaveLength(before);
  });

  it('limits code checks per client (20 in 10 minutes)', async () => {
    timePasses('CODE_IP');
    for (let i = 0; i < 20; i += 1) {
      expect((await call('POST', '/auth/password/reset', { email: newPerson().email, code: '123456', newPassword: 'whatever it may be' })).status).toBe(422);
    }
    const over = await call('POST', '/auth/password/reset', { email: newPerson().email, code: '123456', newPassword: 'whatever it may be' });
    expect(over.status).toBe(429);
    expect(over.body.error.message).toMatch(/^Too many attempts\. Try again in \d+ (seconds|minutes)\.$/);
    timePasses('CODE_IP');
  });
});
