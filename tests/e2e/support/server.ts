// Starts the production build (`npm start`: Next's handler in scripts/server.mjs) on a free port
// with its own database and outbox.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../support/ports';

export const root = path.resolve(__dirname, '../../..');
const nextBin = path.join(root, 'node_modules/next/dist/bin/next');
const serverScript = path.join(root, 'scripts/server.mjs');

/** What `npm run build` does: Next's build, then the API's bundle (scripts/api-bundle.mjs). */
function buildApp(stdio: 'pipe' | 'inherit'): void {
  const options = { cwd: root, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }, stdio, encoding: 'utf8' } as const;
  execFileSync(process.execPath, [nextBin, 'build'], options);
  execFileSync(process.execPath, [path.join(root, 'scripts/build-api.mjs')], options);
}

/** What a production build is made from (scripts/server.mjs and page-cache.mjs run as they are). */
const BUILD_INPUTS = [
  'app', 'components', 'lib', 'public', 'drizzle', 'middleware.ts', 'instrumentation.ts', 'next.config.ts', 'postcss.config.mjs',
  'tsconfig.json', 'package.json', 'package-lock.json', 'scripts/api-bundle.mjs', 'scripts/build-api.mjs', '.env', '.env.production', '.env.local',
];

/** Newest modification time under `entries` (paths from the project's root). */
function newestInput(entries: string[]): number {
  let newest = 0;
  for (const entry of entries) {
    const full = path.join(root, entry);
    if (!fs.existsSync(full)) continue;
    const stat = fs.statSync(full);
    if (!stat.isDirectory()) newest = Math.max(newest, stat.mtimeMs);
    else newest = Math.max(newest, newestInput(fs.readdirSync(full).map((name) => path.join(entry, name))));
  }
  return newest;
}

/** What a build leaves last: Next's build id, then the API's bundle. */
const BUILD_OUTPUTS = ['.next/BUILD_ID', '.next/gatehouse/api.mjs'].map((file) => path.join(root, file));

/**
 * Builds unless both parts of the last build are newer than every file it is made from (or
 * `force`): a stale build tests or measures old code, and a fresh one needs no second build.
 */
export function ensureBuild(stdio: 'pipe' | 'inherit', force = false): void {
  const built = BUILD_OUTPUTS.every((file) => fs.existsSync(file)) ? Math.min(...BUILD_OUTPUTS.map((file) => fs.statSync(file).mtimeMs)) : 0;
  if (!force && built > newestInput(BUILD_INPUTS)) return;
  buildApp(stdio);
}

export type Server = {
  baseUrl: string;
  /** The server process, e.g. to read its memory use. */
  pid: number;
  dataDir: string;
  authSecret: string;
  log: string;
  /** Settles when the process ends, however it ends. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Ends the server gracefully and deletes its data. */
  stop(): Promise<void>;
  /** Kills the process at once (as a power cut would), keeping its data for a restart. */
  crash(): Promise<void>;
};

type Reuse = { dataDir: string; authSecret: string; port: number };

async function waitUntilUp(url: string, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${fs.readFileSync(log, 'utf8')}`);
    try {
      // Answering is not enough with several workers: the primary starts the others after the
      // first, and says it is listening once all of them are.
      const answered = (await fetch(url, { redirect: 'manual' })).status < 500;
      if (answered && fs.readFileSync(log, 'utf8').includes('Gatehouse listening on')) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the server did not answer within 60 s:\n${fs.readFileSync(log, 'utf8')}`);
}

/** `reuse`: start again on a crashed server's data, secret and port. `cwd`: where it finds the build and .env files. */
export async function startServer(extraEnv: Record<string, string> = {}, reuse?: Reuse, cwd = root): Promise<Server> {
  const dataDir = reuse?.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-e2e-'));
  const port = reuse?.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const authSecret = reuse?.authSecret ?? randomBytes(32).toString('base64url');
  const log = path.join(dataDir, 'server.log');
  const out = fs.openSync(log, 'a');
  // The heap cap `npm start` uses (package.json; docs/performance.md says why).
  const child = spawn(process.execPath, ['--max-old-space-size=160', serverScript], {
    cwd,
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_ENV: 'production',
      PORT: String(port),
      HOSTNAME: '127.0.0.1',
      AUTH_SECRET: authSecret,
      DATABASE_URL: path.join(dataDir, 'app.db'),
      MAIL_OUTBOX_DIR: path.join(dataDir, 'outbox'),
      // The lowest cost we allow: the tests exercise behaviour, `npm run bench` the real cost.
      BCRYPT_COST: '10',
      // One process (`npm start` runs one per core), so `pid` is the server itself, whose memory
      // the benchmark reads. tests/e2e/cluster.test.ts runs workers.
      WEB_CONCURRENCY: '1',
      ...extraEnv,
    },
    stdio: ['ignore', out, out],
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await waitUntilUp(`${baseUrl}/login`, child, log);
  return {
    baseUrl,
    pid: child.pid!,
    dataDir,
    authSecret,
    log,
    exit,
    async stop() {
      child.kill('SIGTERM');
      await exit;
      if (process.env.E2E_KEEP_DATA !== '1') fs.rmSync(dataDir, { recursive: true, force: true });
    },
    async crash() {
      child.kill('SIGKILL');
      await exit;
    },
  };
}

/**
 * Servers started side by side (`startServer`'s arguments for each). If one fails to start, the
 * others are stopped before its error is thrown: the caller never gets them, so nothing else would.
 */
export async function startServers(...each: Array<Parameters<typeof startServer>>): Promise<Server[]> {
  const started = await Promise.allSettled(each.map((args) => startServer(...args)));
  const failed = started.find((result) => result.status === 'rejected');
  if (!failed) return started.map((result) => (result as PromiseFulfilledResult<Server>).value);
  await Promise.all(started.map((result) => (result.status === 'fulfilled' ? result.value.stop() : undefined)));
  throw failed.reason;
}
