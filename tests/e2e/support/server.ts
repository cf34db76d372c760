// Starts the production build (`next start`) on a free port with its own database and outbox.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const root = path.resolve(__dirname, '../../..');
export const nextBin = path.join(root, 'node_modules/next/dist/bin/next');

export type Server = { baseUrl: string; dataDir: string; authSecret: string; log: string; stop(): Promise<void> };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(url: string, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}:\n${fs.readFileSync(log, 'utf8')}`);
    try {
      if ((await fetch(url, { redirect: 'manual' })).status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`next start did not answer within 60 s:\n${fs.readFileSync(log, 'utf8')}`);
}

export async function startServer(extraEnv: Record<string, string> = {}): Promise<Server> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-e2e-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const authSecret = randomBytes(32).toString('base64url');
  const log = path.join(dataDir, 'server.log');
  const out = fs.openSync(log, 'a');
  const child = spawn(process.execPath, [nextBin, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: root,
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_ENV: 'production',
      AUTH_SECRET: authSecret,
      DATABASE_URL: path.join(dataDir, 'app.db'),
      MAIL_OUTBOX_DIR: path.join(dataDir, 'outbox'),
      // The lowest cost we allow: the tests exercise behaviour, `npm run bench` the real cost.
      BCRYPT_COST: '10',
      ...extraEnv,
    },
    stdio: ['ignore', out, out],
  });
  await waitUntilUp(`${baseUrl}/login`, child, log);
  return {
    baseUrl,
    dataDir,
    authSecret,
    log,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
      if (process.env.E2E_KEEP_DATA !== '1') fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
