// `npm run db:migrate`: brings DATABASE_URL (default .data/app.db) up to date, SQLite or
// PostgreSQL. The app also migrates at start, so this is for deploy pipelines that want it as a
// separate step.
import { closeStore, databasePath, engineOf, migrateStore, openStore } from './client';
import { env } from '@/lib/env';

const url = env().DATABASE_URL;
try {
  const opened = openStore(url);
  await migrateStore(opened);
  await opened.close();
  console.log(`Database is up to date: ${engineOf(url) === 'postgres' ? new URL(url).host + new URL(url).pathname : databasePath(url)}`);
} catch (error) {
  console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
} finally {
  await closeStore();
}
