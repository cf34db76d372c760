// Liveness and readiness in-process (tests/support/in-process-app.ts), on a healthy database:
// SQLite in memory. tests/unit/db-unavailable.test.ts has the same probes with no database.
import { describe, expect, it } from 'vitest';
import { apiRequest } from '../support/api';
import { inProcessApp, serveApi } from '../support/in-process-app';


inProcessApp();

const get = async (path: string) => {
  return serveApi(apiRequest(`http://gatehouse.test${path}`, 'GET'));
};

describe('health probes on a healthy database', () => {
  it('liveness: /api/health answers 200 without looking at the database', async () => {
    const live = await get('/api/health');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok' });
  });

  it('readiness: /api/health/ready answers 200 once the database answers select 1', async () => {
    const ready = await get('/api/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready' });
    expect(ready.headers.get('cache-control')).toBe('no-store');
  });
});

describe('/unavailable once the database answers', () => {
  it('sends the person back where they were going', async () => {
    const { GET } = await import('@/app/unavailable/route');
    const back = await GET(new Request('http://gatehouse.test/unavailable?next=%2Faccount'));
    expect(back.status).toBe(307);
    expect(back.headers.get('location')).toBe('/account');
  });
});
