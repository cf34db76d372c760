// The server, in production (`npm start`) and development (`npm run dev`, with --dev): a plain Node
// http server that hands every request under /api/ to the JSON API's router (lib/api/app.ts, built
// by api-bundle.mjs) and the rest to Next's own request handler (what `next start` runs). It
// settles what Next would take from the client as it came:
// - the client IP: `next start` passes a client-sent X-Forwarded-For through, so any client could
//   pick the IP that rate limits and the activity log see. Here it comes from the socket, or, with
//   TRUST_PROXY=<number of proxies in front>, from the proxies' header;
// - Next's internal request headers, which only Next itself may set (see INTERNAL_HEADER);
// - the body of a page or server-action request: declared, and at most 64 KB;
// - a path that doesn't decode, which Next would answer with a 500.
// And in production it answers the public pages for visitors without a session, and the account
// page for a session, from a copy while nothing on it has changed (page-cache.mjs).
// It runs WEB_CONCURRENCY copies of that server (one per core by default) sharing the port through
// node:cluster: the primary process starts, replaces and stops them and loads nothing of Next
// (supervise() below); WEB_CONCURRENCY=1 is one process and no primary, and the development server
// is always one (Next's compiler, and the API's rebuilt on every change). SIGTERM or SIGINT drains:
// no new connections, the requests in progress answered, then exit (drain() below).
//   PORT (3000), HOSTNAME (0.0.0.0), TRUST_PROXY (0), WEB_CONCURRENCY (cores), from the environment
//   or the .env files.
import cluster from 'node:cluster';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { apiBundle, devApiBundle, watchApi } from './api-bundle.mjs';
import { withPageCache } from './page-cache.mjs';

const dev = process.argv.includes('--dev');
// As `next dev` and `next start` set it, before anything reads it.
process.env.NODE_ENV ??= dev ? 'development' : 'production';

// Next loads the .env files inside next() below, after these settings are read. This is its own
// copy of @next/env (resolved from next), so Next then finds them loaded.
createRequire(import.meta.resolve('next'))('@next/env').loadEnvConfig(process.cwd(), dev);

// An empty setting (as .env.example leaves them) means "not set".
const port = Number(process.env.PORT || 3000);
const hostname = process.env.HOSTNAME || '0.0.0.0';
const trustedHops = Number(process.env.TRUST_PROXY || 0);
if (!Number.isInteger(trustedHops) || trustedHops < 0 || trustedHops > 10) {
  console.error('Gatehouse cannot start: TRUST_PROXY must be the number of proxies in front of it (0–10).');
  process.exit(1);
}
const MAX_PROCESSES = 64;
const concurrency = process.env.WEB_CONCURRENCY;
const processes = dev ? 1 : concurrency ? (/^\d+$/.test(concurrency) ? Number(concurrency) : NaN) : Math.min(os.availableParallelism(), MAX_PROCESSES);
if (!(processes >= 1 && processes <= MAX_PROCESSES)) {
  console.error(`Gatehouse cannot start: WEB_CONCURRENCY must be the number of server processes to run (1–${MAX_PROCESSES}).`);
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

/** The headers as sent, less Next's internal ones, with X-Forwarded-For as settled (clientIp). */
function settledRawHeaders(raw, forwardedFor) {
  const settled = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (name !== 'x-forwarded-for' && !INTERNAL_HEADER.test(name)) settled.push(raw[i], raw[i + 1]);
  }
  settled.push('X-Forwarded-For', forwardedFor);
  return settled;
}

/** Why the request is answered here, not by the API or Next, as [status, body, content type]; or null. */
function refusal(req, pathname) {
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

/** How long requests in progress get to finish once asked to stop; then the process ends anyway. */
const DRAIN_MS = 10_000;
const publicUrl = `http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${port}`;

/**
 * The API's router: the built file, or in development a copy rebuilt on every change (each request
 * goes to the newest; the database and the hashing threads outlive a rebuild on globalThis).
 */
async function loadApi() {
  if (!dev) return import(pathToFileURL(apiBundle).href);
  let current;
  let version = 0;
  let loading = Promise.resolve();
  await watchApi(() => {
    version += 1;
    const url = `${pathToFileURL(devApiBundle).href}?v=${version}`;
    loading = import(url).then((module) => {
      if (version > 1) console.log('Gatehouse: the API was rebuilt.');
      current = module;
    });
  });
  await loading;
  return {
    handleApi: (req, res) => current.handleApi(req, res),
    deferredWorkDone: () => current.deferredWorkDone(),
    hardeningHeaders: () => current.hardeningHeaders(),
  };
}

/** What each worker runs, or the whole server with WEB_CONCURRENCY=1: the API and Next behind the checks above. */
async function serve() {
  let app;
  let api;
  let server;
  let draining = false;
  /** Answers not yet sent in full: they close their connection once sent when a drain begins. */
  const inProgress = new Set();

  // Stop accepting, answer what is in progress (closing each connection after its answer), close
  // the idle kept-alive connections now, wait for what Next runs after its answers (`after()`),
  // close the database (PostgreSQL's pool ends its sessions cleanly), exit.
  function drain() {
    if (draining) return;
    draining = true;
    if (!server?.listening) process.exit(0);
    // In a worker, the primary has said so once for all of them.
    if (!cluster.isWorker) console.log('Gatehouse is stopping: finishing the requests in progress.');
    for (const res of inProgress) if (!res.headersSent) res.setHeader('Connection', 'close');
    server.close(async () => {
      await app.close();
      // Mail the API's answers promised, sent after them.
      await api.deferredWorkDone();
      // Opened by the app's code in this process (lib/db/client.ts keeps it on globalThis, which
      // this file shares with Next's handlers), if any request opened it.
      await globalThis.gatehouseStore?.close().catch(() => {});
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => {
      console.error(`Gatehouse: requests still in progress after ${DRAIN_MS / 1000} s; stopping without them.`);
      process.exit(1);
    }, DRAIN_MS).unref();
  }
  process.on('SIGTERM', drain);
  process.on('SIGINT', drain);

  const { default: next } = await import('next');
  app = next({ dev, hostname, port });
  // Next first: it reads the configuration, which refuses to start without a secret in production
  // and makes one for development.
  await app.prepare();
  api = await loadApi();
  // The hardening headers every answer carries (HSTS too, over HTTPS), for the refusals given here
  // and the account page's redirect to the 503 page.
  const hardening = api.hardeningHeaders();
  const handlePage = dev ? app.getRequestHandler() : withPageCache(app.getRequestHandler(), { personalKey: api.personalCopyKey, hardening });

  server = http.createServer((req, res) => {
    // A request on a kept-alive connection after the drain began: answered, and the connection ends.
    if (draining) res.setHeader('Connection', 'close');
    const pathname = pathOf(req.url);
    const refused = refusal(req, pathname);
    if (refused) {
      const [status, body, type = 'text/html; charset=utf-8'] = refused;
      res.writeHead(status, { ...hardening, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
      res.end(body);
      return;
    }
    for (const name of Object.keys(req.headers)) if (INTERNAL_HEADER.test(name)) delete req.headers[name];
    const header = req.headers['x-forwarded-for'];
    req.headers['x-forwarded-for'] = clientIp(Array.isArray(header) ? header.join(',') : header, req.socket.remoteAddress, trustedHops);
    // Next reads the parsed headers; the API's adapter reads those and, for some names or once it
    // has copied them all, the list as it came (rawHeaders): both must say the same.
    if (pathname.startsWith('/api/')) req.rawHeaders = settledRawHeaders(req.rawHeaders, req.headers['x-forwarded-for']);
    inProgress.add(res);
    res.once('close', () => inProgress.delete(res));
    // A body Next stopped reading part-way (the API's cap on a chunked body) leaves the connection
    // where Node reads no further request from it: end it after the answer, or a client's next
    // request on it would wait for the keep-alive timeout and a reset. While draining, end every
    // connection after its answer (one whose headers went out before the drain began is still open).
    const { socket } = req;
    res.once('finish', () => {
      if (draining || (req.destroyed && !req.complete)) socket.end();
    });
    if (pathname.startsWith('/api/')) {
      // The router matches the path as sent; it is given the path checked here (dot segments
      // resolved, as Next does).
      if (req.url.includes('/.')) req.url = pathname + new URL(req.url, 'http://localhost').search;
      api.handleApi(req, res);
    } else handlePage(req, res);
  });
  server.listen(port, hostname, () => {
    // A signal that came while Next was starting.
    if (draining) process.exit(0);
    // With workers, the primary says it once for all of them.
    if (!cluster.isWorker) console.log(`Gatehouse listening on ${publicUrl}`);
  });
}

/** A worker that dies this soon after it started, or before it listened, failed to start. */
const QUICK_MS = 5_000;
/** Failed starts in a row after which the primary stops rather than keep starting workers. */
const QUICK_FAILURES = 3;

/**
 * The primary: starts one worker, and the others once it listens (so one process migrates a new
 * SQLite file; several at once would race to create its tables); replaces a worker that dies;
 * on SIGTERM or SIGINT asks each to drain, and exits when all are gone.
 * A worker's stderr passes through here: until it listens it is held back, so a worker that fails
 * to start again and again (a bad setting) shows its error once, not once per attempt.
 */
function supervise(count) {
  cluster.setupPrimary({ stdio: ['inherit', 'inherit', 'pipe', 'ipc'] });
  const workers = new Set();
  const roles = new Map();
  const replacements = new Set();
  let othersStarted = false;
  let listening = 0;
  let quickFailures = 0;
  let lastStartError = '';
  let stopping = false;
  let exitCode = 0;

  /** `housekeeper`: the one worker that runs the hourly retention job and prints start-up notices. */
  function start(housekeeper) {
    // Each worker knows how many share the machine (it sizes its password-hashing threads by it).
    const worker = cluster.fork({ WEB_CONCURRENCY: String(processes), GATEHOUSE_HOUSEKEEPER: housekeeper ? '1' : '0' });
    roles.set(worker, housekeeper);
    workers.add(worker);
    const startedAt = Date.now();
    let listened = false;
    /** Its stderr until it listens. */
    let held = [];
    worker.process.stderr.on('data', (chunk) => (held ? held.push(chunk) : process.stderr.write(chunk)));
    worker.once('listening', () => {
      for (const chunk of held) process.stderr.write(chunk);
      held = null;
      listened = true;
      lastStartError = '';
      setTimeout(() => {
        if (!worker.isDead()) quickFailures = 0;
      }, QUICK_MS).unref();
      if (!othersStarted) {
        othersStarted = true;
        for (let i = 1; i < count; i += 1) start(false);
      }
      listening += 1;
      // Once: replacements count too, so this number only grows.
      if (listening === count) console.log(`Gatehouse listening on ${publicUrl} (${count} workers)`);
    });
    // 'close', not 'exit': by then its stderr has been read to the end.
    worker.process.once('close', (code, signal) => {
      workers.delete(worker);
      const startError = held ? Buffer.concat(held).toString() : '';
      if (startError && startError !== lastStartError) process.stderr.write(startError);
      if (startError) lastStartError = startError;
      gone(worker, code, signal, !listened || Date.now() - startedAt < QUICK_MS);
    });
  }

  function gone(worker, code, signal, quick) {
    if (stopping) {
      if (code !== 0 && signal !== 'SIGTERM') exitCode = 1;
      if (workers.size === 0) process.exit(exitCode);
      return;
    }
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const failedCode = typeof code === 'number' && code !== 0 ? code : 1;
    // The first one never got going: no other would (the same build, settings and database).
    if (!othersStarted) {
      if (signal) console.error(`Gatehouse cannot start: its first worker ${how}.`);
      process.exit(failedCode);
    }
    quickFailures = quick ? quickFailures + 1 : 0;
    if (quickFailures >= QUICK_FAILURES) {
      console.error(`Gatehouse is stopping: ${quickFailures} workers in a row ended within ${QUICK_MS / 1000} s of starting (the last ${how}).`);
      stop(failedCode);
      return;
    }
    console.error(`Gatehouse: worker ${worker.process.pid} ${how}; starting another.`);
    // Straight away after a long life; a little later after each failed start.
    // The replacement takes over the role of the one it replaces.
    const housekeeper = roles.get(worker);
    roles.delete(worker);
    const timer = setTimeout(() => {
      replacements.delete(timer);
      start(housekeeper);
    }, quickFailures * 1000);
    replacements.add(timer);
  }

  function stop(code) {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    for (const timer of replacements) clearTimeout(timer);
    if (workers.size === 0) process.exit(exitCode);
    if (code === 0) console.log('Gatehouse is stopping: finishing the requests in progress.');
    for (const worker of workers) worker.process.kill('SIGTERM');
    // Each worker gives up by itself after DRAIN_MS; this is for one that can't even do that.
    setTimeout(() => {
      console.error(`Gatehouse: ${workers.size} worker(s) still running ${DRAIN_MS / 1000 + 2} s after the stop; killing them.`);
      for (const worker of workers) worker.process.kill('SIGKILL');
      exitCode = 1;
    }, DRAIN_MS + 2_000);
  }

  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  start(true);
}

if (cluster.isPrimary && processes > 1) supervise(processes);
else await serve();
