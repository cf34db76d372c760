// Two-step verification through the JSON API: setting up an authenticator app, recovery codes,
// the second step of a sign-in on every path that starts one, step-up after 10 minutes, turning
// it off. Codes are computed from the key the API hands out, as an app would. The pages are in
// tests/e2e/two-step.test.ts.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectError } from '../support/api';
import { newPerson } from '../support/generators';
import { inProcessApp } from '../support/in-process-app';
import { mailTo, mailsUntil } from '../support/outbox';
import { signUp, verificationCode } from '../support/sign-up';
import { nextTotpCode, totpCode } from '../support/totp';

const app = inProcessApp();
const call = app.api;
const RECOVERY_CODE = /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/;

afterEach(() => {
  vi.useRealTimers();
});

/** A verified account with two-step verification on: its key, recovery codes and a first token. */
async function withTwoStep() {
  const person = newPerson();
  const { token, user } = await signUp(call, person, app.dataDir);
  const started = await call('POST', `/users/${user.username}/two-step`, { token, body: {} });
  expect(started.status, started.text).toBe(201);
  const key: string = started.body.key;
  const confirmed = await call('POST', `/users/${user.username}/two-step/confirm`, { token, body: { code: totpCode(key) } });
  expect(confirmed.status, confirmed.text).toBe(200);
  return { person, user, token, key, recoveryCodes: confirmed.body.recoveryCodes as string[] };
}

const firstStep = (person: { username: string; password: string }) =>
  call('POST', '/auth/token', { body: { login: person.username, password: person.password } });

async function mfaToken(person: { username: string; password: string }): Promise<string> {
  const first = await firstStep(person);
  expectError(first, 401, 'mfa_required');
  return first.body.mfa_token;
}

describe('setting up an authenticator app', () => {
  it('hands out a key and its otpauth URI, and changes nothing until a current code confirms it', async () => {
    const person = newPerson();
    const { token, user } = await signUp(call, person, app.dataDir);
    const started = await call('POST', `/users/${user.username}/two-step`, { token, body: {} });
    expect(started.status).toBe(201);
    expect(started.body.key).toMatch(/^[A-Z2-7]{4}( [A-Z2-7]{4}){7}$/);
    const uri = new URL(started.body.uri);
    expect(uri.protocol).toBe('otpauth:');
    expect(`${uri.host}${decodeURIComponent(uri.pathname)}`).toBe(`totp/Gatehouse:${user.username}`);
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({ secret: started.body.key.replace(/ /g, ''), issuer: 'Gatehouse', algorithm: 'SHA1', digits: '6', period: '30' });

    // Not on yet: the password alone still signs in.
    expect((await call('GET', '/me', { token })).body.mfa).toEqual({ totp: false, passkeys: 0, recoveryCodesLeft: 0 });
    expect((await firstStep(person)).status).toBe(200);

    const wrong = await call('POST', `/users/${user.username}/two-step/confirm`, { token, body: { code: totpCode(started.body.key, Date.now() - 5 * 60_000) } });
    expectError(wrong, 422, 'validation_failed');
    expect(wrong.body.error.fields.code).toMatch(/didn’t work/);

    const confirmed = await call('POST', `/users/${user.username}/two-step/confirm`, { token, body: { code: totpCode(started.body.key) } });
    expect(confirmed.status).toBe(200);
    const codes: string[] = confirmed.body.recoveryCodes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(RECOVERY_CODE);
    expect((await call('GET', '/me', { token })).body.mfa).toEqual({ totp: true, passkeys: 0, recoveryCodesLeft: 10 });
    await mailsUntil(person.email, 'Two-step verification is on for your Gatehouse account', app.dataDir);

    // At rest: the secret sealed, the recovery codes as MACs.
    const stored = app.db().prepare('select secret from totp_factors where user_id = ?').pluck().get(user.id) as string;
    expect(stored).not.toContain(started.body.key.replace(/ /g, ''));
    const hashes = app.db().prepare('select code_hash from recovery_codes where user_id = ?').pluck().all(user.id) as string[];
    expect(hashes).toHaveLength(10);
    for (const code of codes) expect(hashes.join()).not.toContain(code.replace(/-/g, ''));
  });

  it('replaces a setup left halfway, and refuses a second one while it is on', async () => {
    const { user, token, key } = await withTwoStep();
    expectError(await call('POST', `/users/${user.username}/two-step`, { token, body: {} }), 409, 'conflict');
    expect((await call('POST', `/users/${user.username}/two-step/confirm`, { token, body: { code: nextTotpCode(key) } })).status).toBe(409);

    const other = await signUp(call, newPerson(), app.dataDir);
    const first = await call('POST', `/users/${other.user.username}/two-step`, { token: other.token, body: {} });
    const second = await call('POST', `/users/${other.user.username}/two-step`, { token: other.token, body: {} });
    expect(second.body.key).not.toBe(first.body.key);
    expectError(await call('POST', `/users/${other.user.username}/two-step/confirm`, { token: other.token, body: { code: totpCode(first.body.key) } }), 422, 'validation_failed');
    expect((await call('POST', `/users/${other.user.username}/two-step/confirm`, { token: other.token, body: { code: totpCode(second.body.key) } })).status).toBe(200);
  });
});

describe('the second step of POST /auth/token', () => {
  it('gives no token for the right password alone: mfa_required and an mfa_token, then a code gives the token', async () => {
    const { person, user, key } = await withTwoStep();
    const first = await firstStep(person);
    expectError(first, 401, 'mfa_required');
    expect(first.body.mfa_token).toMatch(/^[\w-]{43}$/);
    expect(first.body.access_token).toBeUndefined();
    // The wrong password is still just that.
    expectError(await firstStep({ ...person, password: 'not the password at all' }), 401, 'invalid_credentials');

    const wrong = await call('POST', '/auth/token/mfa', { body: { mfa_token: first.body.mfa_token, code: totpCode(key, Date.now() - 10 * 60_000) } });
    expectError(wrong, 401, 'invalid_code');
    const passed = await call('POST', '/auth/token/mfa', { body: { mfa_token: first.body.mfa_token, code: nextTotpCode(key) } });
    expect(passed.status, passed.text).toBe(200);
    expect(passed.body).toMatchObject({ token_type: 'Bearer', user: { id: user.id } });
    expect((await call('GET', '/me', { token: passed.body.access_token })).status).toBe(200);
    // Used once.
    expectError(await call('POST', '/auth/token/mfa', { body: { mfa_token: first.body.mfa_token, code: nextTotpCode(key) } }), 401, 'invalid_token');
  });

  it('accepts a code once: the same code on a second sign-in is refused, even at the same moment', async () => {
    const { person, key } = await withTwoStep();
    const code = nextTotpCode(key);
    const [a, b] = [await mfaToken(person), await mfaToken(person)];
    const results = await Promise.all([a, b].map((mfa_token) => call('POST', '/auth/token/mfa', { body: { mfa_token, code } })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    expectError(await call('POST', '/auth/token/mfa', { body: { mfa_token: await mfaToken(person), code } }), 401, 'invalid_code');
  });

  it('takes a recovery code once, in any case and spacing, says how many are left, and mails the owner', async () => {
    const { person, recoveryCodes } = await withTwoStep();
    const typed = recoveryCodes[3]!.toUpperCase().replace(/-/g, ' ');
    const passed = await call('POST', '/auth/token/mfa', { body: { mfa_token: await mfaToken(person), code: typed } });
    expect(passed.status, passed.text).toBe(200);
    expect(passed.body.recoveryCodesLeft).toBe(9);
    expect((await call('GET', '/me', { token: passed.body.access_token })).body.mfa.recoveryCodesLeft).toBe(9);
    const notice = (await mailsUntil(person.email, 'A recovery code was used on your Gatehouse account', app.dataDir)).at(-1)!;
    expect(notice.text).toContain('9 recovery codes are left');
    expectError(await call('POST', '/auth/token/mfa', { body: { mfa_token: await mfaToken(person), code: recoveryCodes[3]! } }), 401, 'invalid_code');

    // Two sign-ins racing with one code: one wins.
    const tokens = [await mfaToken(person), await mfaToken(person)];
    const raced = await Promise.all(tokens.map((mfa_token) => call('POST', '/auth/token/mfa', { body: { mfa_token, code: recoveryCodes[5]! } })));
    expect(raced.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('ends an mfa_token after 5 minutes, and after 5 wrong codes', async () => {
    const { person, key } = await withTwoStep();
    vi.useFakeTimers({ toFake: ['Date'] });
    const expiring = await mfaToken(person);
    vi.setSystemTime(Date.now() + 5 * 60_000 + 1);
    expectError(await call('POST', '/auth/token/mfa', { body: { mfa_token: expiring, code: totpCode(key) } }), 401, 'invalid_token');
    vi.useRealTimers();

    const guessed = await mfaToken(person);
    for (let i = 0; i < 5; i += 1) {
      expectError(await call('POST', '/auth/token/mfa', { body: { mfa_token: guessed, code: String(100000 + i) } }), 401, 'invalid_code');
    }
    expectError(await call('POST', '/auth/token/mfa', { body: { mfa_token: guessed, code: nextTotpCode(key) } }), 401, 'invalid_token');
    expectError(await call('POST', '/auth/token/mfa', { body: { mfa_token: 'made-up-token', code: nextTotpCode(key) } }), 401, 'invalid_token');
  });

  it('counts wrong codes against the account’s login budget, across mfa_tokens', async () => {
    const { person, key } = await withTwoStep();
    const [a, b] = [await mfaToken(person), await mfaToken(person)];
    for (const [mfa_token, i] of [[a, 0], [a, 1], [a, 2], [b, 3], [b, 4]] as const) {
      expectError(await call('POST', '/auth/token/mfa', { body: { mfa_token, code: String(200000 + i) } }), 401, 'invalid_code');
    }
    // Five wrong codes spent the account's budget: the right one waits, and so does the password.
    expectError(await call('POST', '/auth/token/mfa', { body: { mfa_token: b, code: nextTotpCode(key) } }), 429, 'too_many_requests');
    expectError(await firstStep(person), 429, 'too_many_requests');
  });

  it('keeps the count of wrong codes across a right password: logging in again doesn’t buy new guesses', async () => {
    const { person, key } = await withTwoStep();
    const first = await mfaToken(person);
    for (let i = 0; i < 4; i += 1) {
      expectError(await call('POST', '/auth/token/mfa', { body: { mfa_token: first, code: String(300000 + i) } }), 401, 'invalid_code');
    }
    const second = await mfaToken(person);
    expectError(await call('POST', '/auth/token/mfa', { body: { mfa_token: second, code: '399999' } }), 401, 'invalid_code');
    expectError(await call('POST', '/auth/token/mfa', { body: { mfa_token: second, code: nextTotpCode(key) } }), 429, 'too_many_requests');
  });

  it('is asked for after a verification code too: a verified address is a first step, not a sign-in', async () => {
    const { person, user, key } = await withTwoStep();
    // As if the account had been made before EMAIL_VERIFICATION=required (nothing else unverifies an address).
    app.db().prepare('update users set email_verified_at = null where id = ?').run(user.id);
    // Past the minute between two codes to one address.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61_000);
    expectError(await firstStep(person), 403, 'email_unverified');
    const code = await verificationCode(person.email, app.dataDir, 2);
    const verified = await call('POST', '/auth/email/verify', { body: { email: person.email, code } });
    expectError(verified, 401, 'mfa_required');
    const passed = await call('POST', '/auth/token/mfa', { body: { mfa_token: verified.body.mfa_token, code: totpCode(key) } });
    expect(passed.status, passed.text).toBe(200);
  });
});

describe('new recovery codes', () => {
  it('replace every old one, are shown once, and mail the owner', async () => {
    const { person, user, token, recoveryCodes } = await withTwoStep();
    const made = await call('POST', `/users/${user.username}/two-step/recovery-codes`, { token, body: {} });
    expect(made.status, made.text).toBe(200);
    const fresh: string[] = made.body.recoveryCodes;
    expect(fresh).toHaveLength(10);
    expect(fresh.filter((code) => recoveryCodes.includes(code))).toEqual([]);
    await mailsUntil(person.email, 'New recovery codes for your Gatehouse account', app.dataDir);
    expectError(await call('POST', '/auth/token/mfa', { body: { mfa_token: await mfaToken(person), code: recoveryCodes[0]! } }), 401, 'invalid_code');
    expect((await call('POST', '/auth/token/mfa', { body: { mfa_token: await mfaToken(person), code: fresh[0]! } })).body.recoveryCodesLeft).toBe(9);
  });
});

describe('a sensitive change', () => {
  it('needs an authentication from the last 10 minutes, or the password or a code with the request', async () => {
    const { user, token, key } = await withTwoStep();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 10 * 60_000 + 1);
    const path = `/users/${user.username}/two-step/recovery-codes`;
    expectError(await call('POST', path, { token, body: {} }), 403, 'reauthentication_required');
    expectError(await call('POST', path, { token, body: { currentPassword: 'not my password at all' } }), 422, 'validation_failed');
    const withCode = await call('POST', path, { token, body: { code: nextTotpCode(key) } });
    expect(withCode.status, withCode.text).toBe(200);
    // Recent again: the next change needs no proof for 10 minutes.
    expect((await call('POST', path, { token, body: {} })).status).toBe(200);
    vi.setSystemTime(Date.now() + 10 * 60_000 + 1);
    expectError(await call('POST', path, { token, body: {} }), 403, 'reauthentication_required');
  });

  it('changing the email or deleting the account takes the password or a code in the request, never neither', async () => {
    const { user, token, key, recoveryCodes } = await withTwoStep();
    const emailPath = `/users/${user.username}/email`;
    expectError(await call('POST', emailPath, { token, body: { newEmail: `new-${user.email}` } }), 403, 'reauthentication_required');
    expectError(await call('POST', emailPath, { token, body: { newEmail: `new-${user.email}`, code: '123456' } }), 422, 'validation_failed');
    expect((await call('POST', emailPath, { token, body: { newEmail: `new-${user.email}`, code: nextTotpCode(key) } })).status).toBe(202);

    expectError(await call('DELETE', `/users/${user.username}`, { token, body: {} }), 403, 'reauthentication_required');
    expect((await call('DELETE', `/users/${user.username}`, { token, body: { code: recoveryCodes[0]! } })).status).toBe(204);
    expect(app.db().prepare('select count(*) from users where id = ?').pluck().get(user.id)).toBe(0);
  });

  it('turns two-step verification off with a code, mails the owner, and the password alone signs in again', async () => {
    const { person, user, token, key, recoveryCodes } = await withTwoStep();
    const path = `/users/${user.username}/two-step`;
    expectError(await call('DELETE', path, { token, body: { code: '000000' } }), 422, 'validation_failed');
    expect((await call('DELETE', path, { token, body: { code: nextTotpCode(key) } })).status).toBe(204);
    expect((await call('GET', '/me', { token })).body.mfa).toEqual({ totp: false, passkeys: 0, recoveryCodesLeft: 0 });
    await mailsUntil(person.email, 'Two-step verification was turned off for your Gatehouse account', app.dataDir);
    expect((await firstStep(person)).status).toBe(200);
    expect(app.db().prepare('select count(*) from recovery_codes where user_id = ?').pluck().get(user.id)).toBe(0);
    // Its recovery codes went with it.
    expect(recoveryCodes).toHaveLength(10);
    expect(mailTo(person.email, app.dataDir).map((m) => m.subject)).not.toContain('A recovery code was used on your Gatehouse account');
  });
});
