// What scripts/server.mjs settles before Next sees a request: its settings (also from .env files),
// the client IP, Next's internal headers, the size of page and server-action bodies, and request
// paths that don't decode. Runs on a server of its own that trusts one proxy and listens on ::,
// where an IPv4 client's socket address is IPv4-mapped (::ffff:127.0.0.1).
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimsOf } from '../support/api';
import { newPerson, registration } from '../support/generators';
import { httpCall } from './support/api';
import { withServerDb } from './support/db';
import { root, startServer, type Server } from './support/server';

let server: Server;

beforeAll(async () => {
  // Its subject is the HTTP server, not sign-up: accounts are usable at once.
  server = await startServer({ TRUST_PROXY: '1', HOSTNAME: '::', EMAIL_VERIFICATION: 'off' });
});
afterAll(async () => {
  await server?.stop();
});

const call = (method: string, p: string, { on = server, ...request }: { body?: BodyInit; headers?: Record<string, string>; on?: Server } = {}) =>
  httpCall(`${on.baseUrl}${p}`, method, request);

const jsonBody = (value: unknown) => ({ body: JSON.stringify(value), headers: { 'content-type': 'application/json' } });

/** Registers someone, logs them in through the API, and returns the IP their session recorded. */
async function sessionIp(headers: Record<string, string>, on = server): Promise<unknown> {
  const person = newPerson();
  const post = (p: string, value: unknown) => call('POST', p, { on, body: JSON.stringify(value), headers: { 'content-type': 'application/json', ...headers } });
  expect((await post('/api/v1/auth/register', registration(person))).status).toBe(201);
  const login = await post('/api/v1/auth/token', { login: person.username, password: person.password });
  expect(login.status).toBe(200);
  const { sid } = claimsOf(login.body.access_token);
  return withServerDb((db) => db.prepare('select ip from sessions where id = ?').pluck().get(sid), on.dataDir);
}

/** A body sent as it is produced (Transfer-Encoding: chunked), with no Content-Length. */
function chunked(bytes: number): ReadableStream<Uint8Array> {
  let left = bytes;
  return new ReadableStream({
    pull(controller) {
      const size = Math.min(left, 16 * 1024);
      controller.enqueue(new Uint8Array(size).fill(0x61));
      left -= size;
      if (left === 0) controller.close();
    },
  });
}

/** The status line of the answer to a request written byte for byte. */
function rawStatusLine(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(new URL(server.baseUrl).port), '127.0.0.1', () => socket.end(request));
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(received.split('\r\n')[0]!));
  });
}

describe('settings', () => {
  it('TRUST_PROXY in a .env file is honoured (read after the .env files are loaded)', async () => {
    // The repo as Next needs it (build, config, code) in a directory of its own, without the
    // repo's own .env files and with one of ours: nothing changes where other servers run.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cwd-'));
    for (const entry of fs.readdirSync(root)) {
      if (!entry.startsWith('.env') && entry !== '.data') fs.symlinkSync(path.join(root, entry), path.join(dir, entry));
    }
    fs.writeFileSync(path.join(dir, '.env.local'), 'TRUST_PROXY=1\n');
    const own = await startServer({ EMAIL_VERIFICATION: 'off' }, undefined, dir);
    try {
      expect(await sessionIp({ 'x-forwarded-for': '203.0.113.50' }, own)).toBe('203.0.113.50');
    } finally {
      await own.stop();
      // Unlinks the symlinks, never what they point to.
      for (const entry of fs.readdirSync(dir)) fs.unlinkSync(path.join(dir, entry));
      fs.rmdirSync(dir);
    }
  });
});

describe('client IP', () => {
  it.each([
    ['203.0.113.5:4711', '203.0.113.5'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['[2001:db8::2]', '2001:db8::2'],
    ['::ffff:203.0.113.6', '203.0.113.6'],
    ['[::ffff:203.0.113.7]:80', '203.0.113.7'],
    // The full address: grouping IPv6 clients by /64 is the rate limiter's business.
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:3:4:5:6'],
    // One trusted proxy: the address it saw is the last entry; the ones before are the client's say.
    ['198.51.100.1, 203.0.113.8:80', '203.0.113.8'],
    // Not an address: the nearest one known, the proxy's socket.
    ['unknown', '127.0.0.1'],
  ])('X-Forwarded-For %s is recorded as %s', async (header, ip) => {
    expect(await sessionIp({ 'x-forwarded-for': header })).toBe(ip);
  });

  it('an IPv4 client of a server on :: is recorded as IPv4 (the socket says ::ffff:127.0.0.1)', async () => {
    expect(await sessionIp({})).toBe('127.0.0.1');
  });
});

describe("Next's internal request headers", () => {
  const internal: [string, string][] = [
    ['x-middleware-subrequest', 'middleware:middleware:middleware:middleware:middleware'],
    ['x-middleware-subrequest', 'src/middleware:src/middleware:src/middleware:src/middleware:src/middleware'],
    ['x-middleware-subrequest', 'middleware'],
    ['x-middleware-subrequest', 'pages/_middleware'],
    ['x-middleware-prefetch', '1'],
    ['x-middleware-next', '1'],
    ['x-middleware-skip', '1'],
    ['x-middleware-rewrite', '/register'],
    ['x-middleware-redirect', '/register'],
    ['x-middleware-override-headers', 'cookie'],
    ['x-middleware-request-cookie', 'a=b'],
    ['x-invoke-path', '/register'],
    ['x-invoke-status', '404'],
    ['x-matched-path', '/register'],
    ['x-now-route-matches', 'nxtPpath=register'],
    ['x-nextjs-data', '1'],
    ['x-prerender-revalidate', '1'],
    ['next-resume', '1'],
    ['x-action-forwarded', '1'],
  ];

  it.each(internal)('%s: %s changes nothing: the middleware still guards /account, /login is still the page', async (name, value) => {
    const account = await call('GET', '/account', { headers: { [name]: value } });
    expect(account.status).toBe(307);
    expect(account.headers.get('location')).toBe('/login?next=%2Faccount');
    const login = await call('GET', '/login', { headers: { [name]: value } });
    expect(login.status).toBe(200);
    expect(login.headers.get('content-type')).toBe('text/html; charset=utf-8');
    // The middleware ran: it gives every page its CSP.
    expect(login.headers.get('content-security-policy')).toContain("'nonce-");
    expect(login.text).toContain('name="password"');
  });

  it("the App Router's own headers still work: rsc: 1 gets the page's RSC payload", async () => {
    // (_rsc: the cache-busting parameter Next asks for, empty for a request with no router state.)
    const rsc = await call('GET', '/login?_rsc', { headers: { rsc: '1' } });
    expect(rsc.status).toBe(200);
    expect(rsc.headers.get('content-type')).toBe('text/x-component');
  });
});

describe('bodies of pages and server actions', () => {
  /** The login page's server action, as its form (the one that works without JavaScript) posts it. */
  async function loginForm(login: string, password: string): Promise<FormData> {
    const page = await call('GET', '/login');
    const form = new FormData();
    for (const [, name, value] of page.text.matchAll(/<input type="hidden" name="([^"]+)"(?: value="([^"]*)")?/g)) {
      form.append(name!, (value ?? '').replaceAll('&quot;', '"').replaceAll('&amp;', '&'));
    }
    form.append('login', login);
    form.append('password', password);
    return form;
  }

  async function loginActionId(): Promise<string> {
    const form = await loginForm('', '');
    return JSON.parse(String(form.get('$ACTION_1:0'))).id;
  }

  const sameOrigin = () => ({ origin: server.baseUrl, 'content-type': 'text/plain;charset=UTF-8' });

  it.each([100, 200 * 1024, 2 * 1024 * 1024])('a chunked server-action body of %i bytes is refused with 411, never read', async (bytes) => {
    const response = await call('POST', '/login', { body: chunked(bytes), headers: { ...sameOrigin(), 'next-action': await loginActionId() } });
    expect(response.status).toBe(411);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    // Production without AUTH_URL: an https site as far as it knows, so HSTS as on every page.
    expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });

  it('a declared body over 64 KB is refused with 413 and the page that says so', async () => {
    const response = await call('POST', '/login', { body: 'a'.repeat(200 * 1024), headers: { ...sameOrigin(), 'next-action': await loginActionId() } });
    expect(response.status).toBe(413);
    expect(response.text).toContain('That was too much data');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });

  it('a small form post (with Content-Length, as browsers send) still runs the server action', async () => {
    const person = newPerson();
    expect((await call('POST', '/api/v1/auth/register', jsonBody(registration(person)))).status).toBe(201);
    const wrong = await call('POST', '/login', { body: await loginForm(person.username, 'not the password'), headers: { origin: server.baseUrl } });
    expect(wrong.status).toBe(200);
    expect(wrong.text).toContain('don’t match an account');
    const right = await call('POST', '/login', { body: await loginForm(person.username, person.password), headers: { origin: server.baseUrl } });
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toContain('/account');
    expect(right.headers.get('set-cookie')).toContain('gatehouse.session=');
  });

  it('the API takes chunked bodies and caps what it reads: a small one is read, 2 MB is a JSON 413', async () => {
    const small = new Blob([JSON.stringify({ login: 'nobody-here', password: 'not a password' })]).stream();
    const read = await call('POST', '/api/v1/auth/token', { body: small, headers: { 'content-type': 'application/json' } });
    expect(read.status).toBe(401);
    expect(read.body.error.code).toBe('invalid_credentials');
    // Last: a request sent at once after it may race the end of its connection (see the next test).
    const big = await call('POST', '/api/v1/auth/token', { body: chunked(2 * 1024 * 1024), headers: { 'content-type': 'application/json' } });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
  });

  it('the connection a refused chunked API body leaves unreadable ends with the answer, not at the keep-alive timeout (5 s)', async () => {
    const socket = net.connect(Number(new URL(server.baseUrl).port), '127.0.0.1');
    await once(socket, 'connect');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    const ended = once(socket, 'end');
    const started = Date.now();
    socket.write('POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    const kb64 = `10000\r\n${'a'.repeat(0x10000)}\r\n`;
    for (let i = 0; i < 32; i += 1) socket.write(kb64);
    socket.write('0\r\n\r\n');
    await ended;
    socket.destroy();
    expect(received).toMatch(/^HTTP\/1\.1 413 /);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('paths that do not decode', () => {
  const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
  // Broken percent-encoding, overlong UTF-8, an encoded lone surrogate, past U+10FFFF.
  const API = [
    '/api/v1/users/%ff',
    '/api/v1/users/%E0%A4%A',
    '/api/v1/users/%ff/email',
    '/api/v1/users/%ff/email/confirm',
    '/api/v1/users/a%',
    '/api/v1/users/%C0%AF',
    '/api/v1/users/%ED%A0%80',
    '/api/v1/users/%F4%90%80%80',
    '/api/v1/%ff',
    '/api/%ff',
    '/api/v1/me/%ff',
  ];
  const PAGES = ['/%ff', '/account/%ff', '/%E0%A4%A', '/login%ff', '/%ED%A0%80', '/_next/static/%ff'];
  const headers = () => ({ origin: server.baseUrl, 'content-type': 'application/json' });

  it.each(API.flatMap((p) => METHODS.map((method) => [method, p])))('%s %s: a JSON 400 in the API error shape', async (method, p) => {
    const response = await call(method, p, { headers: headers(), body: method === 'GET' ? undefined : '{}' });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.body).toEqual({ error: { code: 'bad_request', message: 'The address is not valid: part of its path can’t be decoded (broken percent-encoding).' } });
  });

  it.each(PAGES.flatMap((p) => METHODS.map((method) => [method, p])))('%s %s: a 400 page', async (method, p) => {
    const response = await call(method, p, { headers: headers(), body: method === 'GET' ? undefined : '{}' });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.text).toContain('That address is not valid');
  });

  it('a request target that is not a path (asterisk or absolute form) is a 400, not a 500 or a redirect elsewhere', async () => {
    expect(await rawStatusLine('GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    expect(await rawStatusLine('OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    expect(await rawStatusLine('GET http://evil.example/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
  });

  it('well-formed paths, encoded or not, answer as before', async () => {
    expect((await call('GET', '/api/v1/users/caf%C3%A9')).body.error.code).toBe('method_not_allowed');
    const put = await call('PUT', '/api/v1/users/caf%C3%A9%00%2F', jsonBody({}));
    expect(put.status).toBe(401);
    expect(put.body.error.code).toBe('unauthorized');
    expect((await call('GET', '/api/v1/%E2%9C%93')).body.error.code).toBe('not_found');
    expect((await call('GET', '/caf%C3%A9')).status).toBe(404);
    expect((await call('GET', '/account/%C3%A9')).headers.get('location')).toBe('/login?next=%2Faccount%2F%25C3%25A9');
    expect((await call('GET', '/api/health')).body).toEqual({ status: 'ok' });
  });
});
