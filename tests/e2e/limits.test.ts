// A server that trusts no proxy counts its limits on the socket's address (127.0.0.1), whatever
// X-Forwarded-For says: on a server of its own, with time passing by ageing the counters in its
// database. The limits' numbers are in tests/unit/api-limits.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPerson, registration } from '../support/generators';
import { apiCall } from './support/api';
import { withServerDb } from './support/db';
import { startServer, type Server } from './support/server';

let server: Server;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

const register = (ip: string) => apiCall(server.baseUrl, 'POST', '/auth/register', { body: registration(newPerson()), ip });

describe('registration', () => {
  it('allows 10 an hour from one client, whatever X-Forwarded-For claims', async () => {
    for (let i = 0; i < 10; i += 1) expect((await register(`203.0.113.${i}`)).status).toBe(202);
    const refused = await register('203.0.113.99');
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('too_many_requests');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3000);
    // The window ends, as if its time had passed.
    withServerDb((db) => db.prepare("update rate_limits set expire = ? where key like 'REGISTER_IP%'").run(Date.now() - 1000), server.dataDir);
    expect((await register('203.0.113.100')).status).toBe(202);
  });
});
