import 'server-only';
import { engineOf, migrateStore } from '@/lib/db/client';
import { env } from '@/lib/env';
import { isProduction } from '@/lib/env-edge';
import { startRetention } from '@/lib/retention';

/**
 * What a server process does before its first request (instrumentation.ts calls it in the Node
 * runtime). Next would log a failure here and serve anyway, every request failing; a server that
 * can't work stops instead, with one line saying why (a bad setting names every bad variable).
 */
export async function startServerProcess(): Promise<void> {
  try {
    const settings = env();
    // Once per server, not once per worker: the notice, and the retention job (every run deletes
    // what is due, so one process per server is enough; instances may run it side by side).
    const housekeeper = settings.GATEHOUSE_HOUSEKEEPER;
    // PostgreSQL is how several instances share one database; each must then run the same build,
    // or share the key its server actions are encrypted with (docs/deployment.md).
    if (housekeeper && engineOf(settings.DATABASE_URL) === 'postgres' && !settings.NEXT_SERVER_ACTIONS_ENCRYPTION_KEY && isProduction()) {
      console.warn('Gatehouse: NEXT_SERVER_ACTIONS_ENCRYPTION_KEY is not set; forms work across instances only if every instance runs this same build (docs/deployment.md).');
    }
    // The schema is brought up to date before the first request (on PostgreSQL, one instance at a
    // time), and a database that can't be reached stops the start with its reason.
    await migrateStore();
    if (housekeeper) startRetention();
  } catch (error) {
    console.error(`Gatehouse cannot start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
