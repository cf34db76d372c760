import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './ports';

/**
 * A throw-away PostgreSQL cluster from the Debian `postgresql` package, in a temporary directory,
 * listening on 127.0.0.1 (a free port) and on a Unix socket inside that directory. Never touches
 * the system cluster.
 *
 * initdb and postgres refuse to run as root, and tests run as root here and on CI: then every
 * server command runs as the `postgres` system user (`runuser -u postgres --`), on a directory
 * chowned to it. The test process itself only talks to the server over TCP with passwords.
 */
export interface PostgresCluster {
  /** postgres:// URL for `role`, an ordinary (non-superuser) role that owns `database`. */
  url: string;
  role: string;
  database: string;
  /** postgres:// URL for the superuser, for setup and fault injection only. */
  adminUrl: string;
  port: number;
  dir: string;
  /** A fresh, empty database owned by `role`; returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server and keeps its data ('fast' ends open connections cleanly, 'immediate' does not). */
  stopServer(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port with the same data. */
  startServer(): Promise<void>;
  /** Stops the server at once and deletes the directory. Safe to call twice. */
  stop(): Promise<void>;
}

const run = promisify(execFile);
const ROLE = 'gatehouse';

/** The newest /usr/lib/postgresql/<version>/bin with an initdb in it (POSTGRES_BIN overrides). */
export function postgresBinDir(): string {
  const fromEnv = process.env.POSTGRES_BIN;
  if (fromEnv) return fromEnv;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(path.join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions[0]) throw new Error('No PostgreSQL server found under /usr/lib/postgresql: apt-get install -y postgresql');
  return path.join(root, versions[0], 'bin');
}

/** Whom the server runs as: ourselves, or the `postgres` system user when we are root. */
function serverUser(): { uid: number; gid: number; prefix: string[] } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g'), prefix: ['runuser', '-u', 'postgres', '--'] };
  } catch {
    throw new Error('Running as root, which PostgreSQL refuses, and there is no `postgres` system user to run it as');
  }
}

/** The environment without PG* variables, so a developer's PGPORT or PGDATA cannot leak in. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  for (const key of Object.keys(env)) if (key.startsWith('PG')) delete env[key];
  return env;
}

const ident = (name: string) => {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Not a plain identifier: ${name}`);
  return `"${name}"`;
};

export async function startPostgres(): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  const user = serverUser();
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-pg-'));
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  if (user) chownSync(dir, user.uid, user.gid);

  // Runs a server binary as the cluster's owner, from a directory that owner can enter.
  const pgCommand = async (name: string, args: string[]) => {
    const argv = [...(user?.prefix ?? []), path.join(bin, name), ...args];
    try {
      await run(argv[0]!, argv.slice(1), { cwd: dir, env: cleanEnv() });
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(`${name} failed: ${err.stderr?.trim() || err.message}`);
    }
  };
  const pgCommandSync = (name: string, args: string[]) => {
    const argv = [...(user?.prefix ?? []), path.join(bin, name), ...args];
    execFileSync(argv[0]!, argv.slice(1), { cwd: dir, env: cleanEnv(), stdio: 'ignore' });
  };

  let running = false;
  const stop = async () => {
    process.off('exit', stopAtExit);
    if (running) await pgCommand('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']).catch(() => {});
    running = false;
    rmSync(dir, { recursive: true, force: true });
  };
  // A test file that dies without calling stop() must not leave a server behind.
  function stopAtExit() {
    try {
      if (running) pgCommandSync('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
    } catch {
      // Already down.
    }
    rmSync(dir, { recursive: true, force: true });
  }
  process.on('exit', stopAtExit);

  const adminPassword = randomBytes(16).toString('hex');
  const rolePassword = randomBytes(16).toString('hex');
  let port = 0;
  const adminUrl = () => `postgres://postgres:${adminPassword}@127.0.0.1:${port}/postgres`;
  const urlFor = (database: string) => `postgres://${ROLE}:${rolePassword}@127.0.0.1:${port}/${database}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: adminUrl() });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  const createDatabase = async (name = `test_${randomBytes(6).toString('hex')}`) => {
    await admin(`CREATE DATABASE ${ident(name)} OWNER ${ident(ROLE)}`);
    return urlFor(name);
  };
  const startServer = async () => {
    try {
      await pgCommand('pg_ctl', ['start', '-D', data, '-l', log, '-w', '-t', '30']);
    } catch (e) {
      const tail = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-5).join('\n') : '';
      throw new Error(`${(e as Error).message}\n${tail}`);
    }
    running = true;
  };
  // Durability is pointless here: no fsync, a small cache.
  const settings = (p: number) =>
    [
      '',
      "listen_addresses = '127.0.0.1'",
      `port = ${p}`,
      `unix_socket_directories = '${dir}'`,
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      'shared_buffers = 16MB',
      'max_wal_size = 64MB',
      "log_min_messages = 'warning'",
      '',
    ].join('\n');

  try {
    const pwfile = path.join(dir, 'pwfile');
    writeFileSync(pwfile, adminPassword, { mode: 0o600 });
    if (user) chownSync(pwfile, user.uid, user.gid);
    // Passwords (scram) on the port and the socket: other users share the machine.
    await pgCommand('initdb', [
      ...['-D', data, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth=scram-sha-256'],
      ...['-E', 'UTF8', '--no-locale', '--no-sync', '--no-instructions'],
    ]);
    rmSync(pwfile);
    // The port is free when chosen but could be taken before the server binds it: try another.
    // (A later `port =` line in postgresql.conf wins.)
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      await appendFile(path.join(data, 'postgresql.conf'), settings(port));
      try {
        await startServer();
        break;
      } catch (e) {
        if (attempt === 3) throw e;
      }
    }
    await admin(`CREATE ROLE ${ident(ROLE)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${rolePassword}'`);
    await createDatabase(ROLE);
  } catch (e) {
    await stop();
    throw e;
  }

  return {
    url: urlFor(ROLE),
    role: ROLE,
    database: ROLE,
    adminUrl: adminUrl(),
    port,
    dir,
    createDatabase,
    stopServer: async (mode = 'fast') => {
      await pgCommand('pg_ctl', ['stop', '-D', data, '-m', mode, '-w']);
      running = false;
    },
    startServer,
    stop,
  };
}
