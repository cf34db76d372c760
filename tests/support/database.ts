// The database a data-layer or use-case test runs on. The `unit` project gives each test file a
// SQLite database in memory; `unit-pg` runs the same files again, each on a PostgreSQL database
// of its own on the throw-away cluster tests/support/postgres-global.ts starts for the run.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set in the `unit-pg` project: the cluster's superuser, and its ordinary role's database. */
    postgresAdminUrl?: string;
    postgresUrl?: string;
  }
}

export const onPostgres = () => inject('postgresAdminUrl') !== undefined;

/**
 * Points the app at a fresh database of this file's own and brings it up to date, with a secret
 * for tokens and codes. Call it before importing the app's modules: they read the settings once.
 */
export async function useTestDatabase(settings: Record<string, string> = {}): Promise<void> {
  process.env.AUTH_SECRET ??= 'unit-test-secret-that-is-at-least-32-bytes-long';
  Object.assign(process.env, settings);
  const admin = inject('postgresAdminUrl');
  if (admin) {
    const name = `unit_${randomBytes(6).toString('hex')}`;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(`create database ${name} owner gatehouse`);
    } finally {
      await client.end();
    }
    const url = new URL(inject('postgresUrl')!);
    url.pathname = `/${name}`;
    process.env.DATABASE_URL = url.toString();
  } else {
    process.env.DATABASE_URL = ':memory:';
  }
  const { migrateStore } = await import('@/lib/db/client');
  await migrateStore();
}

/** Empties every table, children first: each test starts from nothing. */
export async function emptyDatabase(): Promise<void> {
  const { getDb, getTables } = await import('@/lib/db/client');
  const t = getTables();
  for (const table of [t.sessions, t.oneTimeCodes, t.securityEvents, t.rateLimits, t.loginChallenges, t.recoveryCodes, t.totpFactors, t.passkeys, t.webauthnChallenges, t.users]) await getDb().delete(table);
}

/**
 * Records the SQL of every statement sent to the database until `stop()`. Counted at the driver,
 * on either engine, not with drizzle's logger: the rate limits' statements are
 * rate-limiter-flexible's own, on the app's connection or pool, and never pass through drizzle.
 * SQLite: every statement better-sqlite3 runs goes through get/all/run/iterate of its Statement
 * prototype (the BEGIN/COMMIT of its transactions don't). PostgreSQL: every statement, pooled or in
 * a transaction, goes through pg's Client#query (there BEGIN/COMMIT do).
 */
export async function recordStatements(): Promise<{ executed: string[]; stop(): void }> {
  const executed: string[] = [];
  const record = (sql: string) => executed.push(sql.replace(/\s+/g, ' ').trim());
  const { store } = await import('@/lib/db/client');
  const current = store();
  if (current.engine === 'sqlite') {
    const proto = Object.getPrototypeOf(current.sqlite.prepare('select 1')) as Record<string, (...args: unknown[]) => unknown>;
    const originals = (['get', 'all', 'run', 'iterate'] as const).map((name) => [name, proto[name]!] as const);
    for (const [name, original] of originals) {
      proto[name] = function (this: { source: string }, ...args: unknown[]) {
        record(this.source);
        return original.apply(this, args);
      };
    }
    return { executed, stop: () => originals.forEach(([name, original]) => (proto[name] = original)) };
  }
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: pg.Client, ...args: unknown[]) {
    const [query] = args;
    record(typeof query === 'string' ? query : (query as { text: string }).text);
    return original.apply(this, args);
  };
  return { executed, stop: () => void (proto.query = original) };
}
