// The retention job runs inside the production server, started by instrumentation.ts: records
// aged while the server was down are gone shortly after it starts again, and fresh ones stay.
// The boundaries themselves are in unit/retention.test.ts.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { newPerson, registration } from '../support/generators';
import { waitForMail } from '../support/outbox';
import { apiCall } from './support/api';
import { serverDb } from './support/db';
import { startServer, type Server } from './support/server';

const DAY = 24 * 60 * 60 * 1000;
let server: Server | undefined;

afterAll(async () => {
  await server?.stop();
});

it('deletes what is past its period shortly after the server starts, and nothing else', async () => {
  const first = await startServer();
  const person = newPerson();
  // Unverified (EMAIL_VERIFICATION=required, the default), but new: it stays.
  expect((await apiCall(first.baseUrl, 'POST', '/auth/register', { body: registration(person) })).status).toBe(202);
  await waitForMail(person.email, first.dataDir);
  expect((await apiCall(first.baseUrl, 'POST', '/auth/token', { body: { login: person.username, password: 'wrong' } })).status).toBe(401);
  await first.crash();

  const now = Date.now();
  const db = serverDb(first.dataDir);
  const { id: userId } = db.prepare('select id from users').get() as { id: number };
  // Accounts 8 days old: a sign-up under `required` past its deadline (the default gives 7 days)
  // goes; a verified one and one made in another mode (no deadline) stay.
  const insertUser = db.prepare(
    "insert into users (username, email, first_name, last_name, date_of_birth, password_hash, email_verified_at, verify_by, created_at, updated_at) values (?, ?, 'A', 'B', '1990-01-01', 'x', ?, ?, ?, ?)",
  );
  insertUser.run('aged', 'aged@example.com', null, now - DAY, now - 8 * DAY, now - 8 * DAY);
  insertUser.run('oldverified', 'old@example.com', now - 8 * DAY, now - DAY, now - 8 * DAY, now - 8 * DAY);
  insertUser.run('oldoptional', 'optional@example.com', null, null, now - 8 * DAY, now - 8 * DAY);
  // The failed login's per-IP counter has run out; its per-account one still counts.
  expect(db.prepare("update rate_limits set expire = ? where key like 'LOGIN_IP%'").run(now - 1000).changes).toBe(1);
  db.prepare("insert into security_events (user_id, type, ip, created_at) values (?, 'login', 'aged', ?)").run(userId, now - 400 * DAY);
  db.prepare('insert into sessions (id, user_id, created_at, last_seen_at, expires_at, revoked_at) values (?, ?, ?, ?, ?, ?)').run(
    'aged',
    userId,
    now - 60 * DAY,
    now - 60 * DAY,
    now - 53 * DAY,
    now - 59 * DAY,
  );
  db.prepare("insert into one_time_codes (user_id, purpose, email, code_hash, created_at, expires_at) values (?, 'password_reset', 'aged', 'x', ?, ?)").run(
    userId,
    now - 3 * DAY,
    now - 3 * DAY + 600_000,
  );
  const column = (query: string) => db.prepare(query).pluck().all().map((value) => String(value).split(':')[0]!);
  const rows = () => ({
    rateLimits: column('select key from rate_limits order by key'),
    securityEvents: column('select ip from security_events order by id'),
    sessions: column('select id from sessions order by id'),
    codes: column('select email from one_time_codes order by id'),
    users: column('select username from users order by id'),
  });
  const before = rows();
  const outbox = path.join(first.dataDir, 'outbox');
  fs.mkdirSync(outbox, { recursive: true });
  fs.writeFileSync(path.join(outbox, `${now - 8 * DAY}-0123abcd.json`), '{}');
  fs.writeFileSync(path.join(outbox, `${now}-0123abcd.json`), '{}');
  const keptMail = fs.readdirSync(outbox).filter((name) => !name.startsWith(`${now - 8 * DAY}-`)).sort();

  // Two workers, as `npm start` runs on this machine: one of them runs the job (tests/e2e/cluster.test.ts).
  server = await startServer({ WEB_CONCURRENCY: '2' }, { dataDir: first.dataDir, authSecret: first.authSecret, port: Number(new URL(first.baseUrl).port) });
  // The job's first run is due 10 s after start; outbox mail is its last step.
  await expect.poll(() => fs.readdirSync(outbox).sort(), { timeout: 30_000, interval: 500 }).toEqual(keptMail);
  const aged = (name: string) => name === 'aged' || name === 'LOGIN_IP';
  expect(Object.values(before).map((names) => names.filter(aged))).toEqual([['LOGIN_IP'], ['aged'], ['aged'], ['aged'], ['aged']]);
  expect(rows()).toEqual(Object.fromEntries(Object.entries(before).map(([table, names]) => [table, names.filter((name) => !aged(name))])));
  db.close();
  expect(fs.readFileSync(server.log, 'utf8')).not.toContain('[retention]');
});
