import fs from 'node:fs';
import bcrypt from 'bcryptjs';
import { beforeAll, describe, expect, it } from 'vitest';

process.env.BCRYPT_COST = '10';
// One hashing thread, as each of two workers on two cores has: where a queue shows its order.
process.env.PASSWORD_HASH_THREADS = '1';
const { hashPassword, needsRehash, prehash, verifyPassword } = await import('@/lib/auth/password');
const { isCommonPassword } = await import('@/lib/auth/password-policy');

describe('password hashing', () => {
  let hash: string;
  beforeAll(async () => {
    hash = await hashPassword('correct horse battery');
  });

  it('stores a salted bcrypt hash at the configured cost, never the password', async () => {
    expect(hash).toMatch(/^\$2[aby]\$10\$/);
    expect(hash).not.toContain('correct');
    expect(await hashPassword('correct horse battery')).not.toBe(hash);
  });

  it('hashes on threads of lower priority than the one that answers requests', () => {
    // Field 19 of /proc/<pid>/task/<tid>/stat is the thread's nice value (Linux).
    const nice = (tid: string) => Number(fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
    const threads = fs.readdirSync('/proc/self/task');
    expect(nice(String(process.pid))).toBe(0);
    expect(threads.filter((tid) => nice(tid) === 10).length).toBeGreaterThanOrEqual(1);
  });

  it('hashes in the order asked, so under steady load no login waits behind later ones', async () => {
    // Four clients that each ask again as soon as they are answered, like a login storm's
    // connections. A queue that sends a waiting task to the back whenever the thread is busy
    // answered one of the first four only when the storm ended (10 s timeouts in the benchmark).
    const IN_FLIGHT = 4;
    const TASKS = 24;
    let asked = 0;
    const answeredAt: number[] = [];
    const client = async () => {
      while (asked < TASKS) {
        const task = asked++;
        await hashPassword(`password ${task}`);
        answeredAt[task] = answeredAt.filter((x) => x !== undefined).length;
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, client));
    // Task n is answered once every earlier task is: never later than n + the tasks in flight.
    const overtaken = answeredAt.map((at, task) => ({ task, at })).filter(({ task, at }) => at > task + IN_FLIGHT);
    expect(overtaken).toEqual([]);
  });

  it('verifies exactly what was typed', async () => {
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    for (const wrong of ['Correct horse battery', 'correct horse battery ', 'correcthorsebattery', '']) {
      expect(await verifyPassword(wrong, hash)).toBe(false);
    }
  });

  it('lets every character count, past bcrypt’s 72 bytes', async () => {
    const long = `${'A'.repeat(72)}x`;
    const longHash = await hashPassword(long);
    expect(await verifyPassword(`${'A'.repeat(72)}y`, longHash)).toBe(false);
    expect(await verifyPassword(long, longHash)).toBe(true);

    const multibyte = 'é'.repeat(80); // 160 bytes in UTF-8
    const multibyteHash = await hashPassword(multibyte);
    expect(await verifyPassword(`${'é'.repeat(79)}e`, multibyteHash)).toBe(false);
    expect(await verifyPassword(multibyte, multibyteHash)).toBe(true);
  });

  it('treats canonically equivalent Unicode as the same password (NFKC on set and check)', async () => {
    const composed = await hashPassword('caf\u00e9 au lait');
    expect(await verifyPassword('cafe\u0301 au lait', composed)).toBe(true);
  });

  it('pre-hashes to 64 ASCII characters: under bcrypt’s limit, never truncated', () => {
    const digest = prehash('x'.repeat(10_000));
    expect(digest).toHaveLength(64);
    expect(bcrypt.truncates(digest)).toBe(false);
  });

  it('reads the cost from the stored hash, so old hashes are upgraded', () => {
    expect(needsRehash(hash)).toBe(false);
    expect(needsRehash(bcrypt.hashSync('x', 4))).toBe(true);
  });
});

describe('common passwords', () => {
  it('refuses well-known passwords in any case', () => {
    for (const common of ['password', 'Password1', '12345678', 'qwertyuiop', 'iloveyou', 'LETMEIN']) {
      expect(isCommonPassword(common)).toBe(true);
    }
  });

  it('accepts an unusual passphrase', () => {
    expect(isCommonPassword('correct horse battery staple 42')).toBe(false);
  });
});
