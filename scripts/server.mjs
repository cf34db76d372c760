// The production server: Next's own request handler (what `next start` runs) behind a plain Node
// http server, which settles what Next would take from the client as it came:
// - the client IP: `next start` passes a client-sent X-Forwarded-For through, so any client could
//   pick the IP that rate limits and the activity log see. Here it comes from the socket, or, with
//   TRUST_PROXY=<number of proxies in front>, from the proxies' header;
// - Next's internal request headers, which only Next itself may set (see INTERNAL_HEADER).
//   PORT (3000), HOSTNAME (0.0.0.0), TRUST_PROXY (0), from the environment or the .env files.
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
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

const app = next({ dev: false, hostname, port });
await app.prepare();
const handle = app.getRequestHandler();

http
  .createServer((req, res) => {
    for (const name of Object.keys(req.headers)) if (INTERNAL_HEADER.test(name)) delete req.headers[name];
    const header = req.headers['x-forwarded-for'];
    req.headers['x-forwarded-for'] = clientIp(Array.isArray(header) ? header.join(',') : header, req.socket.remoteAddress, trustedHops);
    handle(req, res);
  })
  .listen(port, hostname, () => {
    console.log(`Gatehouse listening on http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${port}`);
  });
