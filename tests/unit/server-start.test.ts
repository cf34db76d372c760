// What each server process does before its first request (lib/server-start.ts): every one
// migrates; only the housekeeper, one per server (scripts/server.mjs picks it among its workers),
// runs the hourly retention job.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const { startRetention } = vi.hoisted(() => ({ startRetention: vi.fn() }));
vi.mock('@/lib/retention', () => ({ startRetention }));

beforeEach(() => {
  vi.resetModules();
  startRetention.mockClear();
  process.env.AUTH_SECRET ??= 'unit-test-secret-that-is-at-least-32-bytes-long';
  process.env.DATABASE_URL = ':memory:';
  delete process.env.GATEHOUSE_HOUSEKEEPER;
});

async function start(): Promise<void> {
  const { startServerProcess } = await import('@/lib/server-start');
  await startServerProcess();
}

describe('starting a server process', () => {
  it('on its own: migrates and runs the retention job', async () => {
    await start();
    expect(startRetention).toHaveBeenCalledTimes(1);
    const { getDb, getTables } = await import('@/lib/db/client');
    expect(await getDb().select().from(getTables().users)).toEqual([]);
  });

  it('a worker the primary made housekeeper runs the job; the others do not', async () => {
    process.env.GATEHOUSE_HOUSEKEEPER = '1';
    await start();
    expect(startRetention).toHaveBeenCalledTimes(1);

    vi.resetModules();
    process.env.GATEHOUSE_HOUSEKEEPER = '0';
    await start();
    expect(startRetention).toHaveBeenCalledTimes(1);
  });
});
