// Two-step verification's use-cases on each engine (unit and unit-pg): a code and a recovery code
// accepted once however many requests race with it, the challenge used once, and a login with two
// steps that still looks everything up once. The HTTP contract is api-two-step.test.ts's.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { emptyDatabase, recordStatements, useTestDatabase } from '../support/database';
import { nextTotpCode, totpCode } from '../support/totp';

const request = { ip: '203.0.113.7', cookies: new Map<string, string>() };
vi.mock('next/headers', () => ({
  headers: () => Promise.resolve(new Headers({ 'user-agent': 'vitest', 'x-forwarded-for': request.ip })),
  cookies: async () => ({ get: (name: string) => (request.cookies.has(name) ? { value: request.cookies.get(name)! } : undefined) }),
}));
vi.mock('next/server', () => ({ after: () => {} }));

await useTestDatabase({ BCRYPT_COST: '10' });
const { insertUser, markEmailVerified } = await import('@/lib/db/queries/users');
const { hashPassword } = await import('@/lib/auth/password');
const { logIn } = await import('@/lib/auth/login');
const { passSecondStep } = await import('@/lib/auth/sign-in');
const { confirmTotpSetup, startTotpSetup, twoStepStatus } = await import('@/lib/account/two-step');
const { startSession } = await import('@/lib/auth/session');

const PASSWORD = 'analytical engine notes';
let passwordHash: string;

beforeEach(async () => {
  await emptyDatabase();
  request.cookies.clear();
  passwordHash ??= await hashPassword(PASSWORD);
});

/** A verified account with two-step verification on, set up through its use-cases as the page does. */
async function personWithTwoStep(username: string) {
  const inserted = await insertUser({ username, email: `${username.toLowerCase()}@example.com`, firstName: 'Ada', lastName: 'Lovelace', dateOfBirth: '1990-04-07', passwordHash });
  const user = (await markEmailVerified(inserted.id, inserted.email))!;
  const session = { user, sessionId: (await startSession({ userId: user.id, remember: false, method: 'password', userAgent: null, ip: null }))!.sessionId };
  const started = await startTotpSetup(session);
  if (!started.ok) throw new Error(started.message);
  const confirmed = await confirmTotpSetup(session, totpCode(started.setup.key));
  if (!confirmed.ok) throw new Error(confirmed.message);
  return { user, key: started.setup.key, recoveryCodes: confirmed.recoveryCodes };
}

/** `count` first steps, one after another (at once, they'd spend the login budget before their passwords are checked). */
async function challenges(login: string, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i += 1) tokens.push(await challenge(login));
  return tokens;
}

async function challenge(login: string): Promise<string> {
  const first = await logIn({ login, password: PASSWORD, remember: false });
  if (!first.ok || !first.secondStep) throw new Error('expected a second step');
  return first.secondStep.token;
}

describe('the second step', () => {
  // Five at once: the account's budget of tries (each code is counted against it before it is checked).
  it('accepts one of five concurrent sign-ins with the same authenticator code', async () => {
    const { key } = await personWithTwoStep('Ada');
    const tokens = await challenges('ada', 5);
    const code = nextTotpCode(key);
    const results = await Promise.all(tokens.map((token) => passSecondStep(token, code)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it('accepts one of five concurrent sign-ins with the same recovery code, and counts what is left', async () => {
    const { user, recoveryCodes } = await personWithTwoStep('Ada');
    const tokens = await challenges('ada', 5);
    const results = await Promise.all(tokens.map((token) => passSecondStep(token, recoveryCodes[0]!)));
    const passed = results.filter((r) => r.ok);
    expect(passed).toHaveLength(1);
    expect(passed[0]).toMatchObject({ used: { kind: 'recovery_code', left: 9 } });
    expect((await twoStepStatus(user)).recoveryCodesLeft).toBe(9);
  });

  it('uses a challenge once when two different right codes race for it', async () => {
    const { key, recoveryCodes } = await personWithTwoStep('Ada');
    const token = await challenge('ada');
    const results = await Promise.all([passSecondStep(token, nextTotpCode(key)), passSecondStep(token, recoveryCodes[1]!)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it('is part of a login that is still one pass: one lookup (two-step included), one hash, no session', async () => {
    await personWithTwoStep('Ada');
    const { executed, stop } = await recordStatements();
    let first;
    try {
      first = await logIn({ login: 'ada', password: PASSWORD, remember: false });
    } finally {
      stop();
    }
    expect(first).toMatchObject({ ok: true, secondStep: { token: expect.any(String) } });
    const touching = (table: string) => executed.filter((sql) => sql.includes(`"${table}"`) || sql.includes(` ${table} `));
    expect(touching('users').filter((sql) => sql.startsWith('select'))).toHaveLength(1);
    expect(touching('sessions')).toHaveLength(0);
    expect(touching('login_challenges').filter((sql) => sql.startsWith('insert'))).toHaveLength(1);
  });
});
