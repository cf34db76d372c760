import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';

import { emptyDatabase, useTestDatabase } from '../support/database';

const outbox = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-retention-'));
await useTestDatabase({ MAIL_OUTBOX_DIR: outbox });
const { getDb, getTables, store } = await import('@/lib/db/client');
const { loginChallenges, oneTimeCodes, rateLimits, securityEvents, sessions, totpFactors, webauthnChallenges } = getTables();
const { insertUser, markEmailVerified } = await import('@/lib/db/queries/users');
const { FIRST_RUN_AFTER_MS, KEEP, RUN_EVERY_MS, runRetention, startRetention } = await import('@/lib/retention');

const now = new Date('2026-11-24T12:00:00Z');
const T = now.getTime();
const HOUR = 60 * 60 * 1000;
const nothing = { rateLimits: 0, sessions: 0, codes: 0, securityEvents: 0, unverifiedAccounts: 0, loginChallenges: 0, unconfirmedTotp: 0, webauthnChallenges: 0, outboxFiles: 0 };
let userId: number;

beforeEach(async () => {
  await emptyDatabase();
  fs.rmSync(outbox, { recursive: true, force: true });
  fs.mkdirSync(outbox);
  userId = (
    await insertUser({
    username: 'Ada',
    email: 'ada@example.com',
    firstName: 'Ada',
    lastName: 'Lovelace',
    dateOfBirth: '1990-04-07',
    passwordHash: '$2b$10$x',
    })
  ).id;
});

afterEach(() => {
  // Mocks first: a spy on a faked timer would otherwise put the fake back.
  vi.restoreAllMocks();
  vi.useRealTimers();
});

afterAll(() => fs.rmSync(outbox, { recursive: true, force: true }));

const limiterRow = (key: string, expire: number | null) => getDb().insert(rateLimits).values({ key, points: 1, expire });
const left = async () => ({
  rateLimits: (await getDb().select().from(rateLimits)).map((r) => r.key).sort(),
  sessions: (await getDb().select().from(sessions)).map((r) => r.id).sort(),
  codes: (await getDb().select().from(oneTimeCodes)).map((r) => r.email).sort(),
  securityEvents: (await getDb().select().from(securityEvents)).map((r) => r.ip).sort(),
  users: (await getDb().select().from(getTables().users)).map((r) => r.username).sort(),
  challenges: (await getDb().select().from(loginChallenges)).map((r) => r.id).sort(),
  totp: (await getDb().select().from(totpFactors)).map((r) => r.secret).sort(),
  webauthn: (await getDb().select().from(webauthnChallenges)).map((r) => r.id).sort(),
  outbox: fs.readdirSync(outbox).sort(),
});

/** Rows and files on both sides of every boundary, named for what should become of them. */
async function fixture() {
  await limiterRow('kept-until-next-ms', T + 1);
  await limiterRow('gone-expires-now', T);
  await limiterRow('gone-expired', T - HOUR);
  await limiterRow('gone-no-expiry', null);

  const ended = T - KEEP.endedSessions;
  const session = (id: string, expiresAt: number, revokedAt: number | null) =>
    getDb()
      .insert(sessions)
      .values({
        id,
        userId,
        createdAt: new Date(expiresAt - 7 * 24 * HOUR),
        lastSeenAt: new Date(expiresAt - 7 * 24 * HOUR),
        expiresAt: new Date(expiresAt),
        revokedAt: revokedAt === null ? null : new Date(revokedAt),
      });
  await session('kept-live', T + HOUR, null);
  await session('kept-revoked-at-boundary', T + HOUR, ended);
  await session('gone-revoked-before', T + HOUR, ended - 1);
  await session('kept-expired-at-boundary', ended, null);
  await session('gone-expired-before', ended - 1, null);
  // Revoked only after it had expired: it ended at its expiry.
  await session('gone-revoked-after-expiry', ended - 1, T - HOUR);

  const expired = T - KEEP.expiredCodes;
  const code = (email: string, createdAt: number, expiresAt: number, usedAt: number | null) =>
    getDb()
      .insert(oneTimeCodes)
      .values({
        userId,
        purpose: 'password_reset',
        email,
        codeHash: 'x',
        createdAt: new Date(createdAt),
        expiresAt: new Date(expiresAt),
        usedAt: usedAt === null ? null : new Date(usedAt),
      });
  // The send limit (lib/auth/otp.ts) counts the last hour's codes, used ones included.
  await code('kept-used-within-the-hour@x', T - HOUR + 1, T - 50 * 60_000, T - 55 * 60_000);
  await code('kept-expired-at-boundary@x', expired - 10 * 60_000, expired, null);
  await code('gone-expired-before@x', expired - 10 * 60_000 - 1, expired - 1, null);
  await code('gone-used-expired-before@x', expired - 10 * 60_000 - 1, expired - 1, expired - 5 * 60_000);

  const year = T - KEEP.securityEvents;
  const event = (ip: string, createdAt: number) =>
    getDb().insert(securityEvents).values({ userId, type: 'login', ip, userAgent: null, createdAt: new Date(createdAt) });
  await event('kept-at-boundary', year);
  await event('gone-before', year - 1);

  // Sign-ups under EMAIL_VERIFICATION=required carry a deadline (verify_by); the other modes' none.
  const account = (username: string, verifyBy?: number) =>
    insertUser({ username, email: `${username}@x`, firstName: 'A', lastName: 'B', dateOfBirth: '1990-01-01', passwordHash: 'x', verifyBy: verifyBy === undefined ? undefined : new Date(verifyBy) }, new Date(T - 30 * 24 * HOUR));
  await account('keptUnverifiedAtDeadline', T);
  await account('goneUnverifiedPastDeadline', T - 1);
  await account('keptUnverifiedWithoutDeadline');
  const verified = await account('keptVerifiedPastDeadline', T - 1);
  await markEmailVerified(verified.id, verified.email, new Date(T - 2));

  // Second-step challenges (each lives 5 minutes), and authenticator-app setups never confirmed.
  const challenge = (id: string, expiresAt: number) =>
    getDb().insert(loginChallenges).values({ id, userId, remember: 0, createdAt: new Date(expiresAt - 5 * 60_000), expiresAt: new Date(expiresAt) });
  await challenge('kept-expired-at-boundary', T - KEEP.expiredChallenges);
  await challenge('gone-expired-before', T - KEEP.expiredChallenges - 1);
  const webauthn = (id: string, expiresAt: number) =>
    getDb().insert(webauthnChallenges).values({ id, purpose: 'sign_in', createdAt: new Date(expiresAt - 5 * 60_000), expiresAt: new Date(expiresAt) });
  await webauthn('kept-expired-at-boundary', T - KEEP.expiredChallenges);
  await webauthn('gone-expired-before', T - KEEP.expiredChallenges - 1);
  const setup = async (secret: string, createdAt: number, confirmed: boolean) => {
    const owner = await account(secret);
    await getDb().insert(totpFactors).values({ userId: owner.id, secret, createdAt: new Date(createdAt), confirmedAt: confirmed ? new Date(createdAt) : null });
  };
  await setup('keptConfirmedLongAgo', T - 365 * 24 * HOUR, true);
  await setup('keptUnconfirmedAtBoundary', T - KEEP.unconfirmedTotp, false);
  await setup('goneUnconfirmedBefore', T - KEEP.unconfirmedTotp - 1, false);

  const week = T - KEEP.outboxMail;
  for (const name of [
    `${week}-0a1b2c3d.json`,
    `${week - 1}-0a1b2c3d.json`,
    `${week - 1}-0a1b2c3d.json.tmp`,
    `${T}-0a1b2c3d.json`,
    `${week - 1}-not-ours.json`,
    'README.txt',
  ]) {
    fs.writeFileSync(path.join(outbox, name), '{}');
  }
}

const kept = {
  rateLimits: ['kept-until-next-ms'],
  sessions: ['kept-expired-at-boundary', 'kept-live', 'kept-revoked-at-boundary'],
  codes: ['kept-expired-at-boundary@x', 'kept-used-within-the-hour@x'],
  securityEvents: ['kept-at-boundary'],
  users: [
    'Ada',
    'keptUnverifiedAtDeadline',
    'keptUnverifiedWithoutDeadline',
    'keptVerifiedPastDeadline',
    'keptConfirmedLongAgo',
    'keptUnconfirmedAtBoundary',
    'goneUnconfirmedBefore',
  ].sort(),
  challenges: ['kept-expired-at-boundary'],
  totp: ['keptConfirmedLongAgo', 'keptUnconfirmedAtBoundary'].sort(),
  webauthn: ['kept-expired-at-boundary'],
  outbox: [`${T - KEEP.outboxMail}-0a1b2c3d.json`, `${T - KEEP.outboxMail - 1}-not-ours.json`, `${T}-0a1b2c3d.json`, 'README.txt'].sort(),
};

describe('the retention job', () => {
  it('deletes exactly what is past its period, and a second run nothing more', async () => {
    await fixture();
    expect(await runRetention(now)).toEqual({ rateLimits: 3, sessions: 3, codes: 2, securityEvents: 1, unverifiedAccounts: 1, loginChallenges: 1, unconfirmedTotp: 1, webauthnChallenges: 1, outboxFiles: 2 });
    expect(await left()).toEqual(kept);
    expect(await runRetention(now)).toEqual(nothing);
    expect(await left()).toEqual(kept);
  });

  it('works through a backlog larger than one batch', async () => {
    const old = new Date(T - KEEP.securityEvents - 1);
    const rows = Array.from({ length: 2500 }, () => ({ userId, type: 'login' as const, createdAt: old }));
    await getDb().insert(securityEvents).values(rows);
    expect((await runRetention(now)).securityEvents).toBe(2500);
    expect(await getDb().select().from(securityEvents)).toEqual([]);
  });

  it('may run in several processes at once', async () => {
    await fixture();
    // A file another process deleted between our listing and our delete.
    const listed = [...fs.readdirSync(outbox), `${T - KEEP.outboxMail - 1}-ffffffff.json`];
    vi.spyOn(fsp, 'readdir').mockResolvedValueOnce(listed as never);
    const [a, b] = await Promise.all([runRetention(now), runRetention(now)]);
    expect(a.sessions + b.sessions).toBe(3);
    expect(await left()).toEqual(kept);
  });

  it('runs shortly after start, then hourly, and logs a failure in one line without stopping', async () => {
    vi.useFakeTimers({ now, toFake: ['setTimeout', 'Date'] });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    // The job's own lines, each one whole call (an hour of fake time also ages the pool's idle connections).
    const jobLines = () => logged.mock.calls.filter(([line]) => String(line).startsWith('[retention]')).map((call) => call.join(' '));
    // A run is over when it has scheduled the next one: what it deletes may be gone while it still
    // works on later steps, and the database's own timers make counting all timers useless.
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const runsOver = () => timers.mock.calls.filter(([, ms]) => ms === RUN_EVERY_MS).length;
    startRetention();
    await limiterRow('dead', T - 1);
    await vi.advanceTimersByTimeAsync(FIRST_RUN_AFTER_MS - 1);
    expect((await left()).rateLimits).toEqual(['dead']);
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(runsOver()).toBe(1));
    expect((await left()).rateLimits).toEqual([]);

    // A database that refuses the job's deletes.
    const database = store();
    if (database.engine === 'postgres') {
      await database.pool.query("create or replace function refuse() returns trigger language plpgsql as $$ begin raise exception 'disk on fire'; end $$");
      await database.pool.query('create trigger refuse before delete on rate_limits for each row execute function refuse()');
    } else {
      database.sqlite.exec("CREATE TEMP TRIGGER refuse BEFORE DELETE ON rate_limits BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
    }
    const allowDeletes = async () => {
      if (database.engine === 'postgres') await database.pool.query('drop trigger if exists refuse on rate_limits');
      else database.sqlite.exec('DROP TRIGGER IF EXISTS refuse');
    };
    onTestFinished(allowDeletes);
    await limiterRow('dead', Date.now() - 1);
    await vi.advanceTimersByTimeAsync(RUN_EVERY_MS);
    await vi.waitFor(() => expect(runsOver()).toBe(2));
    // The driver's code, kind and words (lib/db/client.ts errorLine).
    const failed = database.engine === 'postgres' ? '[retention] failed: P0001 error: disk on fire' : '[retention] failed: SQLITE_CONSTRAINT_TRIGGER SqliteError: disk on fire';
    expect(jobLines()).toEqual([failed]);

    await allowDeletes();
    await vi.advanceTimersByTimeAsync(RUN_EVERY_MS);
    await vi.waitFor(() => expect(runsOver()).toBe(3));
    expect((await left()).rateLimits).toEqual([]);
    expect(jobLines()).toEqual([failed]);
  });

  it('never keeps the process alive', async () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const child = spawn(
      process.execPath,
      [path.join(root, 'node_modules/tsx/dist/cli.mjs'), '--conditions=react-server', '-e', "require('./lib/retention').startRetention()"],
      { cwd: root, env: { ...process.env, DATABASE_URL: ':memory:' }, stdio: 'ignore' },
    );
    const timer = setTimeout(() => child.kill(), FIRST_RUN_AFTER_MS);
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
    clearTimeout(timer);
    // Exiting before the first run is due: the pending timer held nothing open.
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });
});
