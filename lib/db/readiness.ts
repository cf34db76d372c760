import 'server-only';
import { store } from './client';

/**
 * Whether the app's database answers `select 1` within `timeoutMs`: for readiness probes, which
 * must answer well before a load balancer gives up on them, so sooner than DATABASE_TIMEOUT_MS.
 * (A PostgreSQL connection or query still pending when the time is up ends by the pool's own
 * timeouts.)
 */
export async function databaseReady(timeoutMs = 2_000): Promise<boolean> {
  const probe = (async () => {
    const current = store();
    if (current.engine === 'sqlite') current.sqlite.prepare('select 1').get();
    else await current.pool.query('select 1');
    return true;
  })().catch(() => false);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(resolve, timeoutMs, false)));
  try {
    return await Promise.race([probe, late]);
  } finally {
    clearTimeout(timer);
  }
}
