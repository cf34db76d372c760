// scripts/page-cache.mjs in front of a stand-in for Next that renders a page with its nonce in the
// policy and on its scripts, and counts its renders.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_ENTRIES, TTL_MS, withPageCache } from '../../scripts/page-cache.mjs';

let server: http.Server;
let base: string;
let renders: string[];
let clock: number;
/** What the stand-in answers next, besides the page: a status, a cookie. */
let twist: { status?: number; cookie?: string };

function render(req: http.IncomingMessage, res: http.ServerResponse) {
  renders.push(req.url!);
  const nonce = Buffer.from(String(Math.random())).toString('base64');
  res.statusCode = twist.status ?? 200;
  res.setHeader('Content-Security-Policy', `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('ETag', `"${nonce}"`);
  if (twist.cookie) res.setHeader('Set-Cookie', twist.cookie);
  // In pieces, as Next streams it; the encoding Next was asked for, to show it was asked for none.
  res.write(`<p>${req.url} for ${req.headers.cookie ?? 'anyone'}, encoding ${req.headers['accept-encoding'] ?? 'none'}</p>`);
  res.write(`<script nonce="${nonce}">1</script>`);
  res.end(Buffer.from(`<script nonce="${nonce}">2</script>`));
}

beforeEach(async () => {
  renders = [];
  clock = 1_000_000;
  twist = {};
  const handle = withPageCache(render, { now: () => clock });
  server = http.createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, { headers: { 'accept-encoding': 'identity', ...headers } });
  const text = await response.text();
  const nonce = /'nonce-([^']+)'/.exec(response.headers.get('content-security-policy') ?? '')?.[1];
  return { status: response.status, text, nonce, headers: response.headers };
}

/** Every nonce on the page's scripts is the one in its policy. */
function expectOneNonce(page: { text: string; nonce?: string }) {
  expect(page.nonce).toMatch(/^[A-Za-z0-9+/=]{20,}$/);
  expect([...page.text.matchAll(/nonce="([^"]+)"/g)].map((m) => m[1])).toEqual([page.nonce, page.nonce]);
}

describe('the public pages for a visitor without a session', () => {
  it('are rendered once, then served from the copy with a new nonce each time', async () => {
    const first = await get('/login');
    const second = await get('/login');
    const third = await get('/login');
    expect(renders).toEqual(['/login']);
    for (const page of [first, second, third]) {
      expectOneNonce(page);
      expect(page.text).toContain('<p>/login for anyone, encoding none</p>');
      expect(page.headers.get('x-frame-options')).toBe('DENY');
    }
    // The ETag named the first answer's bytes.
    expect(first.headers.get('etag')).not.toBeNull();
    expect([second.headers.get('etag'), third.headers.get('etag')]).toEqual([null, null]);
    expect(new Set([first.nonce, second.nonce, third.nonce]).size).toBe(3);
    expect(second.text.replaceAll(second.nonce!, '')).toBe(first.text.replaceAll(first.nonce!, ''));
  });

  it('are gzipped for a browser that takes gzip, with the right length', async () => {
    await get('/register');
    // Raw bytes (fetch would unzip them).
    const response = await new Promise<http.IncomingMessage>((resolve) => http.get(`${base}/register`, { headers: { 'accept-encoding': 'gzip, deflate, br' } }, resolve));
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(Number(response.headers['content-length'])).toBe(body.length);
    const text = gunzipSync(body).toString();
    expectOneNonce({ text, nonce: /'nonce-([^']+)'/.exec(String(response.headers['content-security-policy']))![1] });
  });

  it('keep one copy per address, query included', async () => {
    await get('/login');
    const next = await get('/login?next=%2Faccount');
    await get('/login?next=%2Faccount');
    await get('/login');
    expect(renders).toEqual(['/login', '/login?next=%2Faccount']);
    expect(next.text).toContain('/login?next=%2Faccount');
  });

  it('are rendered again once the copy is a minute old', async () => {
    await get('/');
    clock += TTL_MS - 1;
    await get('/');
    clock += 1;
    await get('/');
    expect(renders).toEqual(['/', '/']);
  });

  it(`keep at most ${MAX_ENTRIES} addresses, dropping the oldest`, async () => {
    for (let i = 0; i <= MAX_ENTRIES; i += 1) await get(`/login?n=${i}`);
    renders = [];
    await get(`/login?n=${MAX_ENTRIES}`);
    await get('/login?n=1');
    await get('/login?n=0');
    expect(renders).toEqual(['/login?n=0']);
  });
});

describe('always rendered by Next', () => {
  it('a visitor with a cookie of ours (session, refresh, device), under any prefix', async () => {
    await get('/');
    for (const cookie of ['__Host-gatehouse.session=abc', 'other=1; gatehouse.refresh=x', '__Secure-gatehouse.device=d']) {
      const page = await get('/', { cookie });
      expect(page.text).toContain(`for ${cookie}`);
    }
    expect(renders).toHaveLength(4);
  });

  it('other pages, other methods, and the App Router’s own requests', async () => {
    await get('/account');
    await get('/account');
    await get('/login');
    await get('/login', { rsc: '1' });
    await get('/login', { 'next-router-prefetch': '1' });
    await fetch(`${base}/login`, { method: 'POST', body: 'x' });
    await fetch(`${base}/login`, { method: 'HEAD' });
    expect(renders).toEqual(['/account', '/account', '/login', '/login', '/login', '/login', '/login']);
  });

  it('an answer that is not a plain 200 page: a cookie set, another status', async () => {
    twist = { cookie: 'x=1' };
    await get('/');
    twist = { status: 404 };
    await get('/');
    twist = {};
    await get('/');
    await get('/');
    expect(renders).toEqual(['/', '/', '/']);
  });
});
