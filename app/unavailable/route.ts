import { databaseReady } from '@/lib/db/readiness';
import { safeNext } from '@/lib/routes';
import { unavailablePage } from '@/lib/unavailable';

// Where a page that couldn't reach the database sends the person (lib/auth/dal.ts): a 503 with
// Retry-After, which a page itself can't answer (lib/unavailable.ts). Once the database answers
// again, it sends them back, so reloading this page is enough.
export async function GET(request: Request) {
  const next = safeNext(new URL(request.url).searchParams.get('next'), '/');
  if (!(await databaseReady())) return unavailablePage(next);
  // Relative, as in app/auth/refresh/route.ts: request.url names the server's own host.
  return new Response(null, { status: 307, headers: { Location: next, 'Cache-Control': 'no-store' } });
}
