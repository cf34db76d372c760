import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { env } from '@/lib/env';
import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** Resolves DATABASE_URL ("file:./x.db", "./x.db" or ":memory:") to what better-sqlite3 opens. */
export function databasePath(url = env().DATABASE_URL): string {
  const value = url.trim();
  if (value === ':memory:') return value;
  return path.resolve(value.replace(/^file:/, ''));
}

export function openDb(url?: string): Db {
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
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: path.join(process.cwd(), 'drizzle') });
  return db;
}

// Opened on first use, not at import: `next build` imports server modules to collect page data,
// and must not create or migrate a database. One instance survives dev hot reloads via globalThis.
const holder = globalThis as unknown as { gatehouseDb?: Db };

export function getDb(): Db {
  holder.gatehouseDb ??= openDb();
  return holder.gatehouseDb;
}
