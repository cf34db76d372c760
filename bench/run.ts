// `npm run bench` — load scenarios against the production build, plus the raw cost of the pieces.
// `npm run bench -- --smoke` runs a few hundred requests per scenario so the script can't rot (part
// of `npm test`); timings are printed, never asserted — only failures (5xx, socket errors, wrong
// statuses) fail it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon, { type Options, type Result } from 'autocannon';
import bcrypt from 'bcryptjs';
import Database from 'better-sqlite3';
import { nextBin, root, startServer, type Server } from '../tests/e2e/support/server';

const smoke = process.argv.includes('--smoke');
const COST = Number(process.env.BCRYPT_COST ?? 11);
const SEED_USERS = smoke ? 20 : 300;
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

function ensureBuild() {
  if (fs.existsSync(path.join(root, '.next/BUILD_ID')) && !process.argv.includes('--build')) return;
  console.log('Building the production app…');
  execFileSync(process.execPath, [nextBin, 'build'], { cwd: root, stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
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

async function load(server: Server, name: string, { path: urlPath, ...options }: Load): Promise<Scenario> {
  let peak = rssMb(server.pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(server.pid))), 100);
  const result: Result = await autocannon({
    url: `${server.baseUrl}${urlPath}`,
    connections: 10,
    ...(smoke ? { amount: 300 } : { duration: 10 }),
    ...options,
  } as Options);
  clearInterval(sampler);
  const statuses: Record<string, number> = {};
  for (const [code, count] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = (count as { count: number }).count;
  return {
    name,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    peakRssMb: Math.round(peak),
  };
}

async function post(server: Server, p: string, body: unknown, headers: Record<string, string> = {}) {
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

/** One user through the API, then the rest as rows sharing that user's password hash. */
async function seed(server: Server): Promise<string[]> {
  const first = person(0, 'seed');
  const created = await post(server, '/api/v1/auth/register', first);
  if (created.status !== 201) throw new Error(`seeding failed: ${created.status} ${JSON.stringify(created.body)}`);
  const db = new Database(path.join(server.dataDir, 'app.db'));
  const { password_hash: hash } = db.prepare('select password_hash from users where username = ?').get(first.username) as { password_hash: string };
  const insert = db.prepare(
    'insert into users (username, email, first_name, last_name, date_of_birth, password_hash, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const now = Date.now();
  db.transaction(() => {
    for (let i = 1; i < SEED_USERS; i += 1) {
      const p = person(i, 'seed');
      insert.run(p.username, p.email, p.firstName, p.lastName, p.dateOfBirth, hash, now, now);
    }
  })();
  db.close();
  return Array.from({ length: SEED_USERS }, (_, i) => person(i, 'seed').username);
}

function micro(server: Server, token: string, sessionId: string, userId: number) {
  process.env.AUTH_SECRET = server.authSecret;
  process.env.DATABASE_URL = path.join(server.dataDir, 'app.db');
  return (async () => {
    const times: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const start = performance.now();
      bcrypt.hashSync(PASSWORD, COST);
      times.push(performance.now() - start);
    }
    const hashMs = times.sort((a, b) => a - b)[1]!;

    const { verifySessionToken } = await import('../lib/auth/token');
    for (let i = 0; i < 500; i += 1) await verifySessionToken(token);
    const n = smoke ? 2000 : 20000;
    let start = performance.now();
    for (let i = 0; i < n; i += 1) await verifySessionToken(token);
    const verifyUs = ((performance.now() - start) * 1000) / n;

    const { findLiveSession } = await import('../lib/db/queries/sessions');
    start = performance.now();
    for (let i = 0; i < n; i += 1) findLiveSession(sessionId, userId, new Date());
    const lookupUs = ((performance.now() - start) * 1000) / n;
    return { hashMs: Math.round(hashMs * 10) / 10, verifyUs: Math.round(verifyUs * 10) / 10, lookupUs: Math.round(lookupUs * 10) / 10 };
  })();
}

async function main() {
  ensureBuild();
  const server = await startServer({
    BCRYPT_COST: String(COST),
    // Each simulated visitor is a client of its own (one trusted proxy hop, X-Forwarded-For).
    TRUST_PROXY: '1',
    // Login storms are the point of scenarios 5 and 6: their budgets are raised; all other limits stay.
    RATE_LIMIT_LOGIN_ACCOUNT: '100000000/900',
    RATE_LIMIT_LOGIN_IP: '100000000/900',
  });
  try {
    const usernames = await seed(server);
    const login = await post(server, '/api/v1/auth/token', { login: usernames[0], password: PASSWORD });
    if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
    const token: string = login.body.access_token;
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    const tampered = `${token.slice(0, -3)}${token.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    const bearer = { authorization: `Bearer ${token}` };

    const scenarios: Scenario[] = [];
    const run = async (name: string, options: Load) => {
      const result = await load(server, name, options);
      scenarios.push(result);
      console.log(`  ${name}: ${result.rps} req/s, p99 ${result.p99} ms`);
      return result;
    };

    console.log(`Gatehouse benchmark${smoke ? ' (smoke)' : ''}: ${cores} cores, bcrypt cost ${COST}, ${SEED_USERS} users`);
    const health = await run('0 baseline: GET /api/health', { path: '/api/health' });
    await run('1 public page: GET /', { path: '/' });
    const account1 = await run('2 protected page: GET /account', { path: '/account', headers: { cookie: `__Host-gatehouse.session=${token}` } });
    const me = await run('3 GET /api/v1/me (bearer)', { path: '/api/v1/me', headers: bearer });
    const refused = await run('4 GET /api/v1/me (tampered token)', { path: '/api/v1/me', headers: { authorization: `Bearer ${tampered}` } });

    let next = 0;
    const loginOptions: Load = {
      method: 'POST',
      path: '/api/v1/auth/token',
      connections: cores * 4,
      headers: { 'content-type': 'application/json' },
      requests: [
        {
          setupRequest: (request) => {
            next = (next + 1) % usernames.length;
            return { ...request, headers: { ...request.headers, 'x-forwarded-for': clientIp() }, body: JSON.stringify({ login: usernames[next], password: PASSWORD }) };
          },
        },
      ],
    };
    const logins = await run('5 logins: POST /api/v1/auth/token', loginOptions);
    const [, meDuringStorm] = await Promise.all([
      load(server, '5 (again, alongside 6)', loginOptions),
      load(server, '6 GET /api/v1/me during a login storm', { path: '/api/v1/me', headers: bearer }),
    ]);
    scenarios.push(meDuringStorm);
    console.log(`  ${meDuringStorm.name}: ${meDuringStorm.rps} req/s, p99 ${meDuringStorm.p99} ms`);

    let registration = 0;
    await run('7 registrations: POST /api/v1/auth/register', {
      method: 'POST',
      path: '/api/v1/auth/register',
      connections: cores * 4,
      headers: { 'content-type': 'application/json' },
      requests: [
        {
          setupRequest: (request) => {
            registration += 1;
            return { ...request, headers: { ...request.headers, 'x-forwarded-for': clientIp() }, body: JSON.stringify(person(registration, `r${Date.now().toString(36)}`)) };
          },
        },
      ],
    });
    const account2 = await run('2 again: GET /account (memory check)', { path: '/account', headers: { cookie: `__Host-gatehouse.session=${token}` } });

    const pieces = await micro(server, token, claims.sid, Number(claims.sub));
    const hashingLimit = (cores * 1000) / pieces.hashMs;

    const expected: Record<string, number> = {
      '0 baseline: GET /api/health': 200,
      '1 public page: GET /': 200,
      '2 protected page: GET /account': 200,
      '3 GET /api/v1/me (bearer)': 200,
      '4 GET /api/v1/me (tampered token)': 401,
      '5 logins: POST /api/v1/auth/token': 200,
      '6 GET /api/v1/me during a login storm': 200,
      '7 registrations: POST /api/v1/auth/register': 201,
      '2 again: GET /account (memory check)': 200,
    };
    const failures: string[] = [];
    for (const s of scenarios) {
      const wrong = Object.entries(s.statuses).filter(([code]) => Number(code) !== expected[s.name]);
      if (s.errors > 0 || s.timeouts > 0) failures.push(`${s.name}: ${s.errors} socket errors, ${s.timeouts} timeouts`);
      if (wrong.length > 0) failures.push(`${s.name}: unexpected statuses ${JSON.stringify(Object.fromEntries(wrong))}`);
    }

    const peakRss = Math.max(...scenarios.map((s) => s.peakRssMb));
    const checks = [
      { what: `login throughput ≥ 80 % of the hashing limit (${hashingLimit.toFixed(1)}/s)`, value: logins.rps / hashingLimit, ok: logins.rps >= 0.8 * hashingLimit },
      { what: 'p99 of /me during a login storm ≤ 3 × at rest', value: meDuringStorm.p99 / Math.max(me.p99, 1), ok: meDuringStorm.p99 <= 3 * Math.max(me.p99, 1) },
      { what: 'one JWT verify ≤ 50 µs', value: pieces.verifyUs, ok: pieces.verifyUs <= 50 },
      { what: '/me ≥ 80 % of /api/health req/s', value: me.rps / health.rps, ok: me.rps >= 0.8 * health.rps },
      { what: 'tampered-token refusals ≥ valid /me req/s', value: refused.rps / me.rps, ok: refused.rps >= me.rps },
      { what: 'peak RSS ≤ 300 MB', value: peakRss, ok: peakRss <= 300 },
      { what: 'no growth between two runs of scenario 2 (≤ +10 %)', value: account2.peakRssMb / account1.peakRssMb, ok: account2.peakRssMb <= account1.peakRssMb * 1.1 },
    ];

    console.log('');
    console.table(
      scenarios.map((s) => ({ scenario: s.name, 'req/s': s.rps, 'p50 ms': s.p50, 'p90 ms': s.p90, 'p99 ms': s.p99, statuses: JSON.stringify(s.statuses), errors: s.errors, timeouts: s.timeouts, 'peak RSS MB': s.peakRssMb })),
    );
    console.log(`Pieces: bcrypt cost ${COST} ${pieces.hashMs} ms (hashing limit ${hashingLimit.toFixed(1)}/s on ${cores} cores), JWT verify ${pieces.verifyUs} µs, session lookup ${pieces.lookupUs} µs`);
    for (const c of checks) console.log(`${c.ok ? 'MEETS' : 'MISSES'}  ${c.what}: ${Number(c.value.toFixed(2))}`);

    const out = path.join(root, 'bench/results');
    fs.mkdirSync(out, { recursive: true });
    const file = path.join(out, `${smoke ? 'smoke' : 'run'}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(
      file,
      JSON.stringify({ at: new Date().toISOString(), smoke, machine: { cores, cpu: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version }, bcryptCost: COST, scenarios, pieces, checks }, null, 2),
    );
    console.log(`Results: ${path.relative(root, file)}`);
    if (failures.length > 0) {
      console.error(`\nFailures:\n${failures.join('\n')}`);
      process.exitCode = 1;
    }
  } finally {
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
