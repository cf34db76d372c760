// Two production servers on one PostgreSQL database, with nginx in front of them running the
// proxy settings deploy/nginx ships: what one instance does, the other honours. Cross-instance
// steps talk to each instance directly, so which one answers is certain; the server actions go
// through nginx, whose access log says which instance answered each.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { expectError } from '../support/api';
import { newPerson, password, registration } from '../support/generators';
import { accessLines, startNginx, type Nginx } from '../support/nginx';
import { codeIn, waitForMail } from '../support/outbox';
import { startPostgres, type PostgresCluster } from '../support/postgres';
import { LoginPage } from './pages/login';
import { ProfilePage } from './pages/profile';
import { apiCall } from './support/api';
import { workerBrowser } from './support/browser';
import { startServers, type Server } from './support/server';
import { registered } from './support/sessions';

let cluster: PostgresCluster;
let a: Server;
let b: Server;
let proxy: Nginx;
const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-instances-'));

beforeAll(async () => {
  cluster = await startPostgres();
  const env = {
    DATABASE_URL: cluster.url,
    AUTH_SECRET: randomBytes(32).toString('base64url'),
    // Every client says who it is (X-Forwarded-For), as nginx says for its clients.
    TRUST_PROXY: '1',
    // One outbox for both, as one mail service would be.
    MAIL_OUTBOX_DIR: path.join(shared, 'outbox'),
  };
  // Started together: both run the migrations' advisory lock, one migrates.
  [a, b] = (await startServers([env], [env])) as [Server, Server];
  proxy = await startNginx([a.baseUrl, b.baseUrl]);
}, 120_000);

afterAll(async () => {
  await proxy?.stop();
  await Promise.all([a?.stop(), b?.stop()]);
  await cluster?.stop();
  fs.rmSync(shared, { recursive: true, force: true });
});

const on = (server: Server) => (method: string, apiPath: string, options: Parameters<typeof apiCall>[3] = {}) => apiCall(server.baseUrl, method, apiPath, options);


describe('several instances on one database', () => {
  it('share sessions: a login on one works on the other, and a logout on one ends it on both', async () => {
    const person = await registered(a.baseUrl, shared);
    const login = await on(a)('POST', '/auth/token', { body: { login: person.username, password: person.password } });
    expect(login.status).toBe(200);
    const token: string = login.body.access_token;
    expect((await on(b)('GET', '/me', { token })).body.user.username).toBe(person.username);

    expect((await on(b)('POST', '/auth/logout', { token })).status).toBe(204);
    expectError(await on(a)('GET', '/me', { token }), 401, 'session_ended');
    expectError(await on(b)('GET', '/me', { token }), 401, 'session_ended');
  });

  it('share the browser session: a form login through one, the pages of the other, a logout ends both', async () => {
    const person = await registered(a.baseUrl, shared);
    const browser = await workerBrowser();
    const context = await browser.newContext({ extraHTTPHeaders: { 'X-Forwarded-For': '10.9.0.1' } });
    const stale = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${a.baseUrl}/login`);
      await new LoginPage(page).send(person.username, person.password);
      await page.waitForURL('**/account');
      // Cookies are per host, not per port: the same browser session, now on the other instance.
      await page.goto(`${b.baseUrl}/account`);
      expect(page.url()).toBe(`${b.baseUrl}/account`);
      await expect.poll(() => page.textContent('main')).toContain(person.username);

      await page.getByRole('button', { name: 'Log out' }).first().click();
      await page.waitForURL('**/login**');
      // A copy of the cookie taken before the logout is refused by both.
      await stale.addCookies(await context.cookies());
      for (const server of [a, b]) {
        const response = await stale.request.get(`${server.baseUrl}/account`, { maxRedirects: 0 });
        expect(response.status()).toBe(307);
        expect(response.headers()['location']).toMatch(/^\/login/);
      }
    } finally {
      await Promise.all([context.close(), stale.close()]);
    }
  });

  it('share codes: one sends the reset code, the other takes it', async () => {
    const person = await registered(a.baseUrl, shared);
    expect((await on(a)('POST', '/auth/password/forgot', { body: { email: person.email } })).status).toBe(202);
    const code = codeIn(await waitForMail(person.email, shared, 2)); // after its verification code
    const newPassword = password();
    expect((await on(b)('POST', '/auth/password/reset', { body: { email: person.email, code, newPassword } })).status).toBe(204);
    expect((await on(a)('POST', '/auth/token', { body: { login: person.email, password: newPassword } })).status).toBe(200);
  });

  it('share limits: five wrong passwords spread over both lock the account on both', async () => {
    const person = await registered(a.baseUrl, shared);
    for (let i = 0; i < 5; i += 1) {
      const wrong = await on(i % 2 ? b : a)('POST', '/auth/token', { body: { login: person.username, password: 'not the password' } });
      expect(wrong.status).toBe(401);
    }
    for (const server of [a, b]) {
      const right = await on(server)('POST', '/auth/token', { body: { login: person.username, password: person.password } });
      expect(right.status).toBe(429);
      expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('give one username to exactly one of thirty sign-ups racing over both', async () => {
    const username = newPerson().username;
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => on(i % 2 ? b : a)('POST', '/auth/register', { body: registration(newPerson({ username })) })),
    );
    const statuses = results.map((r) => r.status).sort();
    // EMAIL_VERIFICATION=required: the winner's answer is "verification sent".
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 202)).toEqual(Array(29).fill(409));
  });

  it('run server actions whichever instance nginx picks', async () => {
    // What the proxy and the instances saw, should a step go wrong.
    onTestFailed(() => {
      const tail = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').slice(-30).join('\n') : '');
      console.error(['nginx access:', ...accessLines(proxy.accessLog), 'nginx errors:', tail(proxy.errorLog), 'instance a:', tail(a.log), 'instance b:', tail(b.log)].join('\n'));
    });
    const upstreamOf = (line: string | undefined) => line?.split(' ').at(-1);
    const postedTo = () =>
      accessLines(proxy.accessLog)
        .filter((line) => line.startsWith('POST /account/profile 200'))
        .map(upstreamOf);
    // Signing up is the API's here (its code lands in one instance's outbox); the forms are nginx's.
    const person = await registered(a.baseUrl, shared);
    const context = await (await workerBrowser()).newContext({ baseURL: proxy.url });
    try {
      const page = await context.newPage();
      await new LoginPage(page).logInToAccount(person.username, person.password);
      const profile = new ProfilePage(page);
      for (const lastName of ['Byron', 'King', 'Lovelace', 'Somerville']) {
        await profile.goto();
        // nginx takes turns, and how many requests a page view makes varies (the site icon, when
        // Chromium asks for it): once the page is quiet, its last request says where the next one
        // goes. Each post goes to the other instance than the one before: one request more when
        // the turn is wrong.
        await page.waitForLoadState('networkidle');
        const previous = postedTo().at(-1);
        if (previous && upstreamOf(accessLines(proxy.accessLog).at(-1)) !== previous) {
          expect((await fetch(`${proxy.url}/api/health`)).status).toBe(200);
        }
        await profile.savePartial({ lastName });
        await profile.expectPartialStatus('Saved. Updated your last name.');
      }
    } finally {
      await context.close();
    }
    // The form posts (the server actions) went to both instances.
    expect(postedTo()).toHaveLength(4);
    expect(new Set(postedTo()).size).toBe(2);
  });
});
