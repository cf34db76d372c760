// `npm run db:migrate`: brings DATABASE_URL (default .data/app.db) up to date, SQLite or
// PostgreSQL. The app also migrates at start, so this is for deploy pipelines that want it as a
// separate step.
import { env } from '@/lib/env';
import { databasePath, engineOf, migrateStore, openStore } from './client';

async function main() {
  const url = env().DATABASE_URL;
  const opened = openStore(url);
  try {
    await migrateStore(opened);
  } finally {
    await opened.close();
  }
  const where = engineOf(url) === 'postgres' ? `${new URL(url).host}${new URL(url).pathname}` : databasePath(url);
  console.log(`Database is up to date: ${where}`);
}

main().catch((error: unknown) => {
  console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
