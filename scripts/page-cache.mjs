// The public pages as a visitor without a session sees them, rendered by Next at most once a
// minute per address and served in between with a fresh CSP nonce written into the copy.
//
// Every page renders per request because its scripts carry that response's nonce (middleware.ts,
// docs/security.md). For these pages, and a visitor with no cookie of ours, nothing else in the
// answer depends on the request: the HTML is a function of the address. So the rendered answer is
// kept cut at its nonce, and each later answer joins the pieces with a new one: the browser still
// gets a policy whose nonce no one could have guessed, and the page costs a join instead of a
// render (docs/performance.md).
//
// Anything that could make an answer personal is left to Next: a cookie of ours (a session, a
// refresh token, a known device), the App Router's own requests (RSC payloads, server actions),
// and answers that set a cookie, aren't 200, or carry no nonce.
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';

/** Pages whose HTML for a visitor without a session depends on the address alone. */
export const PUBLIC_PAGES = new Set(['/', '/login', '/register', '/forgot-password']);
/** The register form's latest date of birth is today's: a copy is re-rendered at least this often. */
export const TTL_MS = 60_000;
/** Addresses kept (each query string is one: /login?next=…); the oldest goes first. */
export const MAX_ENTRIES = 64;
const MAX_URL_LENGTH = 512;

/** Request headers of the App Router's client (navigations, prefetches, server actions). */
const ROUTER_HEADER = /^(?:rsc|next-router-|next-action|next-url)/;
/** A cookie of ours, by name, whatever its prefix (lib/auth/cookies.ts). */
const OUR_COOKIE = /(?:^|;)\s*(?:__Host-|__Secure-)?gatehouse\./;
/** Headers that describe one response's bytes or connection, not the page (an ETag names bytes the new nonce changes). */
const PER_RESPONSE = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding', 'etag']);

/** The same form as lib/security/headers.ts's newNonce(): 16 random bytes, base64. */
const newNonce = () => randomBytes(16).toString('base64');

function keyOf(req) {
  if (req.method !== 'GET' || req.url.length > MAX_URL_LENGTH) return null;
  const queryAt = req.url.indexOf('?');
  if (!PUBLIC_PAGES.has(queryAt === -1 ? req.url : req.url.slice(0, queryAt))) return null;
  if (OUR_COOKIE.test(req.headers.cookie ?? '')) return null;
  for (const name of Object.keys(req.headers)) if (ROUTER_HEADER.test(name)) return null;
  return `${req.headers.host ?? ''} ${req.url}`;
}

/**
 * Wraps Next's request handler: answers from a copy when it has one, else lets `render` answer
 * and keeps a copy when the answer qualifies.
 */
export function withPageCache(render, { now = Date.now } = {}) {
  /** key → { expires, nonce, headers: [name, value][], parts: Buffer[] (the page cut at its nonce) }; only 200s are kept */
  const copies = new Map();

  function send(req, res, copy) {
    const nonce = newNonce();
    for (const [name, value] of copy.headers) res.setHeader(name, typeof value === 'string' ? value.split(copy.nonce).join(nonce) : value);
    // The kept bytes joined around the new nonce: encoding the page's text anew for every answer
    // served half as many.
    const nonceBytes = Buffer.from(nonce);
    let body = Buffer.concat(copy.parts.flatMap((part, i) => (i === 0 ? [part] : [nonceBytes, part])));
    // As Next would have: gzip when the browser takes it (about 0.2 ms for one of these pages).
    if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
      body = gzipSync(body);
      res.setHeader('Content-Encoding', 'gzip');
    }
    res.setHeader('Content-Length', body.length);
    res.writeHead(200);
    res.end(body);
  }

  /** Lets Next answer, uncompressed so the text can be kept, and keeps it if it qualifies. */
  function record(req, res, key) {
    delete req.headers['accept-encoding'];
    const chunks = [];
    const { write, end } = res;
    const keep = (chunk, encoding) => {
      if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk, typeof encoding === 'string' ? encoding : undefined));
    };
    res.write = function (chunk, encoding, callback) {
      keep(chunk, encoding);
      return write.call(this, chunk, encoding, callback);
    };
    res.end = function (chunk, encoding, callback) {
      keep(chunk, encoding);
      return end.call(this, chunk, encoding, callback);
    };
    res.once('finish', () => {
      const headers = res.getHeaders();
      const nonce = /'nonce-([^']+)'/.exec(String(headers['content-security-policy'] ?? ''))?.[1];
      const qualifies =
        res.statusCode === 200 && nonce && !headers['set-cookie'] && !headers['content-encoding'] && String(headers['content-type']).startsWith('text/html');
      if (!qualifies) return;
      const parts = Buffer.concat(chunks).toString('utf8').split(nonce).map((part) => Buffer.from(part));
      if (copies.size >= MAX_ENTRIES) copies.delete(copies.keys().next().value);
      copies.set(key, {
        expires: now() + TTL_MS,
        nonce,
        headers: Object.entries(headers).filter(([name]) => !PER_RESPONSE.has(name)),
        parts,
      });
    });
  }

  return (req, res) => {
    const key = keyOf(req);
    if (!key) return render(req, res);
    const copy = copies.get(key);
    if (copy && copy.expires > now()) return send(req, res, copy);
    copies.delete(key);
    record(req, res, key);
    return render(req, res);
  };
}
