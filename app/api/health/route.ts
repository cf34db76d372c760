import { json } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/route';

// Liveness, for load balancers (and the benchmark's baseline): answers without touching the
// database. Readiness, which does, is /api/health/ready.
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  async GET() {
    return json({ status: 'ok' });
  },
});
