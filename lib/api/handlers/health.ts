import 'server-only';
import { databaseUnavailable } from '@/lib/account/failure';
import { databaseReady } from '@/lib/db/readiness';
import { failureError, json } from '../errors';
import { openApiDocument } from '../openapi';
import type { Methods } from '../route';

/**
 * Liveness, for load balancers (and the benchmark's baseline): answers without touching the
 * database.
 */
export const health: Methods = {
  async GET() {
    return json({ status: 'ok' });
  },
};

/**
 * Readiness, for load balancers and orchestrators: can this instance serve, i.e. reach its
 * database?
 */
export const ready: Methods = {
  async GET() {
    if (await databaseReady()) return json({ status: 'ready' });
    throw failureError(databaseUnavailable());
  },
};

export const openApi: Methods = {
  async GET() {
    return json(openApiDocument());
  },
};
