// The production server: Next's own request handler (what `next start` runs) behind a plain Node
// http server, which settles what Next would take from the client as it came:
// - the client IP: `next start` passes a client-sent X-Forwarded-For through, so any client could
//   pick the IP that rate limits and the activity log see. Here it comes from the socket, or, with
//   TRUST_PROXY=<number of proxies in front>, from the proxies' header;
// - Next's internal request headers, which only Next itself may set (see INTERNAL_HEADER);
// - the body of a page or server-action request: declared, and at most 64 KB;
// - a path that doesn't decode, which Next would answer with a 500.
//   PORT (3000), HOSTNAME (0.0.0.0), TRUST_PROXY (0), from the environment or the .env files.
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import next from 'next';

// Next loads the .env files inside next() below, after these settings are read. This is its own
// copy of @next/env (resolved from next), so Next then finds them loaded.
createRequire(import.meta.resolve('next'))('@next/env').loadEnvConfig(process.cwd(), false);

// An empty setting (as .env.example leaves them) means "not set".
const port = Number(process.env.PORT || 3000);
const hostname = process.env.HOSTNAME || '0.0.0.0';
const trustedHops = Number(process.env.TRUST_PROXY || 0);
if (!Number.isInteger(trustedHops) || trustedHops < 0 || trustedHops > 10) {
  console.error('Gatehouse cannot start: TRUST_PROXY must be the number of proxies in front of it (0–10).');
  process.exit(1);
}

/**
 * Our forms post a few hundred bytes. Next reads far more: it buffers a page request's body (up
 * to 10 MB) for the middleware and answers a server action over 1 MB with a 500.
 */
const MAX_FORM_BYTES = 64 * 1024;

/**
 * Headers Next's parts pass each other (router, middleware, render, cache); sent by a client,
 * one can skip the middleware (CVE-2025-29927: x-middleware-subrequest) or replace a page with
 * `{}` (x-middleware-prefetch). The App Router's own client headers (rsc, next-action,
 * next-router-*, next-url) are not among them.
 */
const INTERNAL_HEADER =
  /^(?:x-middleware-|x-invoke-|x-next-|x-prerender-revalidate)|^(?:x-matched-path|x-now-route-matches|x-nextjs-data|next-resume|x-action-forwarded|x-invocation-id)$/;

/** An address as rate limits and the activity log should see it (no port, IPv4 as IPv4), or null. */
function address(entry) {
  const host = /^\[(.+)\](?::\d+)?$/.exec(entry)?.[1] ?? /^([\d.]+):\d+$/.exec(entry)?.[1] ?? entry;
  const ip = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host)?.[1] ?? host;
  return net.isIP(ip) ? ip : null;
}

/** The socket's address, or, behind N trusted proxies, the address the N-th proxy saw. */
function clientIp(forwardedFor, socketAddress, hops) {
  const chain = [...(forwardedFor ?? '').split(',').map((s) => s.trim()).filter(Boolean), socketAddress ?? ''];
  // Not an address (a proxy may write "unknown"): the nearest one known, the proxy's.
  return address(chain[Math.max(0, chain.length - 1 - hops)]) ?? address(socketAddress ?? '') ?? '';
}

/** The path Next will route (it resolves dot segments the same way), or null for `*` or a URL. */
function pathOf(target) {
  return target.startsWith('/') ? new URL(`http://localhost${target}`).pathname : null;
}

function decodes(pathname) {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

const page = (title, text) => `<!doctype html><meta charset="utf-8"><title>${title}</title>${text}`;
const BAD_ADDRESS = page(
  'Not a valid address',
  '<h1>That address is not valid</h1><p>Part of it can’t be read: its percent-encoding is broken. Check the link, or start again from the <a href="/">home page</a>.</p>',
);
const LENGTH_REQUIRED = page(
  'Length required',
  '<h1>This form came without its length</h1><p>Forms are accepted with their size declared, as browsers send them. Go back and send it again from the site’s own page.</p>',
);
const TOO_LARGE = page(
  'Too much data',
  '<h1>That was too much data</h1><p>The form you sent is far larger than any of ours needs. Go back, shorten what you typed, and try again.</p>',
);

/** Why the request doesn't go to Next, as [status, body, content type], or null when it does. */
function refusal(req) {
  const pathname = pathOf(req.url);
  const api = pathname?.startsWith('/api/');
  if (!pathname || !decodes(pathname)) {
    if (!api) return [400, BAD_ADDRESS];
    const message = 'The address is not valid: part of its path can’t be decoded (broken percent-encoding).';
    return [400, JSON.stringify({ error: { code: 'bad_request', message } }), 'application/json; charset=utf-8'];
  }
  // The API reads bodies itself, with its own cap on the bytes read (lib/api/body.ts).
  if (api) return null;
  // Without Content-Length the size is known only once read; browsers always send it (forms and
  // server actions post strings or FormData). With it, Node's parser ends the body there.
  if (req.headers['transfer-encoding']) return [411, LENGTH_REQUIRED];
  if (Number(req.headers['content-length'] ?? 0) > MAX_FORM_BYTES) return [413, TOO_LARGE];
  return null;
}

const app = next({ dev: false, hostname, port });
await app.prepare();
const handle = app.getRequestHandler();

// The hardening headers next.config.ts gives every route, for the answers given here instead.
const { headers: configured } = JSON.parse(fs.readFileSync(path.join(process.cwd(), '.next/routes-manifest.json'), 'utf8'));
const hardening = Object.fromEntries(configured.find((rule) => rule.source === '/:path*').headers.map(({ key, value }) => [key, value]));

http
  .createServer((req, res) => {
    const refused = refusal(req);
    if (refused) {
      const [status, body, type = 'text/html; charset=utf-8'] = refused;
      res.writeHead(status, { ...hardening, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
      res.end(body);
      return;
    }
    for (const name of Object.keys(req.headers)) if (INTERNAL_HEADER.test(name)) delete req.headers[name];
    const header = req.headers['x-forwarded-for'];
    req.headers['x-forwarded-for'] = clientIp(Array.isArray(header) ? header.join(',') : header, req.socket.remoteAddress, trustedHops);
    // A body Next stopped reading part-way (the API's cap on a chunked body) leaves the connection
    // where Node reads no further request from it: end it after the answer, or a client's next
    // request on it would wait for the keep-alive timeout and a reset.
    const { socket } = req;
    res.once('finish', () => {
      if (req.destroyed && !req.complete) socket.end();
    });
    handle(req, res);
  })
  .listen(port, hostname, () => {
    console.log(`Gatehouse listening on http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${port}`);
  });
