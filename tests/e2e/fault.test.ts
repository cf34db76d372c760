// PostgreSQL going away under the production server (issue 13), on a throw-away cluster and a
// server of their own: stopped (connections refused) and frozen (SIGSTOP: connections hang). While
// it is away, every API answer is a 200 or a 503 in the error shape, each within 10 s; liveness
// stays up and readiness says 503; pages send the person to the 503 page. Once it is back, the app
// serves again without a restart, and the last acknowledged write is what it reads.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { databaseUnavailable } from '@/lib/account/failure';
import { signSessionToken } from '@/lib/auth/token';
import { apiRequest, claimsOf, expectError, readResult, type ApiOptions, type ApiResult } from '../support/api';
import { startPostgres, type PostgresCluster } from '../support/postgres';
import { submit } from './pages/form';
import { ProfilePage } from './pages/profile';
import { visitorPage, workerBrowser } from './support/browser';
import { expectText, textOf } from './support/page-text';
import { SESSION_COOKIE, REFRESH_COOKIE, registered } from './support/sessions';
import { startServer, type Server } from './support/server';

/** The bound on any answer while the database is away. */
const ANSWER_WITHIN_MS = 10_000;
/** Past this a request counts as hung (and fails the test) rather than slow. */
const HUNG_AFTER_MS = 30_000;
/** How long the database may take to come back and the app to serve again, on a slow machine. */
const RECOVERY_MS = 60_000;

let cluster: PostgresCluster;
let server: Server;
/** What a test left behind if it failed half-way: undone after each, so the next starts healthy. */
let frozen: number[] = [];
let stopped = false;
const running: { stop(): Promise<unknown> }[] = [];

beforeAll(async () => {
  cluster = await startPostgres();
  // The test cluster trades durability for speed (tests/support/postgres.ts). An immediate stop is
  // a crash: with synchronous_commit off it may lose commits it acknowledged, which would be the
  // cluster's doing, not the app's. (fsync off is fine: the kernel keeps what was written.)
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  await admin.query('alter system set synchronous_commit = on');
  await admin.query('select pg_reload_conf()');
  await admin.end();
  server = await startServer({ DATABASE_URL: cluster.url, TRUST_PROXY: '1' });
}, 180_000);

afterEach(async () => {
  await Promise.all(running.splice(0).map((load) => load.stop()));
  thaw();
  if (stopped) await cluster.startServer();
  stopped = false;
}, 120_000);

afterAll(async () => {
  thaw();
  await server?.stop();
  await cluster?.stop();
}, 120_000);

/** The postmaster (its pid is the first line of postmaster.pid) and every process it started. */
function postgresProcesses(): number[] {
  const postmaster = fs.readFileSync(path.join(cluster.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]!.trim();
  const children = fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return /^PPid:\s+(\d+)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] === postmaster;
      } catch {
        return false; // ended meanwhile
      }
    });
  return [postmaster, ...children].map(Number);
}

/** Stops the postmaster first, so it starts no new backend, then every backend. */
function freeze(): void {
  const [postmaster] = postgresProcesses();
  process.kill(postmaster!, 'SIGSTOP');
  frozen = postgresProcesses();
  for (const pid of frozen) process.kill(pid, 'SIGSTOP');
}

function thaw(): void {
  for (const pid of frozen) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // already gone
    }
  }
  frozen = [];
}

type Answer = ApiResult & { ms: number; label: string };

/** One request, timed; a network error or a hang becomes status 0 (which no assertion accepts). */
async function timed(label: string, request: Request): Promise<Answer> {
  const started = Date.now();
  try {
    const result = await readResult(await fetch(request, { signal: AbortSignal.timeout(HUNG_AFTER_MS) }));
    return { ...result, ms: Date.now() - started, label };
  } catch (error) {
    return { status: 0, headers: new Headers(), text: String(error), body: null, ms: Date.now() - started, label };
  }
}

const api = (method: string, apiPath: string, options?: ApiOptions) =>
  timed(`${method} ${apiPath}`, apiRequest(`${server.baseUrl}/api/v1${apiPath}`, method, options));

const page = (pagePath: string, cookie?: string) =>
  timed(`GET ${pagePath}`, new Request(`${server.baseUrl}${pagePath}`, { headers: cookie ? { cookie } : {}, redirect: 'manual' }));

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** 200, or the 503 of a database out of reach: the error shape, Retry-After, no stack trace. */
function expectServedOrUnavailable(answer: Answer): void {
  expect(answer.ms, `${answer.label} took ${answer.ms} ms`).toBeLessThan(ANSWER_WITHIN_MS);
  if (answer.status === 200) return;
  expectError(answer, 503, 'unavailable');
  expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
}

type Person = { username: string; token: string; cookie: string; sessionToken: string };

async function signUp(): Promise<Person> {
  const person = await registered(server.baseUrl, server.dataDir);
  const login = await api('POST', '/auth/token', { body: { login: person.username, password: person.password } });
  expect(login.status).toBe(200);
  const { sub, sid, username } = claimsOf(login.body.access_token);
  // The cookie the login form would have set for this session, signed with this server's secret.
  process.env.AUTH_SECRET = server.authSecret;
  const sessionToken = await signSessionToken({ sub, sid, username }, 'browser');
  return { username: person.username, token: login.body.access_token, cookie: `${SESSION_COOKIE}=${sessionToken}`, sessionToken };
}

/**
 * Reads (GET /me) and writes (PATCH of the last name, a new value each time) in a loop, one at a
 * time each, until stopped; every answer is kept, and every write's value in the order sent.
 */
function traffic(person: Person) {
  const answers: Answer[] = [];
  const writes: { lastName: string; status: number }[] = [];
  let sending = true;
  let serial = 0;
  const reads = (async () => {
    while (sending) {
      answers.push(await api('GET', '/me', { token: person.token }));
      await pause(100);
    }
  })();
  const updates = (async () => {
    while (sending) {
      const lastName = `Fault${(serial += 1)}`;
      const answer = await api('PATCH', `/users/${person.username}`, { token: person.token, body: { lastName } });
      answers.push(answer);
      writes.push({ lastName, status: answer.status });
      await pause(100);
    }
  })();
  const since = (start: number, label: string, status: number) => answers.slice(start).filter((a) => a.label.startsWith(label) && a.status === status).length;
  const load = {
    answers,
    /** Waits until reads and writes have each had `count` answers with `status` after answer number `start`. */
    async seen(status: number, start = 0, count = 1) {
      await expect.poll(() => since(start, 'GET', status) >= count && since(start, 'PATCH', status) >= count, { timeout: 60_000, interval: 200 }).toBe(true);
    },
    async stop() {
      sending = false;
      await Promise.all([reads, updates]);
      // The last write acknowledged, and the ones sent after it, whose outcome a 503 left open
      // (one may have committed just before the connection went).
      const last = writes.findLastIndex((w) => w.status === 200);
      return { acknowledged: writes[last]?.lastName, possible: writes.slice(last).map((w) => w.lastName) };
    },
  };
  running.push(load);
  return load;
}

/**
 * While the database is away: the probes, a page that needs it, one that doesn't. Asked all at
 * once, as visitors would: with the database frozen, each of them that needs it waits out its
 * timeout, and one after another they made the test wait for the sum.
 */
async function expectOutageAnswers(person: Person): Promise<void> {
  const [live, ready, login, [account, unavailable], refresh] = await Promise.all([
    page('/api/health'),
    page('/api/health/ready'),
    page('/login'),
    // The person follows the redirect: the page's own try, then the 503 page.
    page('/account', person.cookie).then(async (answer) => [answer, await page(answer.headers.get('location') ?? '/account', person.cookie)] as const),
    page('/auth/refresh?next=%2Faccount', `${REFRESH_COOKIE}=any-refresh-token`),
  ]);
  expect(live.status).toBe(200);
  expect(live.ms).toBeLessThan(ANSWER_WITHIN_MS);

  expectServedOrUnavailable(ready);
  expect(ready.status).toBe(503);

  // The login page needs no database without a session cookie.
  expect(login.status).toBe(200);
  expect(login.text).toContain('Log in');

  // A page that does can't answer 503 itself (Next renders a failed page as a 500): it sends the
  // person to /unavailable, which does.
  expect(account.ms).toBeLessThan(ANSWER_WITHIN_MS);
  expect(account.status).toBe(307);
  expect(account.headers.get('location')).toMatch(/^\/unavailable\?next=%2Faccount$/);
  // As every page's answer here (HTTPS cookies): whichever part of the server gave it.
  expect(account.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
  // The person waits for both: the page's own try, then the 503 page's readiness check.
  expect(account.ms + unavailable.ms).toBeLessThan(ANSWER_WITHIN_MS);
  expect(unavailable.status).toBe(503);
  expect(unavailable.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(unavailable.text).toMatch(/temporarily unavailable.*try again/is);
  expect(unavailable.text).toContain('href="/account"');

  // Trading a refresh cookie needs the database too: the same 503 page, cookies untouched.
  expect(refresh.status).toBe(503);
  expect(refresh.headers.get('set-cookie')).toBeNull();
  expect(refresh.ms).toBeLessThan(ANSWER_WITHIN_MS);

  for (const answer of [live, ready, login, account, unavailable, refresh]) expect(answer.text).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

/** Once the database is back: reads and writes succeed, on the same server process. */
async function expectRecovered(person: Person, written: { acknowledged?: string; possible: string[] }): Promise<void> {
  let me: Answer | undefined;
  await expect
    .poll(async () => (me = await api('GET', '/me', { token: person.token })).status, { timeout: RECOVERY_MS, interval: 500 })
    .toBe(200);
  // No acknowledged write lost: the last one acknowledged, unless one sent after it (answered 503)
  // went through before the connection did.
  expect(written.acknowledged).toBeDefined();
  expect(written.possible).toContain(me!.body.user.lastName);

  expect((await page('/api/health/ready')).status).toBe(200);
  expect((await page('/account', person.cookie)).status).toBe(200);
  const patched = await api('PATCH', `/users/${person.username}`, { token: person.token, body: { lastName: 'Recovered' } });
  expect(patched.status).toBe(200);
  expect((await api('GET', '/me', { token: person.token })).body.user.lastName).toBe('Recovered');
}

/** A page signed in as `person`, on this test's server. */
async function pageFor(person: Person): Promise<Page> {
  const page = await visitorPage(await workerBrowser(), { baseURL: server.baseUrl });
  const { hostname } = new URL(server.baseUrl);
  await page.context().addCookies([{ name: SESSION_COOKIE, value: person.sessionToken, domain: hostname, path: '/', httpOnly: true, secure: true, sameSite: 'Lax' }]);
  return page;
}

describe('PostgreSQL going away', () => {
  it.for(['immediate', 'fast'] as const)('stopped (%s): 503s within 10 s while it is down, then served again once it is back', { timeout: 300_000 }, async (mode) => {
    const person = await signUp();
    const browserPage = await pageFor(person);
    const profile = new ProfilePage(browserPage);
    await profile.goto();
    const load = traffic(person);
    await load.seen(200);

    const before = load.answers.length;
    // immediate: connections simply drop (a crash); fast: each is told 57P01 (admin shutdown).
    await cluster.stopServer(mode);
    stopped = true;
    await load.seen(503, before, 3);
    await expectOutageAnswers(person);

    try {
      // A form sent meanwhile (a server action) says so in place, and keeps what was typed.
      await browserPage.fill('#partial-lastName', 'Offline');
      await submit(browserPage.getByRole('button', { name: 'Save changes' }));
      await expectText(browserPage, '#partial-status', databaseUnavailable().message);
      expect(await browserPage.inputValue('#partial-lastName')).toBe('Offline');
      // Opening a page that needs the database ends on the 503 page.
      const opened = await browserPage.goto('/account/security');
      expect(opened?.status()).toBe(503);
      expect(new URL(browserPage.url()).pathname).toBe('/unavailable');
      expect(await textOf(browserPage, '#unavailable')).toContain(databaseUnavailable().message);
      // In the site's colours: its own inline style, which the page's CSP allows.
      expect(await browserPage.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(248, 250, 252)');
    } finally {
      await browserPage.context().close();
    }
    const written = await load.stop();

    await cluster.startServer();
    stopped = false;
    await expectRecovered(person, written);
    for (const answer of load.answers) expectServedOrUnavailable(answer);
  });

  it('frozen (connections hang): 503s within 10 s, then served again once it resumes', { timeout: 300_000 }, async () => {
    const person = await signUp();
    const load = traffic(person);
    await load.seen(200);

    const before = load.answers.length;
    freeze();
    // The frozen database is away from this moment: the outage's answers are asked for while the
    // traffic's requests wait out their timeout, not after.
    await Promise.all([load.seen(503, before), expectOutageAnswers(person)]);
    const written = await load.stop();

    thaw();
    await expectRecovered(person, written);
    for (const answer of load.answers) expectServedOrUnavailable(answer);
  });

  it('frozen: a transaction whose connection hung gives it back broken, so the pool never fills with dead ones', { timeout: 120_000 }, async () => {
    // The data layer in this process, on the same cluster, with a pool of two and a 1 s timeout.
    Object.assign(process.env, { DATABASE_URL: cluster.url, DATABASE_POOL_SIZE: '2', DATABASE_TIMEOUT_MS: '1000' });
    const { closeStore, isDatabaseUnavailable, step, store, transaction } = await import('@/lib/db/client');
    const current = store();
    if (current.engine !== 'postgres') throw new Error('expected PostgreSQL');
    const { pool } = current;
    const twoAtOnce = () => Promise.allSettled([0, 1].map(() => transaction(function* (tx) {
      return yield* step(tx.select({ id: current.tables.users.id }).from(current.tables.users).limit(1));
    })));
    try {
      // Both connections open and idle, then BEGIN sent on each into the frozen server.
      expect((await twoAtOnce()).every((r) => r.status === 'fulfilled')).toBe(true);
      freeze();
      const failed = await twoAtOnce();
      for (const result of failed) {
        expect(result.status).toBe('rejected');
        expect(isDatabaseUnavailable((result as PromiseRejectedResult).reason)).toBe(true);
      }
      thaw();
      // drizzle's own transaction() kept both connections checked out for ever: every later one
      // then waited for the pool and failed.
      await expect.poll(async () => (await twoAtOnce()).every((r) => r.status === 'fulfilled'), { timeout: RECOVERY_MS, interval: 500 }).toBe(true);
      expect(pool.totalCount).toBe(pool.idleCount);
    } finally {
      thaw();
      // Bounded: ending a pool waits for every connection checked out, which a leak never gives back.
      await Promise.race([closeStore(), pause(5_000)]);
    }
  });

  it('writes no stack trace to the log, whatever went wrong', () => {
    const log = fs.readFileSync(server.log, 'utf8');
    expect(log).toMatch(/database unavailable/);
    expect(log).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
