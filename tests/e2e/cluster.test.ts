// `npm start` on every core: WEB_CONCURRENCY workers behind one port (node:cluster), a worker that
// dies replaced, a stop that lets the requests in progress finish, and settings that refuse to
// start. Which process holds a connection is read from /proc (the sockets each one has open), so
// the answers carry nothing extra for the tests.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPerson, registration } from '../support/generators';
import { apiCall } from './support/api';
import { root, startServer, type Server } from './support/server';

/** The processes `pid` started (its workers), from /proc. */
function children(pid: number): number[] {
  const tasks = fs.readdirSync(`/proc/${pid}/task`);
  return tasks.flatMap((task) => fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
}

const alive = (pid: number) => fs.existsSync(`/proc/${pid}`);
const portOf = (server: Server) => Number(new URL(server.baseUrl).port);

/** The server's end of the connection from `clientPort`: its socket inode and the bytes it has not read yet. */
function serverEnd(serverPort: number, clientPort: number): { inode: string; unread: number } | undefined {
  for (const line of fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const [, local, remote, state, queues, , , , , inode] = line.trim().split(/\s+/);
    if (!local || !remote || !queues || !inode || state !== '01') continue;
    if (parseInt(local.split(':')[1]!, 16) === serverPort && parseInt(remote.split(':')[1]!, 16) === clientPort) {
      return { inode, unread: parseInt(queues.split(':')[1]!, 16) };
    }
  }
  return undefined;
}

/** Which of `pids` holds the server's end of the connection from `clientPort`. */
function holder(serverPort: number, clientPort: number, pids: number[]): number | undefined {
  const end = serverEnd(serverPort, clientPort);
  if (!end) return undefined;
  return pids.find((pid) => {
    try {
      return fs.readdirSync(`/proc/${pid}/fd`).some((fd) => fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${end.inode}]`);
    } catch {
      return false; // it has just ended
    }
  });
}

/** A connection to the server, once one of `pids` (the server, or its workers) has taken it. */
async function connection(server: Server, pids: number[]): Promise<{ socket: net.Socket; heldBy: number }> {
  const socket = net.connect(portOf(server), '127.0.0.1');
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let heldBy: number | undefined;
  await expect.poll(() => (heldBy = holder(portOf(server), socket.localPort!, pids)), { timeout: 10_000 }).toBeDefined();
  return { socket, heldBy: heldBy! };
}

type Answer = { status: number; connection: string | undefined; body: string };

/** A request on that very connection; `body` in two halves, the second when `rest` resolves. */
function request(socket: net.Socket, method: string, p: string, body?: unknown, rest: Promise<unknown> = Promise.resolve()): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    const req = http.request(
      { method, path: p, host: '127.0.0.1', createConnection: () => socket, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } },
      (res) => {
        let received = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (received += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, body: received }));
      },
    );
    req.on('error', reject);
    const half = Math.floor(text.length / 2);
    req.write(text.slice(0, half));
    void rest.then(() => req.end(text.slice(half)));
  });
}

/** One GET on a connection of its own. */
function get(server: Server, p: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(`${server.baseUrl}${p}`, { agent: false }, (res) => resolve(res.resume().statusCode!)).on('error', reject);
  });
}

/** Whether a new connection is refused (the server has stopped listening). */
function refused(server: Server): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(portOf(server), '127.0.0.1');
    socket.once('connect', () => resolve(socket.destroy() && false));
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/** The repo as Next needs it (build, config, code) in a directory of its own, without .env files or .data. */
function ownCwd(): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cwd-'));
  for (const entry of fs.readdirSync(root)) {
    if (!entry.startsWith('.env') && entry !== '.data') fs.symlinkSync(path.join(root, entry), path.join(dir, entry));
  }
  return {
    dir,
    remove() {
      // Unlinks the symlinks, never what they point to.
      for (const entry of fs.readdirSync(dir)) fs.unlinkSync(path.join(dir, entry));
      fs.rmdirSync(dir);
    },
  };
}

/** `npm start` with these settings, run until it exits by itself: its exit code and output. */
function runUntilExit(env: Record<string, string>, cwd: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [path.join(root, 'scripts/server.mjs')], {
    cwd,
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', HOSTNAME: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

const lines = (text: string, pattern: RegExp) => text.split('\n').filter((line) => pattern.test(line));

/** The workers the primary made housekeeper (lib/server-start.ts: the retention job, the notices). */
const housekeepers = (workers: number[]) =>
  workers.filter((pid) => fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes('GATEHOUSE_HOUSEKEEPER=1'));

/**
 * A server with WEB_CONCURRENCY workers, once all of them listen: startServer returns when the
 * first one answers, and the primary says when the last is up.
 */
async function startWorkers(concurrency: string, cwd?: string): Promise<Server> {
  // Its subject is the processes, not sign-up: accounts are usable at once.
  const server = await startServer({ WEB_CONCURRENCY: concurrency, EMAIL_VERIFICATION: 'off' }, undefined, cwd);
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    if (lines(fs.readFileSync(server.log, 'utf8'), /^Gatehouse listening on/).length > 0) return server;
  }
  const log = fs.readFileSync(server.log, 'utf8');
  await server.stop();
  throw new Error(`not every worker was listening after 30 s:\n${log}`);
}

describe('WEB_CONCURRENCY=2', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startWorkers('2');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('runs two workers behind one port, serving connections side by side, announced once', async () => {
    const workers = children(server.pid);
    expect(workers).toHaveLength(2);
    for (const worker of workers) {
      // The server script with the heap cap `npm start` gives it, not some other child.
      const argv = fs.readFileSync(`/proc/${worker}/cmdline`, 'utf8').split('\0');
      expect(argv).toContain('--max-old-space-size=160');
      expect(argv.some((arg) => arg.endsWith('scripts/server.mjs'))).toBe(true);
    }
    expect(lines(fs.readFileSync(server.log, 'utf8'), /listening/)).toEqual([`Gatehouse listening on ${server.baseUrl} (2 workers)`]);
    // One of them runs the hourly job for both.
    expect(housekeepers(workers)).toHaveLength(1);

    // Connections go to both (in turn); one on each worker.
    const byWorker = new Map<number, net.Socket>();
    for (let i = 0; i < 8 && byWorker.size < 2; i += 1) {
      const { socket, heldBy } = await connection(server, workers);
      if (byWorker.has(heldBy)) socket.destroy();
      else byWorker.set(heldBy, socket);
    }
    expect([...byWorker.keys()].sort()).toEqual([...workers].sort());
    const [first, second] = [...byWorker.values()];

    // Registered through one worker, logged in through the other: one database for all.
    const person = newPerson();
    expect((await request(first!, 'POST', '/api/v1/auth/register', registration(person))).status).toBe(201);
    const login = await request(second!, 'POST', '/api/v1/auth/token', { login: person.username, password: person.password });
    expect(login.status).toBe(200);
    expect((await apiCall(server.baseUrl, 'GET', '/me', { token: JSON.parse(login.body).access_token })).status).toBe(200);
  });

  it('replaces a worker that is killed, and keeps answering meanwhile', async () => {
    // The housekeeper: its replacement takes the role over.
    const [victim] = housekeepers(children(server.pid)) as [number];
    const survivor = children(server.pid).find((pid) => pid !== victim)!;
    process.kill(victim, 'SIGKILL');
    const line = `Gatehouse: worker ${victim} was killed by SIGKILL; starting another.`;
    await expect.poll(() => lines(fs.readFileSync(server.log, 'utf8'), /Gatehouse: worker/), { timeout: 10_000 }).toEqual([line]);
    // Answered by the survivor (and the newcomer once it is up), each on a connection of its own.
    for (let i = 0; i < 6; i += 1) expect(await get(server, '/login')).toBe(200);
    await expect.poll(() => children(server.pid).length, { timeout: 30_000 }).toBe(2);
    const now = children(server.pid);
    expect(now).toContain(survivor);
    expect(now).not.toContain(victim);
    // Polled: between fork and exec a newcomer's /proc environ is still the primary's.
    await expect.poll(() => housekeepers(children(server.pid)), { timeout: 10_000 }).toEqual(now.filter((pid) => pid !== survivor));
    const person = newPerson();
    expect((await apiCall(server.baseUrl, 'POST', '/auth/register', { body: registration(person) })).status).toBe(201);
    expect(lines(fs.readFileSync(server.log, 'utf8'), /listening/)).toHaveLength(1);
  });
});

describe('SIGTERM', () => {
  it.each(['1', '2'])(
    'with WEB_CONCURRENCY=%s: no new connections, idle ones closed, the requests in progress answered, then exit 0 with no process left',
    async (concurrency) => {
      const server = await startWorkers(concurrency);
      try {
        const workers = children(server.pid);
        // One process and no primary/worker split, or a primary and its two workers.
        expect(workers).toHaveLength(concurrency === '1' ? 0 : 2);
        const serving = concurrency === '1' ? [server.pid] : workers;
        const person = newPerson();
        expect((await apiCall(server.baseUrl, 'POST', '/auth/register', { body: registration(person) })).status).toBe(201);

        // A kept-alive connection, answered once and now idle.
        const idle = (await connection(server, serving)).socket;
        const idleClosed = new Promise((resolve) => idle.once('close', resolve));
        idle.write('GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
        await new Promise((resolve) => idle.once('data', resolve));

        // Logins in progress: each sent but for the second half of its body, which the server has
        // read (nothing left unread on its end of the connection).
        let sendTheRest!: () => void;
        const rest = new Promise<void>((resolve) => (sendTheRest = resolve));
        const passwords = [person.password, 'not the password', person.password, 'not the password either'];
        const answers: Promise<Answer>[] = [];
        for (const password of passwords) {
          const { socket } = await connection(server, serving);
          answers.push(request(socket, 'POST', '/api/v1/auth/token', { login: person.username, password }, rest));
          await expect.poll(() => serverEnd(portOf(server), socket.localPort!)?.unread, { timeout: 10_000 }).toBe(0);
        }

        process.kill(server.pid, 'SIGTERM');
        await expect.poll(() => refused(server), { timeout: 10_000 }).toBe(true);
        // Closed by the server within 2 s (its keep-alive timeout would take 5).
        await expect(Promise.race([idleClosed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('still open'), 2_000))])).resolves.toBe('closed');
        expect(alive(server.pid)).toBe(true);

        sendTheRest();
        const answered = await Promise.all(answers);
        expect(answered.map((a) => a.status)).toEqual([200, 401, 200, 401]);
        for (const answer of answered) expect(answer.connection).toBe('close');
        expect(await server.exit).toEqual({ code: 0, signal: null });
        for (const worker of workers) expect(alive(worker), `worker ${worker}`).toBe(false);
        expect(lines(fs.readFileSync(server.log, 'utf8'), /stopping/)).toEqual(['Gatehouse is stopping: finishing the requests in progress.']);
      } finally {
        await server.stop();
      }
    },
  );
});

describe('refusing to start', () => {
  let cwd: ReturnType<typeof ownCwd>;
  beforeAll(() => {
    cwd = ownCwd();
  });
  afterAll(() => cwd?.remove());

  it.each(['0', 'x', '65', '2.5', '-1'])('WEB_CONCURRENCY=%s: one line, exit 1', async (value) => {
    expect(await runUntilExit({ WEB_CONCURRENCY: value, AUTH_SECRET: 'x'.repeat(32) }, cwd.dir)).toEqual({
      code: 1,
      output: 'Gatehouse cannot start: WEB_CONCURRENCY must be the number of server processes to run (1–64).\n',
    });
  });

  it('a first worker that cannot start (no AUTH_SECRET): its error once, exit 1 at once', async () => {
    const { code, output } = await runUntilExit({ WEB_CONCURRENCY: '2', AUTH_SECRET: '' }, cwd.dir);
    expect(code).toBe(1);
    expect(lines(output, /AUTH_SECRET/)).toEqual(['Gatehouse cannot start: AUTH_SECRET is not set. Generate one with `openssl rand -base64 32` and set it in the environment.']);
    expect(output).not.toMatch(/listening/);
  });

  it('replacements that keep failing to start: the primary gives up, with their error once, and exits 1', { timeout: 90_000 }, async () => {
    const server = await startWorkers('2', cwd.dir);
    try {
      const [victim, survivor] = children(server.pid) as [number, number];
      // Past its first 5 s, its death is not a failed start: only the replacements' three are.
      await new Promise((resolve) => setTimeout(resolve, 5_500));
      // A setting that now stops every new worker (workers read the .env files as they start).
      fs.writeFileSync(path.join(cwd.dir, '.env.local'), 'TRUST_PROXY=11\n');
      process.kill(victim, 'SIGKILL');
      expect(await server.exit).toEqual({ code: 1, signal: null });
      expect(alive(survivor)).toBe(false);
      const log = fs.readFileSync(server.log, 'utf8');
      expect(lines(log, /TRUST_PROXY/)).toEqual(['Gatehouse cannot start: TRUST_PROXY must be the number of proxies in front of it (0–10).']);
      expect(lines(log, /^Gatehouse(:| is stopping)/)).toEqual([
        `Gatehouse: worker ${victim} was killed by SIGKILL; starting another.`,
        expect.stringMatching(/^Gatehouse: worker \d+ exited with code 1; starting another\.$/),
        expect.stringMatching(/^Gatehouse: worker \d+ exited with code 1; starting another\.$/),
        'Gatehouse is stopping: 3 workers in a row ended within 5 s of starting (the last exited with code 1).',
      ]);
    } finally {
      fs.rmSync(path.join(cwd.dir, '.env.local'), { force: true });
      await server.stop();
    }
  });
});
