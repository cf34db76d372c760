// scripts/page-cache.mjs in front of a stand-in for Next that renders a page with its nonce in the
// policy and on its scripts, and counts its renders.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_ENTRIES, MAX_PERSONAL_ENTRIES, TTL_MS, acceptsGzip, withPageCache } from '../../scripts/page-cache.mjs';

let server: http.Server;
let base: string;
let renders: string[];
let clock: number;
/** What the stand-in answers next, besides the page: a status, a cookie; `row`: the person's row as the render reads it, if not `rows`'. */
let twist: { status?: number; cookie?: string; row?: string };
/** The stand-in's live sessions (cookie `s=<id>`), each with its person's row. */
let rows: Map<string, string>;
/** What lib/auth/page-copy.ts's personalKey does: null for no live session, else the session and its row's digest; or it fails, or finds the database out of reach. */
let keyFails: boolean;
let databaseAway: boolean;
/** While set, each answer's end() waits in `heldBack`, as a write waits for a socket that is full. */
let slowSockets: boolean;
let heldBack: (() => void)[];

const sessionOf = (cookie: string | undefined) => /(?:^|; )s=([^;]+)/.exec(cookie ?? '')?.[1];
const digestOf = (row: string) => Buffer.from(row).toString('base64url');

async function personalKey(cookie: string | undefined, path: string) {
  if (keyFails) throw new Error('something unexpected');
  if (databaseAway) return { unavailable: `/unavailable?next=${encodeURIComponent(path)}` };
  const session = sessionOf(cookie);
  const row = session && rows.get(session);
  return row ? { key: `${session} ${digestOf(row)}` } : null;
}

function render(req: http.IncomingMessage, res: http.ServerResponse) {
  renders.push(req.url!);
  const nonce = Buffer.from(String(Math.random())).toString('base64');
  res.statusCode = twist.status ?? 200;
  res.setHeader('Content-Security-Policy', `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('ETag', `"${nonce}"`);
  if (twist.cookie) res.setHeader('Set-Cookie', twist.cookie);
  // As the account page names the row it shows (lib/auth/page-copy.ts).
  const session = sessionOf(req.headers.cookie);
  const row = twist.row ?? (session && rows.get(session));
  if (row) res.write(`<meta name="gatehouse-copy" content="${digestOf(row)}"/><p>row ${row}</p>`);
  // In pieces, as Next streams it; the encoding Next was asked for, to show it was asked for none.
  res.write(`<p>${req.url} for ${req.headers.cookie ?? 'anyone'}, encoding ${req.headers['accept-encoding'] ?? 'none'}</p>`);
  res.write(`<script nonce="${nonce}">1</script>`);
  res.end(Buffer.from(`<script nonce="${nonce}">2</script>`));
}

beforeEach(async () => {
  renders = [];
  clock = 1_000_000;
  twist = {};
  rows = new Map();
  keyFails = false;
  databaseAway = false;
  slowSockets = false;
  heldBack = [];
  const handle = withPageCache(render, { now: () => clock, personalKey, hardening: { 'X-Content-Type-Options': 'nosniff' } });
  server = http.createServer((req, res) => {
    if (slowSockets) {
      const end = res.end.bind(res) as (...args: unknown[]) => void;
      res.end = ((...args: unknown[]) => (heldBack.push(() => end(...args)), res)) as typeof res.end;
    }
    handle(req, res);
  });
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
    // gunzip checks the stream, its CRC-32 and its length: the pieces, deflated once, and this
    // answer's nonce make one valid gzip member.
    const text = gunzipSync(body).toString();
    const nonce = /'nonce-([^']+)'/.exec(String(response.headers['content-security-policy']))![1]!;
    expectOneNonce({ text, nonce });
    const plain = await get('/register');
    expect(text.replaceAll(nonce, '')).toBe(plain.text.replaceAll(plain.nonce!, ''));
  });

  // Answers are joined in buffers that are used again once an answer has reached the socket. A
  // socket that can't take an answer yet (a client reading slowly) is stood in for by holding
  // each answer's end() back: one buffer given back too soon would carry the next answer's nonce.
  it('keep every answer whole while the sockets have not taken them yet', async () => {
    await get('/');
    slowSockets = true;
    const pages = Array.from({ length: 6 }, (_, i) => get('/', { 'accept-encoding': i % 2 ? 'gzip' : 'identity' }));
    await expect.poll(() => heldBack.length).toBe(6);
    for (const end of heldBack.splice(0)) end();
    const answers = await Promise.all(pages);
    for (const page of answers) expectOneNonce(page);
    expect(new Set(answers.map((page) => page.nonce)).size).toBe(6);
    expect(renders).toEqual(['/']);
  });

  it('are gzipped only for a client that takes gzip, by its weights', () => {
    for (const header of ['gzip, deflate, br, zstd', 'GZIP', 'br;q=1.0, gzip;q=0.5', 'x-gzip', '*', 'br, *;q=0.1']) expect(acceptsGzip(header), header).toBe(true);
    for (const header of [undefined, '', 'identity', 'br', 'gzip;q=0', 'gzip; q=0.000, br', '*;q=0', '*, gzip;q=0', 'gzipped']) expect(acceptsGzip(header), String(header)).toBe(false);
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

describe('the account page for a live session', () => {
  beforeEach(() => {
    rows.set('ann', 'Ann Lee');
    rows.set('bob', 'Bob Roe');
  });

  it('is rendered once per session and address, then served from its copy with a new nonce each time', async () => {
    const first = await get('/account', { cookie: 's=ann' });
    const again = await get('/account', { cookie: 's=ann' });
    const bob = await get('/account', { cookie: 's=bob' });
    await get('/account?welcome=1', { cookie: 's=ann' });
    await get('/account?welcome=1', { cookie: 's=ann' });
    expect(renders).toEqual(['/account', '/account', '/account?welcome=1']);
    for (const page of [first, again]) {
      expectOneNonce(page);
      expect(page.text).toContain('<p>row Ann Lee</p>');
    }
    expect(first.nonce).not.toBe(again.nonce);
    expect(bob.text).toContain('<p>row Bob Roe</p>');
    expect(bob.text).not.toContain('Ann');
  });

  it('is rendered again when the person’s row changes, and never shows an old row', async () => {
    await get('/account', { cookie: 's=ann' });
    rows.set('ann', 'Ann Smith');
    const changed = await get('/account', { cookie: 's=ann' });
    expect(changed.text).toContain('<p>row Ann Smith</p>');
    await get('/account', { cookie: 's=ann' });
    expect(renders).toEqual(['/account', '/account']);
  });

  it('is not kept when the row changed while it rendered: the copy would show what its key does not name', async () => {
    // The key is taken with "Ann Lee"; the render reads the row after a change to "Ann Smith".
    twist = { row: 'Ann Smith' };
    await get('/account', { cookie: 's=ann' });
    twist = {};
    // Were it kept under "Ann Lee"'s key, this would show "Ann Smith".
    const page = await get('/account', { cookie: 's=ann' });
    expect(page.text).toContain('<p>row Ann Lee</p>');
    expect(renders).toEqual(['/account', '/account']);
  });

  it('is left to Next for an ended session, a token to renew, no session, or a key that fails', async () => {
    await get('/account', { cookie: 's=ann' });
    rows.delete('ann');
    await get('/account', { cookie: 's=ann' });
    await get('/account');
    rows.set('ann', 'Ann Lee');
    keyFails = true;
    const failed = await get('/account', { cookie: 's=ann' });
    expect(failed.status).toBe(200);
    expect(renders).toEqual(['/account', '/account', '/account', '/account']);
  });

  it('sends the person to the 503 page itself when the key finds the database out of reach: Next would wait for it again', async () => {
    await get('/account', { cookie: 's=ann' });
    databaseAway = true;
    const response = await fetch(`${base}/account?welcome=1`, { headers: { cookie: 's=ann' }, redirect: 'manual' });
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe('/unavailable?next=%2Faccount');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(renders).toEqual(['/account']);
  });

  it('is not kept when the answer sets a cookie, and the App Router’s requests are always rendered', async () => {
    twist = { cookie: 'x=1' };
    await get('/account', { cookie: 's=ann' });
    twist = {};
    await get('/account', { cookie: 's=ann' });
    await get('/account', { cookie: 's=ann' });
    await get('/account', { cookie: 's=ann', rsc: '1' });
    expect(renders).toEqual(['/account', '/account', '/account']);
  });

  it(`is rendered again once a minute old, and at most ${MAX_PERSONAL_ENTRIES} copies are kept`, async () => {
    await get('/account', { cookie: 's=ann' });
    clock += TTL_MS;
    await get('/account', { cookie: 's=ann' });
    expect(renders).toEqual(['/account', '/account']);
    for (let i = 0; i <= MAX_PERSONAL_ENTRIES; i += 1) await get(`/account?n=${i}`, { cookie: 's=bob' });
    renders = [];
    await get(`/account?n=${MAX_PERSONAL_ENTRIES}`, { cookie: 's=bob' });
    await get('/account', { cookie: 's=ann' });
    expect(renders).toEqual(['/account']);
  });
});
