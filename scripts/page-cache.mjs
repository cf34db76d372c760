// Pages served from a copy with a fresh CSP nonce written into it, instead of rendered by Next for
// every request.
//
// Every page renders per request because its scripts carry that response's nonce (middleware.ts,
// docs/security.md). Some pages' HTML depends on little else, so the rendered answer is kept cut
// at its nonce, and each later answer joins the pieces with a new one: the browser still gets a
// policy whose nonce no one could have guessed, and the page costs a join instead of a render
// (docs/performance.md).
// - The public pages, for a visitor with no cookie of ours: the HTML is a function of the address.
//   Rendered at most once a minute per address.
// - The account page, for a live session whose token needs no renewal: a function of the address,
//   the session and the person's row. `personalKey` (lib/auth/page-copy.ts) checks the session as
//   the middleware and the page would and names the row by a digest; the page names the digest of
//   the row it was rendered from, and a copy is kept only when the two agree. A change to the
//   person, an ended session or a token to renew is a miss, and Next answers. With the database
//   out of reach, the page's own redirect to the 503 page is answered here (Next would wait for
//   the database a second time).
//
// Anything else that could make an answer personal is left to Next: the App Router's own requests
// (RSC payloads, server actions), and answers that set a cookie, aren't 200, or carry no nonce.
import { randomBytes } from 'node:crypto';
import { constants, crc32, deflateRawSync } from 'node:zlib';

/** Pages whose HTML for a visitor without a session depends on the address alone. */
export const PUBLIC_PAGES = new Set(['/', '/login', '/register', '/forgot-password']);
/** Pages whose HTML for a session depends on the address, the session and the person's row. */
export const PERSONAL_PAGES = new Set(['/account']);
/** The register form's latest date of birth is today's: a copy is re-rendered at least this often. */
export const TTL_MS = 60_000;
/** Addresses kept (each query string is one: /login?next=…); the oldest goes first. */
export const MAX_ENTRIES = 64;
/** Personal copies kept (one per session and address); the oldest goes first. */
export const MAX_PERSONAL_ENTRIES = 256;
/** The `<meta>` a personal page carries: the digest of the row it was rendered from (lib/auth/page-copy.ts). */
const COPY_META = /<meta name="gatehouse-copy" content="([^"]+)"/;
const MAX_URL_LENGTH = 512;

/** Request headers of the App Router's client (navigations, prefetches, server actions). */
const ROUTER_HEADER = /^(?:rsc|next-router-|next-action|next-url)/;
/** A cookie of ours, by name, whatever its prefix (lib/auth/cookies.ts). */
const OUR_COOKIE = /(?:^|;)\s*(?:__Host-|__Secure-)?gatehouse\./;
/** Headers that describe one response's bytes or connection, not the page (an ETag names bytes the new nonce changes). */
const PER_RESPONSE = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding', 'etag']);

/**
 * The same form as lib/security/headers.ts's newNonce(): 16 random bytes, base64. Drawn from the
 * system's generator a few kilobytes at a time and each byte used once: a call per nonce was a
 * tenth of what answering from a copy cost.
 */
const NONCE_BYTES = 16;
let pool = Buffer.alloc(0);
let drawn = 0;
function newNonce() {
  if (drawn + NONCE_BYTES > pool.length) {
    pool = randomBytes(256 * NONCE_BYTES);
    drawn = 0;
  }
  drawn += NONCE_BYTES;
  return pool.toString('base64', drawn - NONCE_BYTES, drawn);
}

// Gzip without compressing each answer (a quarter of a millisecond for one of these pages, more
// than the rest of the answer): each piece of a copy is deflated once, on its own and flushed to a
// byte boundary, so the pieces and the new nonce, as a stored (uncompressed) block, join into one
// valid deflate stream (RFC 1951 §3.2.4); the gzip trailer's CRC-32 is carried across the pieces
// (RFC 1952).
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
/** The last block: empty, stored, final. */
const LAST_BLOCK = Buffer.from([1, 0, 0, 0xff, 0xff]);
const deflatePiece = (piece) => deflateRawSync(piece, { finishFlush: constants.Z_FULL_FLUSH });

/** The stored block that carries `bytes` (a nonce: far below a stored block's 65,535 bytes). */
function storedBlock(bytes) {
  const block = Buffer.alloc(5 + bytes.length);
  block.writeUInt16LE(bytes.length, 1);
  block.writeUInt16LE(~bytes.length & 0xffff, 3);
  bytes.copy(block, 5);
  return block;
}

/** The copy's pieces around `nonceBytes`, gzipped: the bytes of the answer, in order. */
function gzippedPieces(copy, nonceBytes) {
  // Deflated for the first browser that asks (a copy kept for clients that don't never is).
  copy.deflated ??= copy.parts.map(deflatePiece);
  const nonceBlock = storedBlock(nonceBytes);
  const pieces = [GZIP_HEADER, copy.deflated[0]];
  let crc = crc32(copy.parts[0]);
  let size = copy.parts[0].length;
  for (let i = 1; i < copy.parts.length; i += 1) {
    pieces.push(nonceBlock, copy.deflated[i]);
    crc = crc32(copy.parts[i], crc32(nonceBytes, crc));
    size += nonceBytes.length + copy.parts[i].length;
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size >>> 0, 4);
  pieces.push(LAST_BLOCK, trailer);
  return pieces;
}

/** The copy's pieces around `nonceBytes`, as they are. */
function plainPieces(copy, nonceBytes) {
  const pieces = [copy.parts[0]];
  for (let i = 1; i < copy.parts.length; i += 1) pieces.push(nonceBytes, copy.parts[i]);
  return pieces;
}

// An answer's bytes are joined into one buffer, 12–16 KB for these pages. Allocated anew each
// time (Buffer.concat), that memory outside the JavaScript heap, 300 MB a second at 20,000
// answers, made V8 run a full collection several times a second, each pausing every connection
// for 5–8 ms. Buffers come from a free list instead, by power-of-two size, and go back once the
// answer has been handed to the socket ('finish'), never before: a write the socket has queued
// still reads its buffer. An answer cut short never finishes, and its buffer is simply dropped.
// At most 64 spare buffers per size, of up to 64 KB: under 8 MB in all.
const SPARE_PER_SIZE = 64;
const SPARE_MAX_BYTES = 64 * 1024;
const spare = new Map();
function answerBuffer(size) {
  const capacity = 2 ** Math.ceil(Math.log2(Math.max(size, 1024)));
  return spare.get(capacity)?.pop() ?? Buffer.allocUnsafeSlow(capacity);
}
function giveBack(buffer) {
  if (buffer.length > SPARE_MAX_BYTES) return;
  let free = spare.get(buffer.length);
  if (!free) spare.set(buffer.length, (free = []));
  if (free.length < SPARE_PER_SIZE) free.push(buffer);
}

/**
 * Whether an Accept-Encoding header takes gzip (RFC 9110 §12.5.3): named, or `*` without gzip
 * named, with a weight above zero; `gzip;q=0` refuses it.
 */
export function acceptsGzip(header = '') {
  let star = false;
  for (const entry of header.split(',')) {
    const [coding = '', ...params] = entry.split(';').map((part) => part.trim().toLowerCase());
    const q = params.find((param) => param.startsWith('q='));
    const weighted = q === undefined || Number(q.slice(2)) > 0;
    if (coding === 'gzip' || coding === 'x-gzip') return weighted;
    if (coding === '*') star = weighted;
  }
  return star;
}

const pathOf = (url) => {
  const queryAt = url.indexOf('?');
  return queryAt === -1 ? url : url.slice(0, queryAt);
};

/** Which copies a request could be answered from: 'public', 'personal', or null for none. */
function kindOf(req) {
  if (req.method !== 'GET' || req.url.length > MAX_URL_LENGTH) return null;
  for (const name of Object.keys(req.headers)) if (ROUTER_HEADER.test(name)) return null;
  const path = pathOf(req.url);
  if (PUBLIC_PAGES.has(path)) return OUR_COOKIE.test(req.headers.cookie ?? '') ? null : 'public';
  return PERSONAL_PAGES.has(path) ? 'personal' : null;
}

/** A Map that forgets its oldest entry past `max`. */
function bounded(max) {
  const entries = new Map();
  return {
    get: (key) => entries.get(key),
    delete: (key) => entries.delete(key),
    set(key, value) {
      if (entries.size >= max) entries.delete(entries.keys().next().value);
      entries.set(key, value);
    },
  };
}

/** A page's headers as `[name, value, the value cut at the nonce or null]`, less those of one response only. */
function keptHeaders(headers, nonce) {
  const kept = [];
  for (const [name, value] of Object.entries(headers)) {
    if (PER_RESPONSE.has(name)) continue;
    const cut = typeof value === 'string' && value.includes(nonce) ? value.split(nonce) : null;
    kept.push([name, typeof value === 'number' ? String(value) : value, cut]);
  }
  return kept;
}

/**
 * Wraps Next's request handler: answers from a copy when it has one, else lets `render` answer
 * and keeps a copy when the answer qualifies. `personalKey(cookieHeader, path)` →
 * `{ key: '<session> <digest>' }`, `{ unavailable: <where the page sends the person> }` or null
 * (lib/auth/page-copy.ts); without it, personal pages are always rendered. `hardening`: the
 * headers every answer carries (HSTS included over HTTPS), for the redirect answered here.
 */
export function withPageCache(render, { now = Date.now, personalKey, hardening = {} } = {}) {
  /** key → { expires, headers (keptHeaders), parts: Buffer[] (the page cut at its nonce), deflated?: each part deflated }; only 200s are kept */
  const copies = { public: bounded(MAX_ENTRIES), personal: bounded(MAX_PERSONAL_ENTRIES) };

  function send(req, res, copy) {
    const nonce = newNonce();
    // Plain loops: building these with flatMap and split/join was a fifth of an answer.
    const headers = [];
    for (const [name, value, cut] of copy.headers) headers.push(name, cut ? cut.join(nonce) : value);
    // The kept bytes around the new nonce: encoding the page's text anew for every answer served
    // half as many.
    const nonceBytes = Buffer.from(nonce);
    // As Next would have: gzip when the browser takes it.
    const gzip = acceptsGzip(req.headers['accept-encoding']);
    const pieces = gzip ? gzippedPieces(copy, nonceBytes) : plainPieces(copy, nonceBytes);
    if (gzip) headers.push('Content-Encoding', 'gzip');
    let size = 0;
    for (const piece of pieces) size += piece.length;
    const buffer = answerBuffer(size);
    let at = 0;
    for (const piece of pieces) at += piece.copy(buffer, at);
    headers.push('Content-Length', String(size));
    res.writeHead(200, headers);
    res.end(buffer.subarray(0, size), () => giveBack(buffer));
  }

  /**
   * Lets Next answer, uncompressed so the text can be kept, and keeps it in `store` if it
   * qualifies; `digest`: the one a personal page must name.
   */
  function record(req, res, store, key, digest) {
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
      const text = Buffer.concat(chunks).toString('utf8');
      if (digest !== undefined && COPY_META.exec(text)?.[1] !== digest) return;
      const parts = text.split(nonce).map((part) => Buffer.from(part));
      store.set(key, {
        expires: now() + TTL_MS,
        headers: keptHeaders(headers, nonce),
        parts,
      });
    });
  }

  function answer(req, res, store, key, digest) {
    const copy = store.get(key);
    if (copy && copy.expires > now()) return send(req, res, copy);
    store.delete(key);
    record(req, res, store, key, digest);
    return render(req, res);
  }

  async function answerPersonal(req, res, path) {
    let found = null;
    try {
      found = await personalKey(req.headers.cookie, path);
    } catch {
      // Whatever it was, Next answers, and says so.
    }
    if (!found) return render(req, res);
    if (found.unavailable) {
      // The page's own answer with the database out of reach, without Next waiting for it again.
      res.writeHead(307, [...Object.entries(hardening).flat(), 'Location', found.unavailable, 'Cache-Control', 'no-store', 'Content-Length', '0']);
      res.end();
      return;
    }
    const [, digest] = found.key.split(' ');
    return answer(req, res, copies.personal, `${req.headers.host ?? ''} ${req.url} ${found.key}`, digest);
  }

  return (req, res) => {
    const kind = kindOf(req);
    if (kind === 'public') return answer(req, res, copies.public, `${req.headers.host ?? ''} ${req.url}`);
    if (kind === 'personal' && personalKey) return answerPersonal(req, res, pathOf(req.url));
    return render(req, res);
  };
}
