import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

process.env.DATABASE_URL = ':memory:';
const outbox = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-retention-'));
process.env.MAIL_OUTBOX_DIR = outbox;
const { getDb } = await import('@/lib/db/client');
const { oneTimeCodes, rateLimits, securityEvents, sessions, users } = await import('@/lib/db/schema');
const { insertUser } = await import('@/lib/db/queries/users');
const { FIRST_RUN_AFTER_MS, KEEP, RUN_EVERY_MS, runRetention, startRetention } = await import('@/lib/retention');

const now = new Date('2026-11-24T12:00:00Z');
const T = now.getTime();
const HOUR = 60 * 60 * 1000;
const nothing = { rateLimits: 0, sessions: 0, codes: 0, securityEvents: 0, outboxFiles: 0 };
let userId: number;

beforeEach(() => {
  for (const table of [rateLimits, securityEvents, oneTimeCodes, sessions, users]) getDb().delete(table).run();
  fs.rmSync(outbox, { recursive: true, force: true });
  fs.mkdirSync(outbox);
  userId = insertUser({
    username: 'Ada',
    email: 'ada@example.com',
    firstName: 'Ada',
    lastName: 'Lovelace',
    dateOfBirth: '1990-04-07',
    passwordHash: '$2b$10$x',
  }).id;
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

afterAll(() => fs.rmSync(outbox, { recursive: true, force: true }));

/** Waits until a run has finished and scheduled the next. */
const ran = () => vi.waitFor(() => expect(vi.getTimerCount()).toBe(1));
const limiterRow = (key: string, expire: number | null) => getDb().insert(rateLimits).values({ key, points: 1, expire }).run();
const left = () => ({
  rateLimits: getDb().select().from(rateLimits).all().map((r) => r.key).sort(),
  sessions: getDb().select().from(sessions).all().map((r) => r.id).sort(),
  codes: getDb().select().from(oneTimeCodes).all().map((r) => r.email).sort(),
  securityEvents: getDb().select().from(securityEvents).all().map((r) => r.ip).sort(),
  outbox: fs.readdirSync(outbox).sort(),
});

/** Rows and files on both sides of every boundary, named for what should become of them. */
function fixture() {
  limiterRow('kept-until-next-ms', T + 1);
  limiterRow('gone-expires-now', T);
  limiterRow('gone-expired', T - HOUR);
  limiterRow('gone-no-expiry', null);

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
      })
      .run();
  session('kept-live', T + HOUR, null);
  session('kept-revoked-at-boundary', T + HOUR, ended);
  session('gone-revoked-before', T + HOUR, ended - 1);
  session('kept-expired-at-boundary', ended, null);
  session('gone-expired-before', ended - 1, null);
  // Revoked only after it had expired: it ended at its expiry.
  session('gone-revoked-after-expiry', ended - 1, T - HOUR);

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
      })
      .run();
  // The send limit (lib/auth/otp.ts) counts the last hour's codes, used ones included.
  code('kept-used-within-the-hour@x', T - HOUR + 1, T - 50 * 60_000, T - 55 * 60_000);
  code('kept-expired-at-boundary@x', expired - 10 * 60_000, expired, null);
  code('gone-expired-before@x', expired - 10 * 60_000 - 1, expired - 1, null);
  code('gone-used-expired-before@x', expired - 10 * 60_000 - 1, expired - 1, expired - 5 * 60_000);

  const year = T - KEEP.securityEvents;
  const event = (ip: string, createdAt: number) =>
    getDb().insert(securityEvents).values({ userId, type: 'login', ip, userAgent: null, createdAt: new Date(createdAt) }).run();
  event('kept-at-boundary', year);
  event('gone-before', year - 1);

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
  outbox: [`${T - KEEP.outboxMail}-0a1b2c3d.json`, `${T - KEEP.outboxMail - 1}-not-ours.json`, `${T}-0a1b2c3d.json`, 'README.txt'].sort(),
};

describe('the retention job', () => {
  it('deletes exactly what is past its period, and a second run nothing more', async () => {
    fixture();
    expect(await runRetention(now)).toEqual({ rateLimits: 3, sessions: 3, codes: 2, securityEvents: 1, outboxFiles: 2 });
    expect(left()).toEqual(kept);
    expect(await runRetention(now)).toEqual(nothing);
    expect(left()).toEqual(kept);
  });

  it('works through a backlog larger than one batch', async () => {
    const old = new Date(T - KEEP.securityEvents - 1);
    const rows = Array.from({ length: 2500 }, () => ({ userId, type: 'login' as const, createdAt: old }));
    getDb().insert(securityEvents).values(rows).run();
    expect((await runRetention(now)).securityEvents).toBe(2500);
    expect(getDb().select().from(securityEvents).all()).toEqual([]);
  });

  it('may run in several processes at once', async () => {
    fixture();
    // A file another process deleted between our listing and our delete.
    const listed = [...fs.readdirSync(outbox), `${T - KEEP.outboxMail - 1}-ffffffff.json`];
    vi.spyOn(fsp, 'readdir').mockResolvedValueOnce(listed as never);
    const [a, b] = await Promise.all([runRetention(now), runRetention(now)]);
    expect(a.sessions + b.sessions).toBe(3);
    expect(left()).toEqual(kept);
  });

  it('runs shortly after start, then hourly, and logs a failure in one line without stopping', async () => {
    vi.useFakeTimers({ now, toFake: ['setTimeout', 'Date'] });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    startRetention();
    limiterRow('dead', T - 1);
    await vi.advanceTimersByTimeAsync(FIRST_RUN_AFTER_MS - 1);
    expect(left().rateLimits).toEqual(['dead']);
    await vi.advanceTimersByTimeAsync(1);
    await ran();
    expect(left().rateLimits).toEqual([]);

    getDb().$client.exec("CREATE TEMP TRIGGER refuse BEFORE DELETE ON rate_limits BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
    limiterRow('dead', Date.now() - 1);
    await vi.advanceTimersByTimeAsync(RUN_EVERY_MS);
    await ran();
    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged.mock.calls[0]).toHaveLength(1);
    expect(logged.mock.calls[0]![0]).toBe('[retention] failed: disk on fire');

    getDb().$client.exec('DROP TRIGGER refuse');
    await vi.advanceTimersByTimeAsync(RUN_EVERY_MS);
    await ran();
    expect(left().rateLimits).toEqual([]);
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
