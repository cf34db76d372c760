import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { drizzle as drizzleSqlite, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { env } from '@/lib/env';
import * as pgSchema from './schema-pg';
import * as sqliteSchema from './schema-sqlite';

// One data layer, two engines. DATABASE_URL `postgres://…` selects PostgreSQL (node-postgres, a
// bounded pool); anything else is a SQLite file (better-sqlite3). Queries are written once, typed
// against the SQLite schema: the PostgreSQL one has the same tables, columns and row types
// (tests/unit/schema-drift.test.ts), so the same builder calls produce each engine's SQL. They
// keep to what both engines' builders have: `await` (never .get/.all/.run), `.returning()` to
// learn what a write touched, and `transaction()` below for several statements that must hold
// together.

export type Tables = typeof sqliteSchema;
export type Db = BetterSQLite3Database<Tables>;
export type Engine = 'sqlite' | 'postgres';

type Store = { engine: Engine; db: Db; tables: Tables; close(): Promise<void> } & (
  | { engine: 'sqlite'; sqlite: Database.Database }
  | { engine: 'postgres'; pool: pg.Pool }
);

const migrations = (engine: Engine) => path.join(process.cwd(), 'drizzle', engine === 'sqlite' ? 'sqlite' : 'pg');

export const engineOf = (url: string): Engine => (/^postgres(ql)?:\/\//i.test(url.trim()) ? 'postgres' : 'sqlite');

/** Resolves a SQLite DATABASE_URL ("file:./x.db", "./x.db" or ":memory:") to what better-sqlite3 opens. */
export function databasePath(url = env().DATABASE_URL): string {
  const value = url.trim();
  if (value === ':memory:') return value;
  return path.resolve(value.replace(/^file:/, ''));
}

function openSqlite(url: string): Store {
  const file = databasePath(url);
  if (file !== ':memory:') {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    // SQLite would create the file with the umask's mode (often 0644); created 0600 here first,
    // it gives its -wal and -shm files the same mode.
    fs.closeSync(fs.openSync(file, 'a', 0o600));
  }
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // WAL with synchronous=NORMAL can lose the last commits on power loss but never corrupts;
  // FULL keeps every acknowledged write, which an account store must.
  sqlite.pragma('synchronous = FULL');
  const db = drizzleSqlite(sqlite, { schema: sqliteSchema });
  // Synchronous and quick: a file is migrated when it is opened (several processes on one file
  // take turns on SQLite's write lock).
  migrateSqliteOnce(db);
  return { engine: 'sqlite', db, tables: sqliteSchema, sqlite, close: async () => void sqlite.close() };
}

/**
 * drizzle's SQLite migrator reads which migrations were applied before it takes the write lock:
 * two processes opening a new file together both see none, and the second then fails on a table
 * the first just made. It finds them applied when it looks again.
 */
function migrateSqliteOnce(db: Parameters<typeof migrateSqlite>[0], attempts = 3): void {
  try {
    migrateSqlite(db, { migrationsFolder: migrations('sqlite') });
  } catch (error) {
    if (attempts <= 1 || !/already exists/.test(String((driverError(error) as Error)?.message))) throw error;
    migrateSqliteOnce(db, attempts - 1);
  }
}

function openPostgres(url: string): Store {
  const settings = env();
  const pool = new pg.Pool({
    connectionString: url,
    max: settings.DATABASE_POOL_SIZE,
    // A database that is down or frozen must give a quick error (a 503), never a hang.
    connectionTimeoutMillis: settings.DATABASE_TIMEOUT_MS,
    query_timeout: settings.DATABASE_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection the server ends (a restart, a failover) is dropped and replaced on the next
  // checkout; without a listener the pool's 'error' event would end the process.
  pool.on('error', (error) => console.error(`[db] idle connection lost: ${error.message}`));
  // The PostgreSQL tables, under the types of the SQLite ones (see the top of this file).
  const db = drizzlePg(pool, { schema: pgSchema }) as unknown as Db;
  return { engine: 'postgres', db, tables: pgSchema as unknown as Tables, pool, close: () => pool.end() };
}

export function openStore(url = env().DATABASE_URL): Store {
  return engineOf(url) === 'postgres' ? openPostgres(url) : openSqlite(url);
}

// Opened on first use, not at import: `next build` imports server modules to collect page data,
// and must not create or migrate a database. One instance survives dev hot reloads via globalThis,
// where scripts/server.mjs also finds it to close when it drains.
const holder = globalThis as unknown as { gatehouseStore?: Store };

export function store(): Store {
  holder.gatehouseStore ??= openStore();
  return holder.gatehouseStore;
}

export const getDb = (): Db => store().db;
export const isPostgres = (): boolean => store().engine === 'postgres';
export const getTables = (): Tables => store().tables;

/** Closes the database (the pool, on PostgreSQL); the next use opens it again. */
export async function closeStore(): Promise<void> {
  const open = holder.gatehouseStore;
  holder.gatehouseStore = undefined;
  await open?.close();
}

// Any 64-bit number, the same in every instance: the lock instances starting together take turns on.
const MIGRATION_LOCK = 7_242_031_117;

// How long a start waits for PostgreSQL: one started beside the app (a compose file, a pod) or
// restarting is not up yet, one on a busy machine answers late, and another instance may hold the
// lock while it migrates. DATABASE_TIMEOUT_MS bounds a request, not a start.
const START_WAIT_MS = 30_000;

/**
 * Brings the schema up to date. SQLite files are migrated when opened; on PostgreSQL, instances
 * starting at once take turns on an advisory lock, so one migrates and the others find it done.
 * A database out of reach is tried again, once a second, for START_WAIT_MS; the first failure is
 * logged at once, so a wrong address is plain while the start waits.
 */
export async function migrateStore(target = store()): Promise<void> {
  if (target.engine !== 'postgres') return;
  const deadline = Date.now() + START_WAIT_MS;
  const client = await connectForStart(target.pool, deadline);
  try {
    // Tried, not awaited: a wait on the lock itself would run into DATABASE_TIMEOUT_MS.
    while (!(await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [MIGRATION_LOCK])).rows[0]!.locked) {
      if (Date.now() > deadline) throw new Error(`another instance still held the migration lock ${START_WAIT_MS / 1000} s into the start`);
      await sleep(250);
    }
    await migratePg(drizzlePg(client), { migrationsFolder: migrations('postgres') });
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
}

async function connectForStart(pool: pg.Pool, deadline: number): Promise<pg.PoolClient> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await pool.connect();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || Date.now() > deadline) throw error;
      if (attempt === 1) logUnavailable('start', error);
      await sleep(1_000);
    }
  }
}

/** One statement inside `transaction()`: `const rows = yield* step(tx.update(…).returning())`. */
export function* step<T>(query: PromiseLike<T>): Generator<PromiseLike<T>, T, T> {
  return yield query;
}

/** Thrown inside a transaction's body to undo what it wrote. */
export class Rollback extends Error {}

/**
 * Runs statements that must hold together: all of them or none. The body is a generator that
 * yields each statement (through `step`) and gets its rows back. A generator, not an async
 * function, because better-sqlite3's transactions are synchronous: on SQLite each statement runs
 * at once inside one BEGIN IMMEDIATE, with no await between them for another request's statements
 * to slip into; on PostgreSQL each is awaited on the transaction's own connection. Every statement
 * yielded must return rows (a select, or a write with `.returning()`). Throwing `Rollback` undoes
 * the writes and makes the result null.
 */
export async function transaction<T>(body: (tx: Db) => Generator<PromiseLike<unknown>, T, unknown>): Promise<T | null> {
  const current = store();
  try {
    if (current.engine === 'sqlite') {
      return current.db.transaction(
        (tx) => {
          const steps = body(tx as unknown as Db);
          let next = steps.next();
          while (!next.done) next = steps.next((next.value as unknown as { all(): unknown }).all());
          return next.value;
        },
        { behavior: 'immediate' },
      );
    }
    // The connection is taken here rather than by drizzle's transaction() on the pool, which
    // doesn't give it back when BEGIN fails, and gives back one whose statement timed out as
    // healthy: on a database that is down or frozen the pool would fill with dead connections and
    // never serve again. Released with the error, the pool closes it and opens a fresh one.
    const client = await current.pool.connect();
    let failed: unknown;
    try {
      return await drizzlePg(client, { schema: pgSchema }).transaction(async (tx) => {
        const steps = body(tx as unknown as Db);
        let next = steps.next();
        while (!next.done) next = steps.next(await next.value);
        return next.value;
      });
    } catch (error) {
      failed = error;
      throw error;
    } finally {
      client.release(isDatabaseUnavailable(failed) ? (failed as Error) : undefined);
    }
  } catch (error) {
    if (error instanceof Rollback) return null;
    throw error;
  }
}

/** The driver's own error: drizzle wraps a failed statement in one that quotes the SQL and its parameters. */
export function driverError(error: unknown): unknown {
  let inner = error;
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause;
  return inner;
}

/**
 * A failure in one line for the log: the innermost error's code, kind (unless a plain Error) and
 * words. Never drizzle's wrapper, whose message quotes the statement and its parameters (people's
 * data; in a batched session lookup, other people's session ids).
 */
export function errorLine(error: unknown): string {
  const cause = driverError(error);
  const code = (cause as { code?: unknown } | null)?.code;
  const text = !(cause instanceof Error) ? String(cause) : cause.name === 'Error' ? cause.message : `${cause.name}: ${cause.message}`;
  return `${typeof code === 'string' ? `${code} ` : ''}${text}`.replace(/\s+/g, ' ');
}

/** One line for the operator: where, and the driver's own words (never the SQL or its parameters). */
export function logUnavailable(where: string, error: unknown): void {
  console.warn(`[${where}] database unavailable: ${errorLine(error)}`);
}

// PostgreSQL's SQLSTATEs for "can't serve now", not "this statement is wrong": class 08 (connection
// exception), 57P01–57P03 (admin shutdown, crash shutdown, cannot connect now), 53300 (too many
// connections). Socket errors on the way there. SQLite: locked past busy_timeout, the file gone
// or unreadable, the disk full.
const UNAVAILABLE_CODE = /^(?:08[0-9A-Z]{3}|57P0[123]|53300|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|SQLITE_(?:BUSY|LOCKED|CANTOPEN|IOERR|FULL)(?:_\w+)?)$/;
// node-postgres and its pool say the rest only in words.
const UNAVAILABLE_MESSAGE = /^(?:timeout exceeded when trying to connect|Query read timeout|Connection terminated\b|Client has encountered a connection error|Client was closed and is not queryable)/;

/**
 * Whether a failure means the database is out of reach (down, restarting, frozen, locked), so the
 * request deserves a 503 and a retry, not a 500. Looks through drizzle's wrapper (`cause`) and
 * Node's AggregateError (a host with several addresses, each refused).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 8; cause = cause.cause, depth++) {
    const { code } = cause as { code?: unknown };
    if (typeof code === 'string' && UNAVAILABLE_CODE.test(code)) return true;
    if (UNAVAILABLE_MESSAGE.test(cause.message)) return true;
    if (cause instanceof AggregateError && cause.errors.some(isDatabaseUnavailable)) return true;
  }
  return false;
}

/** Which unique constraint a failed write broke, on either engine (null: not a uniqueness error). */
export function uniqueViolation(error: unknown): string | null {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const { code, constraint } = cause as { code?: string; constraint?: string };
    // SQLite names the columns in its message ("UNIQUE constraint failed: users.email").
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return cause.message;
    // PostgreSQL names the constraint or index.
    if (code === '23505') return constraint ?? cause.message;
  }
  return null;
}
