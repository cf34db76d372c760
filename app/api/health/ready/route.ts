import { failureError, json } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/route';
import { databaseUnavailable } from '@/lib/account/failure';
import { databaseReady } from '@/lib/db/readiness';

// Readiness, for load balancers and orchestrators: can this instance serve, i.e. reach its
// database? (/api/health is liveness: the process answers, whatever the database does.)
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  async GET() {
    if (await databaseReady()) return json({ status: 'ready' });
    throw failureError(databaseUnavailable());
  },
});
