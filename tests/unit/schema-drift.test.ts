import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Column, getTableColumns, getTableName, type InferInsertModel, type InferSelectModel, is, SQL, StringChunk, Table } from 'drizzle-orm';
import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { getTableConfig as pgTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import * as pgSchema from '@/lib/db/schema-pg';
import * as sqliteSchema from '@/lib/db/schema-sqlite';
import { type PostgresCluster, startPostgres } from '../support/postgres';

// lib/db/schema.ts (SQLite) and lib/db/schema-pg.ts (PostgreSQL) describe one database. Queries are
// written once for both, so everything a query or a constraint can notice must match.

type AnyIndex = { config: { name?: string; unique: boolean; columns: unknown[]; where?: SQL } };
type AnyConfig = {
  name: string;
  columns: Column[];
  indexes: AnyIndex[];
  foreignKeys: { getName(): string; reference(): { columns: Column[]; foreignTable: Table; foreignColumns: Column[] }; onDelete?: string; onUpdate?: string }[];
  primaryKeys: { columns: Column[] }[];
  uniqueConstraints: { getName(): string | undefined; columns: Column[] }[];
  checks: unknown[];
};

/** The same expression written in both schemas (e.g. lower(username)) renders to the same text. */
function render(part: unknown): string {
  if (is(part, SQL)) return part.queryChunks.map(render).join('');
  if (is(part, StringChunk)) return part.value.join('');
  if (part && typeof part === 'object' && 'name' in part) return `"${String(part.name)}"`;
  return String(part);
}

const pgMigrations = path.resolve(import.meta.dirname, '../../drizzle/pg');
const names = (columns: Column[]) => columns.map((c) => c.name);

function describeTable(table: Table, config: AnyConfig) {
  const columns = Object.entries(getTableColumns(table)).map(([key, c]) => {
    const generated = ('autoIncrement' in c && c.autoIncrement) || ('generatedIdentity' in c && c.generatedIdentity);
    return {
      key,
      name: c.name,
      dataType: c.dataType,
      notNull: c.notNull,
      primary: c.primary,
      default: generated ? 'generated id' : c.hasDefault ? c.default : undefined,
      unique: c.isUnique ? (c.uniqueName ?? true) : false,
      enumValues: c.enumValues ?? null,
    };
  });
  return {
    name: config.name,
    columns,
    primaryKey: [...columns.filter((c) => c.primary).map((c) => c.name), ...config.primaryKeys.flatMap((k) => names(k.columns))],
    uniqueConstraints: config.uniqueConstraints.map((u) => ({ name: u.getName(), columns: names(u.columns) })),
    indexes: config.indexes
      .map(({ config: i }) => ({ name: i.name, unique: i.unique, on: i.columns.map(render), where: i.where && render(i.where) }))
      .sort((a, b) => String(a.name).localeCompare(String(b.name))),
    foreignKeys: config.foreignKeys
      .map((fk) => {
        const ref = fk.reference();
        return {
          name: fk.getName(),
          columns: names(ref.columns),
          references: getTableName(ref.foreignTable),
          foreignColumns: names(ref.foreignColumns),
          onDelete: fk.onDelete ?? 'no action',
          onUpdate: fk.onUpdate ?? 'no action',
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name)),
    checks: config.checks.length,
  };
}

const sqliteTables = Object.fromEntries(
  Object.entries(sqliteSchema).flatMap(([key, t]) => (is(t, SQLiteTable) ? [[key, describeTable(t, sqliteTableConfig(t) as AnyConfig)]] : [])),
);
const pgTables = Object.fromEntries(
  Object.entries(pgSchema).flatMap(([key, t]) => (is(t, PgTable) ? [[key, describeTable(t, pgTableConfig(t) as AnyConfig)]] : [])),
);

describe('the PostgreSQL schema', () => {
  it('exports the same tables under the same names', () => {
    expect(Object.keys(pgTables).sort()).toEqual(Object.keys(sqliteTables).sort());
    expect(Object.keys(sqliteTables).length).toBeGreaterThanOrEqual(5);
  });

  it.each(Object.keys(sqliteTables))('matches the SQLite one for %s', (key) => {
    expect(pgTables[key]).toEqual(sqliteTables[key]);
  });

  it('has no change missing from drizzle/pg (else: npx drizzle-kit generate --config drizzle-pg.config.ts)', async () => {
    const journal = JSON.parse(readFileSync(path.join(pgMigrations, 'meta/_journal.json'), 'utf8')) as { entries: { idx: number }[] };
    const last = String(journal.entries.at(-1)?.idx).padStart(4, '0');
    const snapshot = JSON.parse(readFileSync(path.join(pgMigrations, `meta/${last}_snapshot.json`), 'utf8'));
    expect(await generateMigration(snapshot, generateDrizzleJson(pgSchema))).toEqual([]);
  });

  it('gives queries the same row types (checked by tsc)', () => {
    type Select<T extends Table> = InferSelectModel<T>;
    type Insert<T extends Table> = InferInsertModel<T>;
    const { users, sessions, securityEvents, oneTimeCodes, rateLimits } = pgSchema;
    const lite = sqliteSchema;

    expectTypeOf<Select<typeof users>>().toEqualTypeOf<Select<typeof lite.users>>();
    expectTypeOf<Select<typeof sessions>>().toEqualTypeOf<Select<typeof lite.sessions>>();
    expectTypeOf<Select<typeof securityEvents>>().toEqualTypeOf<Select<typeof lite.securityEvents>>();
    expectTypeOf<Select<typeof oneTimeCodes>>().toEqualTypeOf<Select<typeof lite.oneTimeCodes>>();
    expectTypeOf<Select<typeof rateLimits>>().toEqualTypeOf<Select<typeof lite.rateLimits>>();

    // Inserts: identical, except that PostgreSQL's GENERATED ALWAYS ids take no value at all where
    // SQLite's AUTOINCREMENT ids take an optional one. Each side is still assignable to the other.
    expectTypeOf<Insert<typeof sessions>>().toEqualTypeOf<Insert<typeof lite.sessions>>();
    expectTypeOf<Insert<typeof rateLimits>>().toEqualTypeOf<Insert<typeof lite.rateLimits>>();
    expectTypeOf<Insert<typeof users>>().toEqualTypeOf<Omit<Insert<typeof lite.users>, 'id'>>();
    expectTypeOf<Insert<typeof securityEvents>>().toEqualTypeOf<Omit<Insert<typeof lite.securityEvents>, 'id'>>();
    expectTypeOf<Insert<typeof oneTimeCodes>>().toEqualTypeOf<Omit<Insert<typeof lite.oneTimeCodes>, 'id'>>();
    expectTypeOf<Insert<typeof users>>().toExtend<Insert<typeof lite.users>>();
    expectTypeOf<Insert<typeof lite.users>>().toExtend<Insert<typeof users>>();
    expectTypeOf<Insert<typeof securityEvents>>().toExtend<Insert<typeof lite.securityEvents>>();
    expectTypeOf<Insert<typeof lite.securityEvents>>().toExtend<Insert<typeof securityEvents>>();
    expectTypeOf<Insert<typeof oneTimeCodes>>().toExtend<Insert<typeof lite.oneTimeCodes>>();
    expectTypeOf<Insert<typeof lite.oneTimeCodes>>().toExtend<Insert<typeof oneTimeCodes>>();
  });
});

describe('the PostgreSQL migrations, on a throw-away server', () => {
  let cluster: PostgresCluster;
  let pool: pg.Pool;

  beforeAll(async () => {
    cluster = await startPostgres();
    pool = new pg.Pool({ connectionString: cluster.url, max: 2 });
    // A stopping server ends idle connections too; the pool reports that here, not to a query.
    pool.on('error', () => {});
    // As the application's own, non-superuser role: what production runs with.
    await migrate(drizzle({ client: pool }), { migrationsFolder: pgMigrations });
  }, 120_000);

  afterAll(async () => {
    await pool?.end();
    await cluster?.stop();
  }, 30_000);

  const sqlState = (error: unknown) => {
    for (let e = error; e; e = (e as { cause?: unknown }).cause) {
      if (typeof e === 'object' && 'code' in e) return { code: e.code, constraint: (e as { constraint?: string }).constraint };
    }
    return { code: String(error), constraint: undefined };
  };

  it('are applied by a role that is not a superuser', async () => {
    const { rows } = await pool.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
    expect(rows).toEqual([{ rolsuper: false }]);
  });

  it('create every table of the schema', async () => {
    const { rows } = await pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    const expected = Object.values(pgTables).map((t) => t.name).sort();
    expect(rows.map((r) => r.table_name)).toEqual(expected);
  });

  it('refuse a username that differs only in case', async () => {
    const db = drizzle({ client: pool });
    const now = new Date();
    const user = (username: string, email: string) => ({
      username,
      email,
      firstName: 'Ada',
      lastName: 'Lovelace',
      dateOfBirth: '1990-04-07',
      passwordHash: '$2b$10$x',
      createdAt: now,
      updatedAt: now,
    });
    const [ada] = await db.insert(pgSchema.users).values(user('ada', 'ada@example.com')).returning();
    expect(ada?.createdAt).toEqual(now);
    const error = await db
      .insert(pgSchema.users)
      .values(user('Ada', 'other@example.com'))
      .then(() => null, (e: unknown) => e);
    expect(sqlState(error)).toEqual({ code: '23505', constraint: 'users_username_lower_unique' });
  });

  it('lay out rate_limits exactly as RateLimiterPostgres would', async () => {
    const layout = async (client: pg.Pool) =>
      (
        await client.query(
          `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
             FROM information_schema.columns WHERE table_name = 'rate_limits' ORDER BY ordinal_position`,
        )
      ).rows;
    const scratch = new pg.Pool({ connectionString: await cluster.createDatabase(), max: 1 });
    try {
      await new Promise<void>((resolve, reject) => {
        new RateLimiterPostgres({ storeClient: scratch, tableName: 'rate_limits', clearExpiredByTimeout: false, points: 1, duration: 1 }, (err) =>
          err ? reject(err) : resolve(),
        );
      });
      expect(await layout(pool)).toEqual(await layout(scratch));
    } finally {
      await scratch.end();
    }

    const limiter = new RateLimiterPostgres({
      storeClient: pool,
      tableName: 'rate_limits',
      tableCreated: true,
      clearExpiredByTimeout: false,
      points: 2,
      duration: 60,
    });
    await limiter.consume('login:ada');
    await limiter.consume('login:ada');
    await expect(limiter.consume('login:ada')).rejects.toBeInstanceOf(RateLimiterRes);
  });

  it('survive the server being stopped and started again', async () => {
    await cluster.stopServer();
    await expect(pool.query('SELECT 1')).rejects.toThrow();
    await cluster.startServer();
    const { rows } = await pool.query('SELECT username FROM users');
    expect(rows).toEqual([{ username: 'ada' }]);
  }, 60_000);
});
