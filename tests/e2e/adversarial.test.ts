// Attacks that need the real server: every endpoint that redirects to a user-supplied `next`, and
// what the server writes to its log. The attacks an API client can make are in
// tests/unit/api-attacks.test.ts; a crash in the middle of writes is crash.test.ts.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { password } from '../support/generators';
import { LoginPage } from './pages/login';
import { api } from './support/api';
import { visitorPage, workerBrowser } from './support/browser';
import { codeIn, mailsUntil } from './support/outbox';
import { expectNoSecretsInLog } from './support/server-log';
import { registered } from './support/sessions';
import { baseUrl, dataDir } from './support/shared-server';

describe('open redirects', () => {
  // Every one of these must land on this site, through every endpoint that takes `next`.
  const TARGETS = ['/.//x.example', '/..//x.example', '/%2e//x.example', '/%2e%2e//x.example', '/a/..//x.example', '/\\x.example', '/%5cx.example', '/%2f%2fx.example', '/%09/x.example', '//x.example', 'https://x.example', 'javascript:alert(1)'];
  const onThisSite = (location: string | null) => {
    expect(location).not.toBeNull();
    expect(location!.startsWith('/') && !location!.startsWith('//') && !location!.startsWith('/\\')).toBe(true);
    expect(new URL(location!, baseUrl()).origin).toBe(baseUrl());
  };

  it('GET /auth/refresh?next=…, with and without a refresh cookie', async () => {
    for (const target of TARGETS) {
      for (const cookie of [undefined, 'gatehouse.refresh=not-a-real-token']) {
        const response = await fetch(`${baseUrl()}/auth/refresh?next=${encodeURIComponent(target)}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
        expect(response.status, target).toBe(307);
        onThisSite(response.headers.get('location'));
      }
    }
  });

  it('the login page while signed in, and the login form’s own next field', async () => {
    const person = await registered();
    const page = await visitorPage(await workerBrowser());
    const context = page.context();
    for (const target of TARGETS) {
      // The form: the page puts a safe value in its hidden field; put the raw one back, as an attacker's page would post it.
      await context.clearCookies();
      await page.goto('/login');
      await page.evaluate((value) => {
        const form = document.querySelector('form')!;
        const field = form.querySelector<HTMLInputElement>('input[name=next]') ?? form.appendChild(Object.assign(document.createElement('input'), { type: 'hidden', name: 'next' }));
        field.value = value;
      }, target);
      await new LoginPage(page).send(person.username, person.password);
      await page.waitForURL((url) => url.pathname !== '/login');
      expect(new URL(page.url()).origin, target).toBe(baseUrl());
      // The page itself, visited with a session.
      const response = await context.request.get(`/login?next=${encodeURIComponent(target)}`, { maxRedirects: 0 });
      expect(response.status(), target).toBe(307);
      onThisSite(response.headers()['location'] ?? null);
    }
    // Twelve logins one after another: more than the usual minute on a busy machine.
  }, 180_000);
});

describe('the server log', () => {
  it('holds no password, token or hash from requests that carry them, accepted or refused', async () => {
    const person = await registered();
    const secrets = [person.password];
    const login = await api('POST', '/auth/token', { body: { login: person.username, password: person.password } });
    const token: string = login.body.access_token;
    secrets.push(token);
    const guess = password();
    secrets.push(guess);
    expect((await api('POST', '/auth/token', { body: { login: person.email, password: guess } })).status).toBe(401);
    expect((await api('POST', '/auth/token', { raw: `{"login": "${person.username}", "password": "${guess}"` })).status).toBe(400);
    expect((await api('POST', '/auth/password', { token, body: { currentPassword: guess, newPassword: password() } })).status).toBe(422);
    const changed = password();
    secrets.push(changed);
    const change = await api('POST', '/auth/password', { token, body: { currentPassword: person.password, newPassword: changed } });
    expect(change.status).toBe(200);
    secrets.push(change.body.access_token);
    expect((await api('POST', '/auth/password/forgot', { body: { email: person.email } })).status).toBe(202);
    const code = codeIn((await mailsUntil(person.email, 'Your Gatehouse password reset code')).at(-1)!);
    const reset = password();
    secrets.push(reset);
    expect((await api('POST', '/auth/password/reset', { body: { email: person.email, code, newPassword: reset } })).status).toBe(204);
    const again = await api('POST', '/auth/token', { body: { login: person.username, password: reset } });
    secrets.push(again.body.access_token);
    expect((await api('DELETE', `/users/${person.username}`, { token: again.body.access_token, body: { password: reset } })).status).toBe(204);

    expect(secrets.length).toBeGreaterThan(3);
    expectNoSecretsInLog(path.join(dataDir(), 'server.log'), secrets);
  });
});
