// A crash of the production server in the middle of writes, on a server of its own (trusting one
// proxy, so each request can be its own client for the rate limits): killed, started again on
// the same data, nothing acknowledged is lost.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPerson, registration } from '../support/generators';
import { apiCall } from './support/api';
import { withServerDb } from './support/db';
import { startServer, type Server } from './support/server';
import { expectNoSecretsInLog } from './support/server-log';

let server: Server;
// Its subject is the database, not sign-up: accounts are usable at once.
const ENV = { TRUST_PROXY: '1', EMAIL_VERIFICATION: 'off' };

beforeAll(async () => {
  server = await startServer(ENV);
});
afterAll(async () => {
  await server?.stop();
});

const call = (method: string, p: string, options?: Parameters<typeof apiCall>[3]) => apiCall(server.baseUrl, method, p, options);

describe('a crash in the middle of writes', () => {
  it('keeps every acknowledged write, and the database passes integrity_check', async () => {
    const person = newPerson();
    expect((await call('POST', '/auth/register', { body: registration(person) })).status).toBe(201);
    const token: string = (await call('POST', '/auth/token', { body: { login: person.username, password: person.password } })).body.access_token;
    const acknowledged: { username: string }[] = [];
    const lastNames: string[] = [];
    let attempted = '';
    let stop = false;
    const registrations = (async () => {
      while (!stop) {
        const someone = newPerson();
        const result = await call('POST', '/auth/register', { body: registration(someone) }).catch(() => null);
        if (result?.status === 201) acknowledged.push({ username: someone.username });
      }
    })();
    const updates = (async () => {
      for (let i = 0; !stop; i += 1) {
        const lastName = `Crash${i}`;
        attempted = lastName;
        const result = await call('PATCH', `/users/${person.username}`, { token, body: { lastName } }).catch(() => null);
        if (result?.status === 200) lastNames.push(lastName);
      }
    })();
    // Both kinds of write are under way (on a busy machine that can take a while) when the power goes.
    await expect.poll(() => acknowledged.length > 0 && lastNames.length > 0, { timeout: 30_000 }).toBe(true);
    // Read in the same tick as the kill: the loop goes on trying (and failing) after it.
    const inFlight = attempted;
    await server.crash();
    stop = true;
    await Promise.all([registrations, updates]);

    const port = Number(new URL(server.baseUrl).port);
    server = await startServer(ENV, { dataDir: server.dataDir, authSecret: server.authSecret, port });
    withServerDb((db) => {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const names = new Set((db.prepare('select username from users').all() as { username: string }[]).map((u) => u.username));
      for (const { username } of acknowledged) expect(names.has(username), username).toBe(true);
    }, server.dataDir);
    // The last acknowledged update is what the server now says (or the one in flight at the kill,
    // which may have been written without being acknowledged).
    const me = await call('GET', '/me', { token });
    expect(me.status).toBe(200);
    expect([lastNames.at(-1), inFlight]).toContain(me.body.user.lastName);
    expect(fs.existsSync(path.join(server.dataDir, 'app.db'))).toBe(true);
    // Nor did the crash, or the start after it, write a secret to the log.
    expectNoSecretsInLog(server.log, [person.password, token]);
  });
});
