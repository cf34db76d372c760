// A full hashing queue, in-process (tests/support/in-process-app.ts) with one hashing thread and
// room for one password waiting: the API answers "busy" instead of queueing without end.
import { describe, expect, it } from 'vitest';
import { newPerson, registration } from '../support/generators';
import { inProcessApp } from '../support/in-process-app';


const { api } = inProcessApp({ PASSWORD_HASH_THREADS: '1', PASSWORD_HASH_QUEUE: '1', EMAIL_VERIFICATION: 'off' });

describe('a full hashing queue', () => {
  it('answers 503 busy with Retry-After, never a 500, and changes nothing', async () => {
    const person = newPerson();
    expect((await api('POST', '/auth/register', { body: registration(person) })).status).toBe(201);
    const results = await Promise.all(
      Array.from({ length: 12 }, () => api('POST', '/auth/token', { body: { login: newPerson().username, password: 'whatever it is' } })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 401 || s === 503)).toBe(true);
    const busy = results.find((r) => r.status === 503)!;
    expect(busy.body.error.code).toBe('busy');
    expect(busy.headers.get('retry-after')).toBe('5');
    // Busy answers cost no tries: the account still logs in.
    expect((await api('POST', '/auth/token', { body: { login: person.username, password: person.password } })).status).toBe(200);
  });
});
