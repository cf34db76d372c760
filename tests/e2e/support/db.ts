import path from 'node:path';
import Database from 'better-sqlite3';
import { dataDir } from './shared-server';

/**
 * Opens a server's database (by default the shared server's) beside it (WAL allows a second
 * connection), to look at records or age them as time would. Close it when done.
 */
export function serverDb(serverDataDir: string = dataDir(), options?: Database.Options): Database.Database {
  return new Database(path.join(serverDataDir, 'app.db'), options);
}

/** Runs `work` on a connection to a server's database, and closes it. */
export function withServerDb<T>(work: (db: Database.Database) => T, serverDataDir: string = dataDir()): T {
  const db = serverDb(serverDataDir);
  try {
    return work(db);
  } finally {
    db.close();
  }
}
