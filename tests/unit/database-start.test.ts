// A server's start on PostgreSQL (lib/db/client.ts, migrateStore): a database that is not up yet
// is waited for, instances starting together take turns on the migrations, and a database that
// refuses the app (a wrong password) stops the start at once. A cluster of this file's own, since
// the test stops and starts it.
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startPostgres, type PostgresCluster } from '../support/postgres';

let cluster: PostgresCluster;
let client: typeof import('@/lib/db/client');
const opened: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  cluster = await startPostgres();
  process.env.AUTH_SECRET ??= 'unit-test-secret-that-is-at-least-32-bytes-long';
  process.env.DATABASE_URL = cluster.url;
  client = await import('@/lib/db/client');
}, 60_000);

afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()));
  await cluster?.stop();
});

const open = (url: string) => {
  const store = client.openStore(url);
  opened.push(store);
  return store;
};

const query = async <Row extends object>(url: string, sql: string) => {
  const store = open(url);
  if (store.engine !== 'postgres') throw new Error('expected PostgreSQL');
  return (await store.pool.query<Row>(sql)).rows;
};
const tablesIn = async (url: string) =>
  (await query<{ name: string }>(url, "select table_name as name from information_schema.tables where table_schema = 'public'")).map((row) => row.name);
const MIGRATIONS = (JSON.parse(fs.readFileSync('drizzle/pg/meta/_journal.json', 'utf8')) as { entries: unknown[] }).entries.length;

describe('starting on PostgreSQL', () => {
  it('waits for a database that is not up yet, says so once, and migrates when it is', async () => {
    const url = await cluster.createDatabase();
    await cluster.stopServer();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const started = client.migrateStore(open(url));
    try {
      await vi.waitFor(() => expect(warn).toHaveBeenCalled(), { timeout: 10_000 });
    } finally {
      // Up again whatever happened, for the tests after this one.
      await cluster.startServer();
    }
    await started;
    expect(warn.mock.calls).toEqual([[expect.stringMatching(/^\[start\] database unavailable: ECONNREFUSED/)]]);
    expect(await tablesIn(url)).toContain('users');
  });

  it('instances starting together: one migrates, the others wait for the lock and find it done', async () => {
    const url = await cluster.createDatabase();
    await Promise.all([1, 2, 3].map(() => client.migrateStore(open(url))));
    expect(await tablesIn(url)).toEqual(expect.arrayContaining(['users', 'sessions']));
    // Each migration applied once.
    expect(await query(url, 'select count(*)::int as applied from drizzle.__drizzle_migrations')).toEqual([{ applied: MIGRATIONS }]);
  });

  it('stops at once on a database that refuses it, without waiting', async () => {
    const wrong = new URL(cluster.url);
    wrong.password = 'not-the-password';
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await expect(client.migrateStore(open(wrong.toString()))).rejects.toMatchObject({ code: '28P01' });
    expect(warn).not.toHaveBeenCalled();
  });
});
