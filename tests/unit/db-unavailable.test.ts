// A database that is out of reach, in-process (tests/support/in-process-app.ts): DATABASE_URL
// names a PostgreSQL server on a port where nothing listens, so every connection is refused at
// once. Every API answer is a 503 in the error shape with Retry-After — never a 500 — and the
// liveness probe doesn't care. (tests/e2e/fault.test.ts stops and freezes a real server.)
import { createServer } from 'node:net';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { GET as unavailable } from '@/app/unavailable/route';
import { signSessionToken } from '@/lib/auth/token';
import { isDatabaseUnavailable } from '@/lib/db/client';
import { apiRequest, expectError } from '../support/api';
import { newPerson, registration } from '../support/generators';
import { inProcessApp, serveApi, type InProcessApp } from '../support/in-process-app';


/** A port that was free a moment ago: nothing listens there. */
const closedPort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

let app: InProcessApp;
beforeAll(async () => {
  app = inProcessApp({ DATABASE_URL: `postgres://gatehouse:secret@127.0.0.1:${await closedPort()}/gatehouse` });
});

const get = async (path: string) => {
  return serveApi(apiRequest(`http://gatehouse.test${path}`, 'GET'));
};

const expectUnavailable = (result: Awaited<ReturnType<typeof get>>) => {
  expectError(result, 503, 'unavailable');
  expect(result.body.error.message).toMatch(/temporarily unavailable.*try again/i);
  expect(result.headers.get('retry-after')).toBe('10');
};

describe('the database out of reach', () => {
  it('liveness stays 200; readiness is a 503 in the error shape', async () => {
    expect((await get('/api/health')).status).toBe(200);
    expectUnavailable(await get('/api/health/ready'));
  });

  it('the API answers 503 unavailable where it needs the database: a token check, a login, a registration', async () => {
    const token = await signSessionToken({ sub: '1', sid: 'a-session-id', username: 'ada' }, 'api');
    expectUnavailable(await app.api('GET', '/me', { token }));
    expectUnavailable(await app.api('POST', '/auth/token', { body: { login: 'ada', password: 'whatever it is' } }));
    expectUnavailable(await app.api('POST', '/auth/register', { body: registration(newPerson()) }));
  });

  it('the account page’s copy key gives the page’s own answer, the 503 page, without a second try', async () => {
    const { personalCopyKey } = await import('@/lib/auth/page-copy');
    const { sessionCookieName } = await import('@/lib/auth/cookies');
    const token = await signSessionToken({ sub: '1', sid: 'a-session-id', username: 'ada' }, 'browser');
    expect(await personalCopyKey(`${sessionCookieName()}=${token}`, '/account')).toEqual({ unavailable: '/unavailable?next=%2Faccount' });
  });

  it('/unavailable is the 503 page for browsers, with a safe way back', async () => {
    const page = await unavailable(new Request('http://gatehouse.test/unavailable?next=%2Faccount%2Fprofile%3Fa%3D1%26b%3D2'));
    expect(page.status).toBe(503);
    expect(page.headers.get('retry-after')).toBe('10');
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toMatch(/temporarily unavailable/i);
    const tryAgain = (text: string) => /<a href="([^"]*)">Try again<\/a>/.exec(text)?.[1];
    expect(tryAgain(html)).toBe('/account/profile?a=1&#38;b=2');
    const elsewhere = await unavailable(new Request('http://gatehouse.test/unavailable?next=%2F%2Fevil.example'));
    expect(tryAgain(await elsewhere.text())).toBe('/');
  });
});

describe('isDatabaseUnavailable', () => {
  const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
  const wrapped = (cause: Error) => new DrizzleQueryError('select 1', [], cause);

  it.each([
    ['connection refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['connection reset', withCode('read ECONNRESET', 'ECONNRESET')],
    ['admin shutdown (57P01)', withCode('terminating connection due to administrator command', '57P01')],
    ['cannot connect now (57P03)', withCode('the database system is starting up', '57P03')],
    ['a connection exception (08006)', withCode('connection failure', '08006')],
    ['the pool waiting too long', new Error('timeout exceeded when trying to connect')],
    ['a query timing out', new Error('Query read timeout')],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    ['SQLite busy past busy_timeout', withCode('database is locked', 'SQLITE_BUSY')],
    ['SQLite I/O error', withCode('disk I/O error', 'SQLITE_IOERR_WRITE')],
    ['SQLite file gone', withCode('unable to open database file', 'SQLITE_CANTOPEN')],
  ])('%s, bare or inside drizzle’s wrapper', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(isDatabaseUnavailable(wrapped(error))).toBe(true);
  });

  it('every address of a host refused (AggregateError)', () => {
    const refused = new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], '');
    expect(isDatabaseUnavailable(wrapped(refused))).toBe(true);
  });

  it.each([
    ['a unique violation', withCode('duplicate key value violates unique constraint', '23505')],
    ['a syntax error', withCode('syntax error at or near "selec"', '42601')],
    ['a SQLite constraint', withCode('UNIQUE constraint failed: users.email', 'SQLITE_CONSTRAINT_UNIQUE')],
    ['a plain bug', new TypeError('Cannot read properties of undefined')],
  ])('not %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
    expect(isDatabaseUnavailable(wrapped(error))).toBe(false);
  });

  it('not something that isn’t an error', () => {
    for (const value of [null, undefined, 'ECONNREFUSED', { code: 'ECONNREFUSED' }]) expect(isDatabaseUnavailable(value)).toBe(false);
  });
});

describe('a failed statement in the log', () => {
  it('is the driver’s own words, never the statement or its parameters (other people’s, in a batch)', async () => {
    const { unexpectedErrorResponse } = await import('@/lib/api/route');
    const logged: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => void logged.push(line));
    try {
      const cause = Object.assign(new Error('value "2147483648" is out of range\nfor type integer'), { code: '22003' });
      const failed = new DrizzleQueryError('select "users"."email" from unnest($1::text[])', [['someone-elses-session-id'], ['ada@example.com']], cause);
      expect(unexpectedErrorResponse(failed).status).toBe(500);
      expect(logged).toEqual(['[api] unexpected error: 22003 value "2147483648" is out of range for type integer']);
    } finally {
      spy.mockRestore();
    }
  });
});
