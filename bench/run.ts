// `npm run bench` — load scenarios against the production build, plus the raw cost of the pieces.
// `npm run bench -- --smoke` runs a hundred requests per scenario so the script can't rot (part
// of `npm test`); timings are printed, never asserted — only failures (5xx, socket errors, wrong
// statuses) fail it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import autocannon, { type Options, type Result } from 'autocannon';
import bcrypt from 'bcryptjs';
import { startNginx } from '../tests/support/nginx';
import { startPostgres } from '../tests/support/postgres';
import { ensureBuild, root, startServer, type Server } from '../tests/e2e/support/server';
import { flaskPeerAvailable, startBaseline, startFlaskPeer, type Peer } from './peers';

const smoke = process.argv.includes('--smoke');
/** `--db sqlite|postgres`, `--workers N` (WEB_CONCURRENCY of each instance), `--instances N` (behind nginx; PostgreSQL). */
const option = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
};
const INSTANCES = Number(option('instances', '1'));
const ENGINE = option('db', INSTANCES > 1 ? 'postgres' : 'sqlite');
const WORKERS = Number(option('workers', '1'));
/** `--scaling`: one worker against one per core, side by side in one run (see scalingRun). */
const SCALING = process.argv.includes('--scaling');
/** `--engines`: GET /api/v1/me on SQLite against PostgreSQL, side by side in one run (see enginesRun). */
const ENGINES = process.argv.includes('--engines');
if (
  !['sqlite', 'postgres'].includes(ENGINE) ||
  !(WORKERS >= 1) ||
  !(INSTANCES >= 1) ||
  (INSTANCES > 1 && ENGINE !== 'postgres') ||
  (SCALING && (INSTANCES > 1 || process.argv.includes('--workers'))) ||
  (ENGINES && (SCALING || ['--db', '--workers', '--instances'].some((flag) => process.argv.includes(flag))))
) {
  console.error(
    'usage: npm run bench -- [--smoke] [--db sqlite|postgres] [--workers N] [--instances N (needs --db postgres)]\n' +
      '       npm run bench -- --scaling [--smoke] [--db sqlite|postgres]\n' +
      '       npm run bench -- --engines [--smoke]',
  );
  process.exit(2);
}
const COST = Number(process.env.BCRYPT_COST ?? 11);
const SEED_USERS = smoke ? 20 : 300;
/** Enough for every status and check to show. */
const SMOKE_REQUESTS = 100;
/** A smoke run's hashing-bound POSTs: two per connection (a hundred would take five seconds a scenario). */
const smokeBound = (options: Load): Partial<Options> => ({ amount: options.method === 'POST' ? 2 * (options.connections ?? 10) : SMOKE_REQUESTS });
const PASSWORD = 'benchmark passphrase 1';
const cores = os.availableParallelism();

type Scenario = {
  name: string;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  peakRssMb: number;
};

/**
 * GET /api/v1/me on one worker before the API had its own router (issue 15): the best of the
 * three runs of 2026-12-02 (bench/results/run-2026-12-02T22-41-21-995Z.json).
 */
const ME_BEFORE_ROUTER = 924;

/** What the load goes to: one server, or several behind nginx, on one database. */
type Target = {
  baseUrl: string;
  /** The processes that answer: each server's workers (or the server itself when it has none). */
  pids(): number[];
  databaseUrl: string;
  authSecret: string;
  stop(): Promise<void>;
};

/** A process's children (a cluster's workers). */
/** The processes that answer for a server: its workers, or itself when it runs alone. */
function processesOf(server: Server): number[] {
  const workers = childrenOf(server.pid);
  return workers.length > 0 ? workers : [server.pid];
}

function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * The servers, one database. Normally INSTANCES servers of WORKERS workers, behind nginx when
 * there are several; `workersEach` starts one server per entry instead, each its own target.
 */
async function startTargets(env: Record<string, string>, workersEach?: number[]): Promise<Target[]> {
  const cluster = ENGINE === 'postgres' ? await startPostgres() : null;
  const authSecret = randomBytes(32).toString('base64url');
  const shared = { ...env, AUTH_SECRET: authSecret, WEB_CONCURRENCY: String(WORKERS), ...(cluster ? { DATABASE_URL: cluster.url } : {}) };
  const shapes = workersEach ?? Array.from({ length: INSTANCES }, () => WORKERS);
  // The first server makes the database (a SQLite file in its data folder); the others share it.
  const first = await startServer({ ...shared, WEB_CONCURRENCY: String(shapes[0]) });
  const databaseUrl = cluster?.url ?? path.join(first.dataDir, 'app.db');
  const servers = [
    first,
    ...(await Promise.all(shapes.slice(1).map((workers) => startServer({ ...shared, DATABASE_URL: databaseUrl, WEB_CONCURRENCY: String(workers) })))),
  ];
  const proxy = !workersEach && INSTANCES > 1 ? await startNginx(servers.map((s) => s.baseUrl)) : null;
  const pidsOf = (of: Server[]) => () => of.flatMap(processesOf);
  const stop = async () => {
    await proxy?.stop();
    await Promise.all(servers.map((s) => s.stop()));
    await cluster?.stop();
  };
  if (!workersEach) return [{ baseUrl: proxy?.url ?? first.baseUrl, pids: pidsOf(servers), databaseUrl, authSecret, stop }];
  // Stopping any target stops them all: they share the database.
  return servers.map((server) => ({ baseUrl: server.baseUrl, pids: pidsOf([server]), databaseUrl, authSecret, stop }));
}

function rssMb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

let octets = 0;
const clientIp = () => {
  octets += 1;
  return `10.${(octets >> 16) & 255}.${(octets >> 8) & 255}.${octets & 255}`;
};

type Load = Omit<Partial<Options>, 'url'> & { path: string };
/** Gatehouse, or a peer it is measured against (bench/peers.ts). */
type Answering = Pick<Peer, 'baseUrl' | 'pids'>;

/**
 * One load. autocannon times each response with hrtime but keeps whole milliseconds in its
 * histogram (a p50 of 1.9 ms reads 1), which made the latency ratios (p99 ÷ p50) a matter of
 * rounding once answers took a millisecond or two: the percentiles are taken from its
 * per-response times instead, every status counted, as its histogram does.
 */
async function cannon(server: Answering, { path: urlPath, ...options }: Load, bound: Partial<Options>): Promise<Result> {
  const times: number[] = [];
  // autocannon ends a run at its next sample, once a second by default: a smoke run's hundred
  // requests would each take a whole second.
  const sampling = smoke ? { sampleInt: 50 } : {};
  // Without a callback it is both: the tracker (an event emitter) and the promise of the result.
  const instance = autocannon({ url: `${server.baseUrl}${urlPath}`, connections: 10, ...sampling, ...options, ...bound } as Options) as Promise<Result> & autocannon.Instance;
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => times.push(responseTime));
  const result = await instance;
  if (times.length === 0) return result;
  times.sort((a, b) => a - b);
  const percentile = (q: number) => Math.round(times[Math.max(0, Math.ceil(q * times.length) - 1)]! * 100) / 100;
  return { ...result, latency: { ...result.latency, p50: percentile(0.5), p90: percentile(0.9), p99: percentile(0.99) } };
}

/** Debian's wrk: the scaling run's load generator when installed (see scalingRun). */
const WRK = process.env.WRK_PATH ?? '/usr/bin/wrk';
const MS_PER = { us: 0.001, ms: 1, s: 1000, m: 60_000 } as Record<string, number>;

/** wrk's report. A smoke run's script (bench/wrk-statuses.lua) says when its requests are answered; SIGINT makes wrk report then. */
function wrk(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(WRK, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (stderr.includes('answered\n')) child.kill('SIGINT');
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`wrk exited with ${code}:\n${stdout}${stderr}`))));
  });
}

/**
 * One load from wrk, on one thread, in the terms summarise() reads: req/s over the run, the
 * latency percentiles (`--latency`), and every response's status (bench/wrk-statuses.lua).
 */
async function wrkLoad(server: Answering, { path: urlPath, headers = {}, connections = 10 }: Load, seconds: number): Promise<Result> {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', path.join(root, 'bench/wrk-statuses.lua')];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  const stdout = await wrk([...args, `${server.baseUrl}${urlPath}`, ...(smoke ? ['--', String(SMOKE_REQUESTS)] : [])]);
  const run = /(\d+) requests in ([\d.]+)(us|ms|s|m)\b/.exec(stdout);
  if (!run) throw new Error(`wrk said nothing of its requests:\n${stdout}`);
  const total = Number(run[1]);
  const duration = (Number(run[2]) * MS_PER[run[3]!]!) / 1000;
  const percentile = (q: number) => {
    const line = new RegExp(`^\\s+${q}%\\s+([\\d.]+)(us|ms|s|m)$`, 'm').exec(stdout);
    return line ? Math.round(Number(line[1]) * MS_PER[line[2]!]! * 100) / 100 : 0;
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout)?.slice(1).map(Number) ?? [0, 0, 0, 0];
  const statusCodeStats = Object.fromEntries([...stdout.matchAll(/^status (\d+) (\d+)$/gm)].map(([, code, count]) => [code, { count: Number(count) }]));
  return {
    requests: { total, average: total / duration },
    duration,
    latency: { p50: percentile(50), p90: percentile(90), p99: percentile(99) },
    statusCodeStats,
    errors: socket[0]! + socket[1]! + socket[2]!,
    timeouts: socket[3]!,
  } as unknown as Result;
}

const WARM_UP_LIMIT_MS = 30_000;

/**
 * Unmeasured first: Next loads a route's code on its first request and V8 compiles the hot paths
 * over the next few hundred, so without this the first scenario would pay for everyone's warm-up.
 * Every answering process warms up separately and gets about 1/N of the connections, so the first
 * part lasts N times as long; and with every core busy V8's compiler threads get less time, so
 * it goes on until a two-second slice is no faster than the one before it.
 */
async function warmUp(server: Answering, options: Load) {
  const answering = server.pids().length;
  if (smoke) {
    // A request per connection: the smoke run checks that the scenarios run, not their speed.
    await cannon(server, options, { amount: Math.max(answering, options.connections ?? 10) });
    return;
  }
  const started = Date.now();
  await cannon(server, options, { duration: 3 * answering });
  let previous = 0;
  while (Date.now() - started < WARM_UP_LIMIT_MS) {
    const { requests } = await cannon(server, options, { duration: 2 });
    if (requests.average <= previous * 1.05) break;
    previous = requests.average;
  }
  // The load generator stops mid-flight; let the server finish what it was sent (a queue of
  // password hashes takes a second) so the measured run doesn't start behind.
  await new Promise((resolve) => setTimeout(resolve, 2000));
}

/** Merges measured slices of one scenario: req/s over the whole time, median of the slices' percentiles. */
function summarise(name: string, slices: Result[], peakRssMb: number): Scenario {
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const statuses: Record<string, number> = {};
  for (const slice of slices) {
    for (const [code, count] of Object.entries(slice.statusCodeStats ?? {})) statuses[code] = (statuses[code] ?? 0) + (count as { count: number }).count;
  }
  const total = (pick: (r: Result) => number) => slices.reduce((sum, r) => sum + pick(r), 0);
  return {
    name,
    rps: Math.round(total((r) => r.requests.total) / total((r) => r.duration)),
    p50: median(slices.map((r) => r.latency.p50)),
    p90: median(slices.map((r) => r.latency.p90)),
    p99: median(slices.map((r) => r.latency.p99)),
    statuses,
    errors: total((r) => r.errors),
    timeouts: total((r) => r.timeouts),
    peakRssMb: Math.round(peakRssMb),
  };
}

/** The work's result, and the most memory any one answering process held meanwhile. */
async function withPeakRss<T>(server: Answering, work: () => Promise<T>): Promise<{ result: T; peakRssMb: number }> {
  const sample = () => Math.max(...server.pids().map(rssMb));
  let peak = sample();
  const sampler = setInterval(() => (peak = Math.max(peak, sample())), 100);
  try {
    return { result: await work(), peakRssMb: peak };
  } finally {
    clearInterval(sampler);
  }
}

async function load(server: Target, name: string, options: Load): Promise<Scenario> {
  await warmUp(server, options);
  const { result, peakRssMb } = await withPeakRss(server, () => cannon(server, options, smoke ? smokeBound(options) : { duration: 10 }));
  return summarise(name, [result], peakRssMb);
}

/**
 * Scenarios compared with each other (the ratio targets) run in alternating slices: this machine's
 * speed drifts by 10–20 % from one ten-second window to the next, which one window each would
 * report as a difference between the routes.
 */
type Slice = (target: Answering, options: Load) => Promise<Result>;
const autocannonSlice: Slice = (target, options) => cannon(target, options, smoke ? smokeBound(options) : { duration: 2 });
const wrkSlice: Slice = (target, options) => wrkLoad(target, options, smoke ? 1 : 2);

/** wrk when it is installed, else autocannon, saying so: see scalingRun. */
function loadGenerator(): { generator: 'wrk' | 'autocannon'; slice: Slice } {
  if (fs.existsSync(WRK)) return { generator: 'wrk', slice: wrkSlice };
  console.log(`  (${WRK} is not installed, so the ratios below understate the server's: apt-get install wrk)`);
  return { generator: 'autocannon', slice: autocannonSlice };
}

async function interleaved(server: Answering, entries: [string, Load, Answering?][], slice = autocannonSlice): Promise<Scenario[]> {
  for (const [, options, target = server] of entries) await warmUp(target, options);
  const slices = entries.map(() => [] as Result[]);
  const peaks = entries.map(() => 0);
  for (let round = 0; round < (smoke ? 1 : 5); round += 1) {
    for (const [i, [, options, target = server]] of entries.entries()) {
      const { result, peakRssMb } = await withPeakRss(target, () => slice(target, options));
      slices[i]!.push(result);
      peaks[i] = Math.max(peaks[i]!, peakRssMb);
    }
  }
  return entries.map(([name], i) => summarise(name, slices[i]!, peaks[i]!));
}

/** Hashing-bound POSTs: a new JSON body per request, each from a client address of its own. */
function jsonPosts(urlPath: string, body: () => unknown): Load {
  return {
    method: 'POST',
    path: urlPath,
    connections: cores * 4,
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => ({ ...request, headers: { ...request.headers, 'x-forwarded-for': clientIp() }, body: JSON.stringify(body()) }),
      },
    ],
  };
}

async function post(server: Pick<Target, 'baseUrl'>, p: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.baseUrl}${p}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': clientIp(), ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

const person = (i: number, tag: string) => ({
  firstName: 'Bench',
  lastName: `User${i}`,
  dateOfBirth: '1990-01-01',
  username: `bench${tag}${i}`,
  email: `bench${tag}${i}@example.com`,
  password: PASSWORD,
});

/**
 * One user through the API, then the rest as rows sharing that user's password hash, written by
 * the app's own data layer on the target's database (either engine).
 */
async function seed(server: Target): Promise<string[]> {
  const first = person(0, 'seed');
  // 202: EMAIL_VERIFICATION=required (the default); the accounts are then marked verified, as
  // their code would, so they can log in.
  const created = await post(server, '/api/v1/auth/register', first);
  if (created.status !== 202) throw new Error(`seeding failed: ${created.status} ${JSON.stringify(created.body)}`);
  const { getDb, getTables } = await import('../lib/db/client');
  const { users } = getTables();
  const { eq } = await import('drizzle-orm');
  const [{ hash }] = (await getDb().select({ hash: users.passwordHash }).from(users).where(eq(users.username, first.username))) as [{ hash: string }];
  const now = new Date();
  await getDb().update(users).set({ emailVerifiedAt: now }).where(eq(users.username, first.username));
  const rows = Array.from({ length: SEED_USERS - 1 }, (_, i) => {
    const { password: _password, ...p } = person(i + 1, 'seed');
    return { ...p, passwordHash: hash, emailVerifiedAt: now, createdAt: now, updatedAt: now };
  });
  await getDb().insert(users).values(rows);
  return Array.from({ length: SEED_USERS }, (_, i) => person(i, 'seed').username);
}

function micro(token: string, sessionId: string, userId: number) {
  return (async () => {
    const times: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const start = performance.now();
      bcrypt.hashSync(PASSWORD, COST);
      times.push(performance.now() - start);
    }
    const hashMs = times.sort((a, b) => a - b)[1]!;

    // Pages, actions and the API verify with node:crypto (token-node.ts); the Edge middleware, in
    // front of pages only, with Web Crypto (token.ts). Same rules, two HMACs.
    // A token seen before is answered from memory (token.ts): "first sight" verifies tokens
    // never seen, "again" the same one over and over, as a browser or API client sends it.
    const { verifySessionToken } = await import('../lib/auth/token-node');
    const { verifySessionTokenOnEdge: edgeVerify, signSessionToken } = await import('../lib/auth/token');
    const n = smoke ? 2000 : 20000;
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    const unseen = async (count: number) =>
      Promise.all(Array.from({ length: count }, (_, i) => signSessionToken({ sub: claims.sub, sid: `${claims.sid}-${i}`, username: claims.username }, 'api')));
    const perCallUs = async (verify: typeof verifySessionToken, tokens: string[]) => {
      for (let i = 0; i < 500; i += 1) await verify(token, 'api');
      const start = performance.now();
      for (const each of tokens) await verify(each, 'api');
      return ((performance.now() - start) * 1000) / tokens.length;
    };
    const again = Array.from({ length: n }, () => token);
    const verifyUs = await perCallUs(verifySessionToken, await unseen(n));
    const verifyAgainUs = await perCallUs(verifySessionToken, again);
    const edgeVerifyUs = await perCallUs(edgeVerify, await unseen(n));

    const { findLiveSession } = await import('../lib/db/queries/sessions');
    const start = performance.now();
    for (let i = 0; i < n; i += 1) await findLiveSession(sessionId, userId, new Date());
    const lookupUs = ((performance.now() - start) * 1000) / n;
    const tenth = (x: number) => Math.round(x * 10) / 10;
    return { hashMs: tenth(hashMs), verifyUs: tenth(verifyUs), verifyAgainUs: tenth(verifyAgainUs), edgeVerifyUs: tenth(edgeVerifyUs), lookupUs: tenth(lookupUs) };
  })();
}

/** Every scenario answered only what it should, without socket errors or timeouts. */
function failuresOf(scenarios: Scenario[], expected: (name: string) => number): string[] {
  const failures: string[] = [];
  for (const s of scenarios) {
    const wrong = Object.entries(s.statuses).filter(([code]) => Number(code) !== expected(s.name));
    if (s.errors > 0 || s.timeouts > 0) failures.push(`${s.name}: ${s.errors} socket errors, ${s.timeouts} timeouts`);
    if (wrong.length > 0) failures.push(`${s.name}: unexpected statuses ${JSON.stringify(Object.fromEntries(wrong))}`);
  }
  return failures;
}

type Check = { what: string; value: number; ok: boolean };

function printAndSave(kind: string, shape: object, scenarios: Scenario[], checks: Check[], extra: object, failures: string[]) {
  console.log('');
  console.table(
    scenarios.map((s) => ({ scenario: s.name, 'req/s': s.rps, 'p50 ms': s.p50, 'p90 ms': s.p90, 'p99 ms': s.p99, statuses: JSON.stringify(s.statuses), errors: s.errors, timeouts: s.timeouts, 'peak RSS MB': s.peakRssMb })),
  );
  for (const c of checks) console.log(`${c.ok ? 'MEETS' : 'MISSES'}  ${c.what}: ${Number(c.value.toFixed(2))}`);
  const out = path.join(root, 'bench/results');
  fs.mkdirSync(out, { recursive: true });
  const file = path.join(out, `${smoke ? 'smoke' : kind}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(
    file,
    JSON.stringify({ at: new Date().toISOString(), smoke, shape, machine: { cores, cpu: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version }, bcryptCost: COST, scenarios, checks, ...extra }, null, 2),
  );
  console.log(`Results: ${path.relative(root, file)}`);
  if (failures.length > 0) {
    console.error(`\nFailures:\n${failures.join('\n')}`);
    process.exitCode = 1;
  }
}

function reporter(scenarios: Scenario[]) {
  return (result: Scenario) => {
    scenarios.push(result);
    console.log(`  ${result.name}: ${result.rps} req/s, p99 ${result.p99} ms`);
    return result;
  };
}

/** A signed-in user of the seeded database: an API token, a tampered copy, a browser cookie. */
async function signedIn(server: Target, username: string) {
  const login = await post(server, '/api/v1/auth/token', { login: username, password: PASSWORD });
  if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
  const token: string = login.body.access_token;
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
  // A browser carries a token of the browser's kind for the same session (an API token is refused
  // as a cookie), as the login form would have set it. A run lasts longer than a token goes
  // without renewal (five minutes): a browser takes the renewed one the page sends, so the cookie
  // is signed anew each minute, and read by each load as it starts.
  const { signSessionToken } = await import('../lib/auth/token');
  const browserCookie = async () =>
    `__Host-gatehouse.session=${await signSessionToken({ sub: claims.sub, sid: claims.sid, username: claims.username }, 'browser')}`;
  let cookie = await browserCookie();
  setInterval(async () => (cookie = await browserCookie()), 60_000).unref();
  return {
    token,
    claims,
    bearer: { authorization: `Bearer ${token}` },
    tamperedBearer: { authorization: `Bearer ${token.slice(0, -3)}${token.endsWith('AAA') ? 'BBB' : 'AAA'}` },
    sessionCookie: {
      get cookie() {
        return cookie;
      },
    },
  };
}

const SERVER_ENV = {
  BCRYPT_COST: String(COST),
  // Each simulated visitor is a client of its own (one trusted proxy hop, X-Forwarded-For).
  TRUST_PROXY: '1',
  // Login storms are the point of scenarios 5 and 6: their budgets are raised; all other limits stay.
  RATE_LIMIT_LOGIN_ACCOUNT: '100000000/900',
  RATE_LIMIT_LOGIN_IP: '100000000/900',
  // Behind nginx every request comes from one client, the load generator: nginx replaces its
  // X-Forwarded-For with the address it saw (deploy/nginx), as it must for real clients.
  ...(INSTANCES > 1 ? { RATE_LIMIT_REGISTER_IP: '100000000/3600' } : {}),
};

/** This process reads and writes the targets' database through the app's own modules. */
function useDatabaseOf(target: Target) {
  process.env.AUTH_SECRET = target.authSecret;
  process.env.DATABASE_URL = target.databaseUrl;
}

async function main() {
  // --build: build even when the last build looks fresh.
  ensureBuild('inherit', process.argv.includes('--build'));
  if (SCALING) return scalingRun();
  if (ENGINES) return enginesRun();
  const [server] = (await startTargets(SERVER_ENV)) as [Target];
  useDatabaseOf(server);
  const peers: Peer[] = [];
  try {
    const usernames = await seed(server);
    const { token, claims, bearer, tamperedBearer, sessionCookie } = await signedIn(server, usernames[0]!);

    const scenarios: Scenario[] = [];
    const report = reporter(scenarios);
    const run = async (name: string, options: Load) => report(await load(server, name, options));

    const shape = `${ENGINE}, ${INSTANCES} instance${INSTANCES > 1 ? 's behind nginx' : ''} × ${WORKERS} worker${WORKERS > 1 ? 's' : ''}`;
    console.log(`Gatehouse benchmark${smoke ? ' (smoke)' : ''}: ${cores} cores, ${shape}, bcrypt cost ${COST}, ${SEED_USERS} users`);
    // The ceiling of the API's pieces on this database (SQLite only), and the Flask app Gatehouse
    // replaces when it can run here (not in smoke runs: CI doesn't install it).
    const baseline = ENGINE === 'sqlite' ? await startBaseline(server.databaseUrl) : null;
    const flask = !smoke && flaskPeerAvailable() ? await startFlaskPeer() : null;
    if (!flask && !smoke) console.log('  (the Flask seed peer is not installed here: its comparison is left out)');
    peers.push(...[baseline, flask].filter((peer) => peer !== null));
    const at32 = { connections: 32 };
    // In turns, so the ratios between them (the targets below) compare the same moments of a
    // machine whose speed drifts.
    const measured = (await interleaved(server, [
      ['0 baseline: GET /api/health', { path: '/api/health' }],
      ['3 GET /api/v1/me (bearer)', { path: '/api/v1/me', headers: bearer }],
      ['4 GET /api/v1/me (tampered token)', { path: '/api/v1/me', headers: tamperedBearer }],
      ['3 GET /api/v1/me (bearer, 32 connections)', { path: '/api/v1/me', headers: bearer, ...at32 }],
      ...(baseline ? [['0 bare Node: token check, lookup, JSON (32 connections)', { path: '/api/v1/me', headers: bearer, ...at32 }, baseline] as [string, Load, Answering]] : []),
      ...(flask ? [['0 Flask seed peer: GET /auth (32 connections)', { path: '/auth', headers: flask.auth, ...at32 }, flask] as [string, Load, Answering]] : []),
      ['1 public page: GET /', { path: '/' }],
      ['1 public page: GET /login', { path: '/login' }],
      ['1 public page: GET /register', { path: '/register' }],
      ['2 protected page: GET /account', { path: '/account', headers: sessionCookie }],
      // The connections of the public page's latency target.
      ['1 public page: GET / (32 connections)', { path: '/', ...at32 }],
    ])).map(report);
    const named = (name: string) => measured.find((s) => s.name === name);
    const scenario = (name: string) => named(name)!;
    const [health, me, refused, me32, home, loginPage, registerPage, account1, home32] = [
      '0 baseline: GET /api/health',
      '3 GET /api/v1/me (bearer)',
      '4 GET /api/v1/me (tampered token)',
      '3 GET /api/v1/me (bearer, 32 connections)',
      '1 public page: GET /',
      '1 public page: GET /login',
      '1 public page: GET /register',
      '2 protected page: GET /account',
      '1 public page: GET / (32 connections)',
    ].map(scenario) as [Scenario, Scenario, Scenario, Scenario, Scenario, Scenario, Scenario, Scenario, Scenario];
    const bare = named('0 bare Node: token check, lookup, JSON (32 connections)');
    const flaskAuth = named('0 Flask seed peer: GET /auth (32 connections)');
    let next = 0;
    const loginOptions = jsonPosts('/api/v1/auth/token', () => {
      next = (next + 1) % usernames.length;
      return { login: usernames[next], password: PASSWORD };
    });
    const logins = await run('5 logins: POST /api/v1/auth/token', loginOptions);
    const [, meDuringStorm] = await Promise.all([
      load(server, '5 (again, alongside 6)', loginOptions),
      load(server, '6 GET /api/v1/me during a login storm', { path: '/api/v1/me', headers: bearer }),
    ]);
    report(meDuringStorm);
    const [, loginPageDuringStorm] = await Promise.all([
      load(server, '5 (again, alongside 6b)', loginOptions),
      load(server, '6b GET /login during a login storm', { path: '/login' }),
    ]);
    report(loginPageDuringStorm);

    let registration = 0;
    const tag = `r${Date.now().toString(36)}`;
    await run('7 registrations: POST /api/v1/auth/register', jsonPosts('/api/v1/auth/register', () => person((registration += 1), tag)));
    const account2 = await run('2 again: GET /account (memory check)', { path: '/account', headers: sessionCookie });

    const pieces = await micro(token, claims.sid, Number(claims.sub));
    const hashingLimit = (cores * 1000) / pieces.hashMs;

    const expected: Record<string, number> = {
      '0 baseline: GET /api/health': 200,
      '0 bare Node: token check, lookup, JSON (32 connections)': 200,
      '0 Flask seed peer: GET /auth (32 connections)': 200,
      '3 GET /api/v1/me (bearer, 32 connections)': 200,
      '1 public page: GET /': 200,
      '1 public page: GET /login': 200,
      '1 public page: GET /register': 200,
      '1 public page: GET / (32 connections)': 200,
      '2 protected page: GET /account': 200,
      '3 GET /api/v1/me (bearer)': 200,
      '4 GET /api/v1/me (tampered token)': 401,
      '5 logins: POST /api/v1/auth/token': 200,
      '6 GET /api/v1/me during a login storm': 200,
      '6b GET /login during a login storm': 200,
      '7 registrations: POST /api/v1/auth/register': 202,
      '2 again: GET /account (memory check)': 200,
    };
    // Gatehouse's processes, not the peers'.
    const peakRss = Math.max(...scenarios.filter((s) => s !== bare && s !== flaskAuth).map((s) => s.peakRssMb));
    const checks: Check[] = [
      { what: `login throughput ≥ 80 % of the hashing limit (${hashingLimit.toFixed(1)}/s)`, value: logins.rps / hashingLimit, ok: logins.rps >= 0.8 * hashingLimit },
      { what: 'p99 of /me during a login storm ≤ 3 × at rest', value: meDuringStorm.p99 / Math.max(me.p99, 1), ok: meDuringStorm.p99 <= 3 * Math.max(me.p99, 1) },
      { what: 'one JWT verify (server) ≤ 50 µs', value: pieces.verifyUs, ok: pieces.verifyUs <= 50 },
      ...[home, loginPage, registerPage].map((page) => ({ what: `${page.name.slice(2)} ≥ 60 % of /api/health req/s`, value: page.rps / health.rps, ok: page.rps >= 0.6 * health.rps })),
      { what: '/account ≥ 40 % of /api/health req/s', value: account1.rps / health.rps, ok: account1.rps >= 0.4 * health.rps },
      // autocannon counts whole milliseconds: a median under one counts as one.
      { what: 'p99 of GET / at 32 connections ≤ 3 × its p50', value: home32.p99 / Math.max(home32.p50, 1), ok: home32.p99 <= 3 * Math.max(home32.p50, 1) },
      { what: 'p99 of /login during a login storm ≤ 3 × at rest', value: loginPageDuringStorm.p99 / Math.max(loginPage.p99, 1), ok: loginPageDuringStorm.p99 <= 3 * Math.max(loginPage.p99, 1) },
      { what: 'tampered-token refusals ≥ valid /me req/s', value: refused.rps / me.rps, ok: refused.rps >= me.rps },
      // Issue 15's targets: one worker against the pieces' ceiling and against /me before the
      // router; a worker per core against the Flask app it replaces.
      ...(bare && WORKERS === 1 ? [{ what: '/me at 32 connections ≥ 30 % of the bare Node baseline', value: me32.rps / bare.rps, ok: me32.rps >= 0.3 * bare.rps }] : []),
      ...(WORKERS === 1 && !smoke ? [{ what: `/me ≥ 5 × its ${ME_BEFORE_ROUTER} req/s before the router`, value: me.rps / ME_BEFORE_ROUTER, ok: me.rps >= 5 * ME_BEFORE_ROUTER }] : []),
      ...(flaskAuth ? [{ what: `/me at 32 connections (${WORKERS} worker${WORKERS > 1 ? 's' : ''}) ≥ 1.5 × the Flask seed peer (2 workers)${WORKERS === cores ? '' : ' [the target is for a worker per core]'}`, value: me32.rps / flaskAuth.rps, ok: me32.rps >= 1.5 * flaskAuth.rps }] : []),
      { what: 'peak RSS ≤ 300 MB', value: peakRss, ok: peakRss <= 300 },
      { what: 'no growth between two runs of scenario 2 (≤ +10 %)', value: account2.peakRssMb / account1.peakRssMb, ok: account2.peakRssMb <= account1.peakRssMb * 1.1 },
    ];
    console.log(`Pieces: bcrypt cost ${COST} ${pieces.hashMs} ms (hashing limit ${hashingLimit.toFixed(1)}/s on ${cores} cores), JWT verify ${pieces.verifyUs} µs at first sight, ${pieces.verifyAgainUs} µs again (Edge middleware, Web Crypto, first sight: ${pieces.edgeVerifyUs} µs), session lookup ${pieces.lookupUs} µs`);
    // The peer's own socket errors are its behaviour (gunicorn's sync workers close every
    // connection), shown in the table; they fail nothing of ours.
    const failures = failuresOf(scenarios.filter((s) => s !== flaskAuth), (name) => expected[name]!);
    printAndSave('run', { db: ENGINE, instances: INSTANCES, workers: WORKERS }, scenarios, checks, { pieces }, failures);
  } finally {
    await Promise.all(peers.map((peer) => peer.stop()));
    await stopAll(server);
  }
}

async function stopAll(target: Target) {
  const { closeStore } = await import('../lib/db/client');
  await closeStore();
  await target.stop();
}

/**
 * `--scaling`: a server of one worker and a server of one worker per core on one database, the
 * same routes measured on each in alternating slices. Two runs one after another compare two
 * moments of a machine whose speed drifts by 10–20 %; slices side by side compare the servers.
 * Only the server being measured has work; the other waits.
 *
 * The load comes from wrk when it is installed: the generator shares the cores with the workers,
 * and autocannon spends 40–55 µs of CPU on each answer (a quarter of what the server spends on
 * `/account`), so with it the ratio measures the generator as much as the server
 * (docs/performance.md).
 */
async function scalingRun() {
  const [single, many] = (await startTargets(SERVER_ENV, [1, cores])) as [Target, Target];
  useDatabaseOf(single);
  try {
    const usernames = await seed(single);
    const { bearer, sessionCookie } = await signedIn(single, usernames[0]!);
    const { generator, slice } = loadGenerator();
    console.log(`Gatehouse scaling benchmark${smoke ? ' (smoke)' : ''}: ${cores} cores, ${ENGINE}, 1 worker vs ${cores}, load from ${generator}`);
    const scenarios: Scenario[] = [];
    const report = reporter(scenarios);
    const pairs: [string, Load][] = [
      ['GET /api/v1/me (bearer)', { path: '/api/v1/me', headers: bearer }],
      ['protected page: GET /account', { path: '/account', headers: sessionCookie }],
    ];
    const measured = (await interleaved(
      single,
      pairs.flatMap(([name, options]) => [
        [`${name}, 1 worker`, options, single],
        [`${name}, ${cores} workers`, options, many],
      ] as [string, Load, Target][]),
      slice,
    )).map(report);
    const checks: Check[] = pairs.map(([name], i) => {
      const ratio = measured[2 * i + 1]!.rps / measured[2 * i]!.rps;
      return { what: `${name}: ${cores} workers ≥ 1.5 × one worker`, value: ratio, ok: ratio >= 1.5 };
    });
    const peakRss = Math.max(...scenarios.map((s) => s.peakRssMb));
    checks.push({ what: 'peak RSS ≤ 300 MB', value: peakRss, ok: peakRss <= 300 });
    printAndSave('scaling', { db: ENGINE, workers: [1, cores], generator }, scenarios, checks, {}, failuresOf(scenarios, () => 200));
  } finally {
    await stopAll(single);
  }
}

/**
 * `--engines`: GET /api/v1/me on SQLite and on PostgreSQL, with one worker and with one per core,
 * in alternating slices of one run (issue 13: PostgreSQL ≥ 60 % of SQLite). Four servers, each
 * on a database of its own (the PostgreSQL ones on one throw-away cluster on this machine) and
 * each with one person signed up and signed in through the API; only the one measured has work.
 * At 32 connections, the load of the main run's `/me` scenario, which the target is about; and at
 * 10, where fewer lookups wait together to share PostgreSQL's round trip (lib/db/queries/sessions.ts).
 * Load from wrk when it is installed, as for --scaling.
 */
async function enginesRun() {
  const cluster = await startPostgres();
  const servers: Server[] = [];
  try {
    const shapes = [
      ['SQLite', 1],
      ['PostgreSQL', 1],
      ['SQLite', cores],
      ['PostgreSQL', cores],
    ] as const;
    const targets = await Promise.all(
      shapes.map(async ([engine, workers], i) => {
        const server = await startServer({
          ...SERVER_ENV,
          EMAIL_VERIFICATION: 'off',
          WEB_CONCURRENCY: String(workers),
          AUTH_SECRET: randomBytes(32).toString('base64url'),
          ...(engine === 'PostgreSQL' ? { DATABASE_URL: await cluster.createDatabase() } : {}),
        });
        servers.push(server);
        const someone = person(i, 'engines');
        const created = await post(server, '/api/v1/auth/register', someone);
        if (created.status !== 201) throw new Error(`sign-up on ${engine} failed: ${created.status}`);
        const login = await post(server, '/api/v1/auth/token', { login: someone.username, password: PASSWORD });
        if (login.status !== 200) throw new Error(`login on ${engine} failed: ${login.status}`);
        const target: Answering = { baseUrl: server.baseUrl, pids: () => processesOf(server) };
        return { engine, workers, target, headers: { authorization: `Bearer ${login.body.access_token}` } };
      }),
    );
    const { generator, slice } = loadGenerator();
    console.log(`Gatehouse engines benchmark${smoke ? ' (smoke)' : ''}: ${cores} cores, SQLite vs PostgreSQL (on this machine), load from ${generator}`);
    const connectionCounts = [32, 10];
    const workersLabel = (workers: number) => `${workers} worker${workers > 1 ? 's' : ''}`;
    const entries = connectionCounts.flatMap((connections) =>
      targets.map(({ engine, workers, target, headers }): [string, Load, Answering] => [
        `GET /api/v1/me, ${engine}, ${workersLabel(workers)}, ${connections} connections`,
        { path: '/api/v1/me', headers, connections },
        target,
      ]),
    );
    const scenarios: Scenario[] = [];
    const report = reporter(scenarios);
    const measured = (await interleaved(targets[0]!.target, entries, slice)).map(report);
    // Per count, entries run SQLite, PostgreSQL (1 worker), then SQLite, PostgreSQL (one per core).
    const ratios = connectionCounts.map((connections, n) => ({
      connections,
      byWorkers: [0, 2].map((i) => ({ workers: shapes[i]![1], ratio: measured[n * 4 + i + 1]!.rps / measured[n * 4 + i]!.rps })),
    }));
    const checks: Check[] = ratios[0]!.byWorkers.map(({ workers, ratio }) => ({
      what: `/me on PostgreSQL ≥ 60 % of SQLite, ${workersLabel(workers)}, ${connectionCounts[0]} connections`,
      value: ratio,
      ok: ratio >= 0.6,
    }));
    const peakRss = Math.max(...scenarios.map((s) => s.peakRssMb));
    checks.push({ what: 'peak RSS ≤ 300 MB', value: peakRss, ok: peakRss <= 300 });
    console.log(`PostgreSQL ÷ SQLite at ${connectionCounts[1]} connections (for comparison): ${ratios[1]!.byWorkers.map(({ workers, ratio }) => `${workersLabel(workers)} ${ratio.toFixed(2)}`).join(', ')}`);
    printAndSave('engines', { workers: [1, cores], connections: connectionCounts, generator }, scenarios, checks, { ratios }, failuresOf(scenarios, () => 200));
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await cluster.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
