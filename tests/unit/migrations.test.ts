// Upgrading a database that has accounts: the migrations that add email verification mark the
// accounts made before it as verified (docs/account.md, "Verified email"), on both engines, through
// drizzle's own migrators, from the state the previous release left.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresCluster } from '../support/postgres';

const FIRST_NEW = 'email_verification';
const copies: string[] = [];
afterAll(() => copies.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A copy of a migrations folder that stops before the email-verification migrations. */
function before(engine: 'sqlite' | 'pg'): string {
  const source = path.resolve(__dirname, '../../drizzle', engine);
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), `gatehouse-migrations-${engine}-`));
  copies.push(copy);
  fs.cpSync(source, copy, { recursive: true });
  const journalFile = path.join(copy, 'meta/_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
  const cut = journal.entries.findIndex((entry) => entry.tag.endsWith(FIRST_NEW));
  expect(cut).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, cut);
  fs.writeFileSync(journalFile, JSON.stringify(journal));
  return copy;
}

const CREATED = Date.UTC(2026, 0, 2);

describe('upgrading to email verification', () => {
  it('marks the accounts a SQLite database already had as verified, with no deadline', () => {
    const sqlite = new Database(':memory:');
    const db = drizzleSqlite(sqlite);
    migrateSqlite(db, { migrationsFolder: before('sqlite') });
    sqlite
      .prepare("insert into users (username, email, first_name, last_name, date_of_birth, password_hash, created_at, updated_at) values ('ada', 'ada@x', 'A', 'L', '1990-01-01', 'h', ?, ?)")
      .run(CREATED, CREATED);
    migrateSqlite(db, { migrationsFolder: path.resolve(__dirname, '../../drizzle/sqlite') });
    expect(sqlite.prepare('select email_verified_at, verify_by from users').get()).toEqual({ email_verified_at: CREATED, verify_by: null });
    sqlite.close();
  });

  describe('on PostgreSQL', () => {
    let cluster: PostgresCluster | undefined;
    let pool: pg.Pool | undefined;
    afterAll(async () => {
      await pool?.end();
      await cluster?.stop();
    }, 30_000);

    it('marks the accounts it already had as verified, with no deadline', async () => {
      cluster = await startPostgres();
      pool = new pg.Pool({ connectionString: cluster.url, max: 1 });
      pool.on('error', () => {});
      const db = drizzlePg({ client: pool });
      await migratePg(db, { migrationsFolder: before('pg') });
      await pool.query(
        "insert into users (username, email, first_name, last_name, date_of_birth, password_hash, created_at, updated_at) values ('ada', 'ada@x', 'A', 'L', '1990-01-01', 'h', $1, $1)",
        [new Date(CREATED)],
      );
      await migratePg(db, { migrationsFolder: path.resolve(__dirname, '../../drizzle/pg') });
      const { rows } = await pool.query('select email_verified_at, verify_by from users');
      expect(rows).toEqual([{ email_verified_at: new Date(CREATED), verify_by: null }]);
    }, 120_000);
  });
});
