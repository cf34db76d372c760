// `npm run db:migrate`: applies drizzle/ to DATABASE_URL (default .data/app.db). The app also
// migrates on first use, so this is for deploy pipelines that want it as a separate step.
import { databasePath, openDb } from './client';

try {
  openDb().$client.close();
  console.log(`Database is up to date: ${databasePath()}`);
} catch (error) {
  console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
