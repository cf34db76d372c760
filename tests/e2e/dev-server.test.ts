// `npm run dev` is the production server with Next in development mode (scripts/server.mjs
// --dev): the API's router, built when it starts, in front of Next's compiler. It runs in the
// repository (Turbopack won't compile a copy whose node_modules is a link), with its database,
// outbox and secret in a folder of its own; its compiler's files go to .next/dev, which the
// production build doesn't use. A developer's own `npm run dev` holds that folder's lock: stop it
// first.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPerson } from '../support/generators';
import { waitForMail } from '../support/outbox';
import { freePort } from '../support/ports';
import { signUp } from '../support/sign-up';
import { apiCall } from './support/api';
import { root } from './support/server';

let dataDir: string;
let baseUrl: string;
let log = '';
let child: ReturnType<typeof spawn>;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-dev-'));
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOSTNAME: '127.0.0.1', NEXT_TELEMETRY_DISABLED: '1' };
  for (const name of ['NODE_ENV', 'TRUST_PROXY', 'WEB_CONCURRENCY']) delete env[name];
  Object.assign(env, {
    AUTH_SECRET: randomBytes(32).toString('base64url'),
    DATABASE_URL: path.join(dataDir, 'app.db'),
    MAIL_OUTBOX_DIR: path.join(dataDir, 'outbox'),
  });
  child = spawn(process.execPath, [path.join(root, 'scripts/server.mjs'), '--dev'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk) => (log += chunk));
  child.stderr!.on('data', (chunk) => (log += chunk));
  const deadline = Date.now() + 90_000;
  while (!log.includes('Gatehouse listening on')) {
    if (child.exitCode !== null) throw new Error(`npm run dev exited with ${child.exitCode}:\n${log}`);
    if (Date.now() > deadline) throw new Error(`npm run dev did not start within 90 s:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const post = (p: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${baseUrl}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('npm run dev', () => {
  it('serves the JSON API through its router, on SQLite, mail in the outbox', async () => {
    const health = await fetch(`${baseUrl}/api/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await health.json()).toEqual({ status: 'ok' });

    // With no configuration a sign-up is verified by a code from the local outbox.
    const person = newPerson();
    const { token } = await signUp((method, p, options) => apiCall(baseUrl, method, p, options), person, dataDir);
    const me = await fetch(`${baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await me.json()) as { user: { email: string; emailVerified: boolean } }).user).toMatchObject({ email: person.email, emailVerified: true });

    // The mail a reset sends, after the answer.
    expect((await post('/api/v1/auth/password/forgot', { email: person.email })).status).toBe(202);
    expect((await waitForMail(person.email, dataDir, 2)).subject).toBe('Your Gatehouse password reset code');
  });

  it('points the verification page at the local outbox', async () => {
    const page = await fetch(`${baseUrl}/verify-email?email=dev%40example.com`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('dev@example.com');
    expect(html).toContain('href="/dev/outbox"');
  }, 180_000);

  it('compiles and serves a page, with its CSP', async () => {
    const page = await fetch(`${baseUrl}/login`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("'unsafe-eval'");
    expect(await page.text()).toContain('Log in');
  }, 180_000);

  it('stops cleanly on SIGTERM', async () => {
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
  });
});
