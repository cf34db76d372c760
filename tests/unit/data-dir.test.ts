import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Nothing the server keeps (accounts, sessions, the dev secret, mail with codes) is readable by
// other users of the machine, even under the usual umask that leaves new files world-readable.
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-data-'));
process.env.MAIL_OUTBOX_DIR = path.join(root, 'mail-data', 'outbox');
delete process.env.RESEND_API_KEY;
const { openStore } = await import('@/lib/db/client');
const { ensureDevSecret } = await import('@/lib/config/secret');
const { sendMail } = await import('@/lib/mail/send');

const mode = (file: string) => fs.statSync(file).mode & 0o777;
let umask: number;

beforeAll(() => {
  umask = process.umask(0o022);
});

afterAll(() => {
  process.umask(umask);
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the data folder', () => {
  it('holds the database in folders only the server’s user can open, in files only it can read', async () => {
    const file = path.join(root, 'db-data', 'nested', 'app.db');
    const db = openStore(file);
    if (db.engine !== 'sqlite') throw new Error('a file path opens SQLite');
    db.sqlite.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    expect(mode(path.join(root, 'db-data'))).toBe(0o700);
    expect(mode(path.join(root, 'db-data', 'nested'))).toBe(0o700);
    for (const name of ['app.db', 'app.db-wal', 'app.db-shm']) expect([name, mode(path.join(root, 'db-data', 'nested', name))]).toEqual([name, 0o600]);
    await db.close();
  });

  it('is created 0700 for the development secret', () => {
    const dir = path.join(root, 'secret-data');
    ensureDevSecret({}, dir);
    expect(mode(dir)).toBe(0o700);
  });

  it('is created 0700 for the outbox', async () => {
    expect(await sendMail('ada@example.com', { subject: 's', html: '<p>h</p>', text: 't' })).toEqual({ ok: true });
    expect(mode(path.join(root, 'mail-data'))).toBe(0o700);
    expect(mode(path.join(root, 'mail-data', 'outbox'))).toBe(0o700);
  });
});
