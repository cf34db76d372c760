import { json } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/route';

// For load balancers (and the benchmark's baseline): answers without touching the database.
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  async GET() {
    return json({ status: 'ok' });
  },
});
