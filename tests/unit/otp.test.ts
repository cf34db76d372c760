import { asc } from 'drizzle-orm';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { emptyDatabase, useTestDatabase } from '../support/database';

// What left by mail, and whether the next send succeeds.
const sent: { to: string; subject: string }[] = [];
let mailWorks = true;
vi.mock('@/lib/mail/send', () => ({
  sendMail: async (to: string, mail: { subject: string }) => {
    if (!mailWorks) return { ok: false, error: 'down' };
    sent.push({ to, subject: mail.subject });
    return { ok: true };
  },
}));

await useTestDatabase();
const { getDb, getTables } = await import('@/lib/db/client');
const { oneTimeCodes, rateLimits } = getTables();
const { insertUser } = await import('@/lib/db/queries/users');
const { checkCode, consumeCode, deliverCode, generateCode, issueCode } = await import('@/lib/auth/otp');
const { retireCodes } = await import('@/lib/db/queries/codes');

const MINUTE = 60_000;
const t0 = new Date('2026-11-25T12:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

let userId: number;
let otherId: number;
const reset = () => ({ purpose: 'password_reset' as const, userId });

beforeEach(async () => {
  await emptyDatabase();
  const person = async (username: string) =>
    (await insertUser({ username, email: `${username}@example.com`, firstName: 'A', lastName: 'B', dateOfBirth: '1990-01-01', passwordHash: 'x' })).id;
  userId = await person('ada');
  otherId = await person('grace');
});

async function issue(now = t0, email = 'ada@example.com') {
  const issued = await issueCode({ ...reset(), email }, now);
  if ('limited' in issued) throw new Error('unexpectedly limited');
  return issued;
}

/** Every stored code, oldest first. */
const storedCodes = () => getDb().select().from(oneTimeCodes).orderBy(asc(oneTimeCodes.id));

/** The one stored code. */
async function onlyCode() {
  const codes = await storedCodes();
  expect(codes).toHaveLength(1);
  return codes[0]!;
}

describe('generateCode', () => {
  it('gives six digits, leading zeros included, spread over every digit', () => {
    const codes = Array.from({ length: 2000 }, generateCode);
    expect(codes.every((c) => /^\d{6}$/.test(c))).toBe(true);
    const counts = new Array(10).fill(0);
    for (const c of codes) for (const d of c) counts[Number(d)] += 1;
    // 12,000 digits: each should appear about 1,200 times; 900–1,500 is far outside chance.
    for (const n of counts) {
      expect(n).toBeGreaterThan(900);
      expect(n).toBeLessThan(1500);
    }
    expect(codes.some((c) => c.startsWith('0'))).toBe(true);
    expect(new Set(codes).size).toBeGreaterThan(1990);
  });
});

describe('codes', () => {
  it('are stored only as a keyed hash', async () => {
    const { code } = await issue();
    const row = await onlyCode();
    expect(row.codeHash).not.toContain(code);
    expect(row.codeHash).toMatch(/^[\w-]{43}$/);
  });

  it('work once, within ten minutes', async () => {
    const first = await issue();
    expect(await consumeCode(reset(), first.code, at(MINUTE))).toEqual({ email: 'ada@example.com' });
    expect(await consumeCode(reset(), first.code, at(MINUTE))).toBeNull();

    const late = await issue(at(2 * MINUTE));
    expect(await consumeCode(reset(), late.code, at(12 * MINUTE + 1))).toBeNull();
  });

  it('die after five wrong tries, even for the right code', async () => {
    const { code } = await issue();
    const wrong = code === '000000' ? '000001' : '000000';
    for (let i = 0; i < 4; i += 1) expect(await consumeCode(reset(), wrong, at(1000))).toBeNull();
    expect(await consumeCode(reset(), code, at(1000))).toEqual({ email: 'ada@example.com' });

    const next = await issue(at(2 * MINUTE));
    for (let i = 0; i < 5; i += 1) expect(await consumeCode(reset(), 'abc', at(2 * MINUTE + 1000))).toBeNull();
    expect(await consumeCode(reset(), next.code, at(2 * MINUTE + 1000))).toBeNull();
  });

  it('are replaced by a newer code', async () => {
    const first = await issue();
    const second = await issue(at(MINUTE + 1));
    if (first.code !== second.code) expect(await consumeCode(reset(), first.code, at(MINUTE + 2))).toBeNull();
    expect(await consumeCode(reset(), second.code, at(MINUTE + 2))).toEqual({ email: 'ada@example.com' });
  });

  it('are bound to their person and purpose', async () => {
    const { code } = await issue();
    expect(await consumeCode({ purpose: 'password_reset', userId: otherId }, code, at(1000))).toBeNull();
    expect(await consumeCode({ purpose: 'email_change', userId }, code, at(1000))).toBeNull();
    expect(await consumeCode(reset(), code, at(1000))).not.toBeNull();
  });

  it('count every try before comparing it: of 20 concurrent tries, 5 are compared, and the right code after them fails', async () => {
    const { code } = await issue();
    const wrong = code === '000000' ? '000001' : '000000';
    const tries = await Promise.all(Array.from({ length: 20 }, () => checkCode(reset(), wrong, at(1000))));
    expect(tries.every((t) => t === null)).toBe(true);
    expect((await onlyCode()).attempts).toBe(5);
    expect(await checkCode(reset(), code, at(1000))).toBeNull();
  });

  it('allow an account ten tries a day across codes, then refuse even the right one until the day is over', async () => {
    const { code: first } = await issue();
    for (let i = 0; i < 4; i += 1) expect(await checkCode(reset(), first === '000000' ? '000001' : '000000', at(1000))).toBeNull();
    // A right code gives its try back: it doesn't eat into the budget.
    expect(await consumeCode(reset(), first, at(1000))).not.toBeNull();
    await issue(at(2 * MINUTE));
    for (let i = 0; i < 5; i += 1) expect(await checkCode(reset(), 'abc', at(2 * MINUTE + 1000))).toBeNull();
    await issue(at(4 * MINUTE));
    expect(await checkCode(reset(), 'abc', at(4 * MINUTE + 1000))).toBeNull();
    // Ten wrong tries in the day: a fresh, right code is refused like a wrong one, and isn't spent.
    const fourth = await issue(at(6 * MINUTE));
    expect(await checkCode(reset(), fourth.code, at(6 * MINUTE + 1000))).toBeNull();
    expect((await storedCodes()).at(-1)!.attempts).toBe(0);
    // Another purpose has a budget of its own.
    const change = await issueCode({ purpose: 'email_change', userId, email: 'new@example.com' }, at(6 * MINUTE));
    expect(await consumeCode({ purpose: 'email_change', userId }, 'code' in change ? change.code : '', at(6 * MINUTE + 1000))).not.toBeNull();
    await getDb().update(rateLimits).set({ expire: at(-1).getTime() });
    expect(await consumeCode(reset(), fourth.code, at(6 * MINUTE + 2000))).not.toBeNull();
  });

  it('are limited to one a minute and five an hour per person, saying how long to wait', async () => {
    await issue();
    expect(await issueCode({ ...reset(), email: 'ada@example.com' }, at(30_000))).toEqual({ limited: true, retryAfterSeconds: 30 });
    for (let i = 1; i <= 4; i += 1) await issue(at(i * (MINUTE + 1)));
    // Five sent in the hour; the first of them leaves the window at 60 minutes.
    expect(await issueCode({ ...reset(), email: 'ada@example.com' }, at(50 * MINUTE))).toEqual({ limited: true, retryAfterSeconds: 600 });
    // Another person is not affected, and an hour after the first code there is room again.
    expect(await issueCode({ purpose: 'password_reset', userId: otherId, email: 'grace@example.com' }, at(50 * MINUTE))).not.toHaveProperty('limited');
    expect(await issueCode({ ...reset(), email: 'ada@example.com' }, at(61 * MINUTE))).not.toHaveProperty('limited');
  });

  it('must be checked against the address they were sent to, when one is given', async () => {
    const { code } = await issue();
    expect(await checkCode(reset(), code, at(1000), 'someone.else@example.com')).toBeNull();
    expect(await checkCode(reset(), code, at(1000), 'ada@example.com')).not.toBeNull();
  });

  it('can be voided, e.g. when the address they went to is no longer the account’s', async () => {
    const { code } = await issue();
    await retireCodes(reset(), at(1000));
    expect(await consumeCode(reset(), code, at(2000))).toBeNull();
  });
});

describe('deliverCode', () => {
  const compose = async (code: string) => ({ subject: `code ${code}`, html: code, text: code });
  const codeSentTo = (n: number) => sent[n]!.subject.slice('code '.length);

  beforeEach(() => {
    sent.length = 0;
    mailWorks = true;
  });

  it('mails a fresh code, which then replaces the older one', async () => {
    expect(await deliverCode({ ...reset(), email: 'ada@example.com' }, compose, t0)).toEqual({ ok: true });
    expect(await deliverCode({ ...reset(), email: 'ada@example.com' }, compose, at(MINUTE + 1))).toEqual({ ok: true });
    expect(sent.map((m) => m.to)).toEqual(['ada@example.com', 'ada@example.com']);
    if (codeSentTo(0) !== codeSentTo(1)) expect(await consumeCode(reset(), codeSentTo(0), at(MINUTE + 2))).toBeNull();
    expect(await consumeCode(reset(), codeSentTo(1), at(MINUTE + 2))).not.toBeNull();
  });

  it('on a failed send: the new code is gone, the one the person has still works, and the limit is not spent', async () => {
    await deliverCode({ ...reset(), email: 'ada@example.com' }, compose, t0);
    mailWorks = false;
    expect(await deliverCode({ ...reset(), email: 'ada@example.com' }, compose, at(MINUTE + 1))).toEqual({ ok: false, notSent: true });
    mailWorks = true;
    expect(await consumeCode(reset(), codeSentTo(0), at(MINUTE + 2))).not.toBeNull();
    expect(await deliverCode({ ...reset(), email: 'ada@example.com' }, compose, at(MINUTE + 3))).toEqual({ ok: true });
  });

  it('reports the wait when asked too often, and sends nothing', async () => {
    await deliverCode({ ...reset(), email: 'ada@example.com' }, compose, t0);
    expect(await deliverCode({ ...reset(), email: 'ada@example.com' }, compose, at(20_000))).toEqual({ ok: false, retryAfterSeconds: 40 });
    expect(sent).toHaveLength(1);
  });
});
