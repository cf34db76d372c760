// What `npm run bench` measures Gatehouse's API against, on the same machine in the same run:
// - the bare Node baseline (baseline-server.mjs): the ceiling of the API's own pieces;
// - the Flask seed peer (../shared/peers/flask-seed): the app Gatehouse replaces, when Debian's
//   python3-flask, python3-flask-sqlalchemy, python3-bcrypt and gunicorn are installed.
import { execFileSync, fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { purposeKey } from '../lib/auth/keys-node';
import { freePort } from '../tests/support/ports';

/** Something the load goes to: its address and the processes that answer. */
export type Peer = { baseUrl: string; pids(): number[]; stop(): Promise<void> };

const stopped = (child: { exitCode: number | null; signalCode: string | null; once(event: 'exit', listener: () => void): unknown }) =>
  new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

/**
 * The baseline on Gatehouse's own SQLite file, checking tokens with the key the app derives from
 * this process's AUTH_SECRET (the server's: bench/run.ts sets it).
 */
export async function startBaseline(databaseFile: string): Promise<Peer> {
  const key = purposeKey('session-jwt').toString('hex');
  const port = await freePort();
  const child = fork(path.join(import.meta.dirname, 'baseline-server.mjs'), {
    env: { ...process.env, DATABASE_FILE: databaseFile, SESSION_KEY: key, PORT: String(port) },
    stdio: 'inherit',
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the baseline server exited with ${code}`)));
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    pids: () => [child.pid!],
    async stop() {
      child.kill('SIGTERM');
      await stopped(child);
    },
  };
}

const FLASK_PEER = path.resolve(import.meta.dirname, '../../shared/peers/flask-seed');

/** Whether the Flask peer can run here (its folder, and Debian's packages it needs). */
export function flaskPeerAvailable(): boolean {
  if (!fs.existsSync(path.join(FLASK_PEER, 'run.sh'))) return false;
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import flask, flask_sqlalchemy, bcrypt, jwt, gunicorn'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The Flask peer as its README runs it (gunicorn, two sync workers), from a copy (../shared is
 * read-only), with one user signed in: `auth` is the bearer header for its protected route.
 */
export async function startFlaskPeer(): Promise<Peer & { auth: Record<string, string> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-flask-'));
  fs.cpSync(FLASK_PEER, path.join(dir, 'app'), { recursive: true });
  const port = await freePort();
  const child = spawn(path.join(dir, 'app/run.sh'), [String(port), path.join(dir, 'users.db')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (chunk) => (log += chunk));
  const baseUrl = `http://127.0.0.1:${port}`;
  const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const person = { username: 'benchpeer', email: 'benchpeer@example.com', password: 'benchmark passphrase 1' };
  for (let waited = 0; ; waited += 100) {
    if (child.exitCode !== null) throw new Error(`the Flask peer exited: ${log}`);
    if (waited > 20_000) throw new Error(`the Flask peer did not answer within 20 s: ${log}`);
    const registered = await fetch(`${baseUrl}/register`, json(person)).catch(() => null);
    if (registered) {
      if (registered.status !== 201) throw new Error(`the Flask peer refused the registration: ${registered.status}`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const login = await fetch(`${baseUrl}/login`, json({ username: person.username, password: person.password }));
  const { token } = (await login.json()) as { token: string };
  const workers = () => fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return {
    baseUrl,
    pids: () => {
      try {
        return workers();
      } catch {
        return [];
      }
    },
    auth: { authorization: `Bearer ${token}` },
    async stop() {
      child.kill('SIGTERM');
      await stopped(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
