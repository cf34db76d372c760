// Verified email through the JSON API, in the default mode (EMAIL_VERIFICATION=required):
// sign-ups that don't tell who is registered, the code, the resend, and logins before it. The
// other two modes are in api-verification-modes.test.ts; the pages and the link in e2e.
import { describe, expect, it } from 'vitest';
import { expectError } from '../support/api';
import { email, newPerson, registration } from '../support/generators';
import { inProcessApp } from '../support/in-process-app';
import { mailTo, mailsUntil } from '../support/outbox';
import { VERIFICATION_SUBJECT, signUp, verificationCode } from '../support/sign-up';

const app = inProcessApp();
const call = app.api;
const INVALID = 'That code is invalid or has expired. Check it, or send a new code.';
const subjects = (to: string) => mailTo(to, app.dataDir).map((m) => m.subject);
const users = () => app.db().prepare('select count(*) from users').pluck().get() as number;

describe('a sign-up', () => {
  it('answers a registered address exactly as a new one, creates nothing, and tells the owner', async () => {
    const owner = newPerson();
    await signUp(call, owner, app.dataDir);
    const before = users();
    const fresh = await call('POST', '/auth/register', { body: registration(newPerson({ email: 'fresh-' + owner.email })) });
    const again = await call('POST', '/auth/register', { body: registration(newPerson({ email: owner.email.toUpperCase() })) });
    expect(fresh.status).toBe(202);
    expect({ status: again.status, headers: [...again.headers.keys()].sort(), body: again.body.status }).toEqual({
      status: fresh.status,
      headers: [...fresh.headers.keys()].sort(),
      body: 'verification_sent',
    });
    expect(users()).toBe(before + 1);
    const notice = (await mailsUntil(owner.email, 'Someone tried to create a Gatehouse account with your address', app.dataDir)).at(-1)!;
    expect(notice.text).not.toMatch(/\b\d{6}\b/);
    expect(subjects(owner.email).filter((s) => s === VERIFICATION_SUBJECT)).toHaveLength(1);
  });

  it('lets a later sign-up take an address from one nobody verified: the first one\'s password is worth nothing', async () => {
    const victim = newPerson();
    const squatter = newPerson({ email: victim.email });
    expect((await call('POST', '/auth/register', { body: registration(squatter) })).status).toBe(202);
    await verificationCode(victim.email, app.dataDir);
    expect((await call('POST', '/auth/register', { body: registration(victim) })).status).toBe(202);
    // A code for the victim's own sign-up, not a notice: the squatter's codes went with their account.
    const code = await verificationCode(victim.email, app.dataDir, 2);
    expect(subjects(victim.email)).not.toContain('Someone tried to create a Gatehouse account with your address');
    const verified = await call('POST', '/auth/email/verify', { body: { email: victim.email, code } });
    expect(verified.body.user).toMatchObject({ username: victim.username, emailVerified: true });
    expectError(await call('POST', '/auth/token', { body: { login: victim.email, password: squatter.password } }), 401, 'invalid_credentials');
    expectError(await call('POST', '/auth/token', { body: { login: squatter.username, password: squatter.password } }), 401, 'invalid_credentials');
  });

  it('lets a person sign up again with the same username and address before verifying', async () => {
    const person = newPerson();
    expect((await call('POST', '/auth/register', { body: registration(person) })).status).toBe(202);
    await verificationCode(person.email, app.dataDir);
    expect((await call('POST', '/auth/register', { body: registration({ ...person, password: 'a second try at it' }) })).status).toBe(202);
    const code = await verificationCode(person.email, app.dataDir, 2);
    expect((await call('POST', '/auth/email/verify', { body: { email: person.email, code } })).status).toBe(200);
    expect((await call('POST', '/auth/token', { body: { login: person.username, password: 'a second try at it' } })).status).toBe(200);
  });

  it('still reports a taken username (usernames are public), before anything else', async () => {
    const owner = newPerson();
    await signUp(call, owner, app.dataDir);
    const taken = await call('POST', '/auth/register', { body: registration(newPerson({ username: owner.username.toUpperCase(), email: owner.email })) });
    expectError(taken, 409, 'username_taken');
  });

  it('gives no session until the code comes back; the code then verifies and signs in', async () => {
    const person = newPerson();
    expect((await call('POST', '/auth/register', { body: registration(person) })).status).toBe(202);
    const code = await verificationCode(person.email, app.dataDir);
    expect(mailTo(person.email, app.dataDir)[0]!.subject).not.toContain(code);

    const wrongPassword = await call('POST', '/auth/token', { body: { login: person.username, password: 'not the password' } });
    expectError(wrongPassword, 401, 'invalid_credentials');
    const unverified = await call('POST', '/auth/token', { body: { login: person.username, password: person.password } });
    expectError(unverified, 403, 'email_unverified');

    const wrong = await call('POST', '/auth/email/verify', { body: { email: person.email, code: code === '000000' ? '111111' : '000000' } });
    expectError(wrong, 400, 'invalid_code');
    expect(wrong.body.error.message).toBe(INVALID);
    const verified = await call('POST', '/auth/email/verify', { body: { email: person.email, code } });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, user: { email: person.email, emailVerified: true } });
    expect((await call('GET', '/me', { token: verified.body.access_token })).body.user.emailVerified).toBe(true);
    expect((await call('POST', '/auth/token', { body: { login: person.username, password: person.password } })).status).toBe(200);

    const used = await call('POST', '/auth/email/verify', { body: { email: person.email, code } });
    expectError(used, 400, 'invalid_code');
    expect(used.body.error.message).toBe(INVALID);
  });

  it('refuses an expired code with the same message, and a login sends a fresh one (within the limits)', async () => {
    const person = newPerson();
    expect((await call('POST', '/auth/register', { body: registration(person) })).status).toBe(202);
    const code = await verificationCode(person.email, app.dataDir);
    // Eleven minutes pass.
    app.db().prepare('update one_time_codes set created_at = created_at - 660000, expires_at = expires_at - 660000 where email = ?').run(person.email);
    const expired = await call('POST', '/auth/email/verify', { body: { email: person.email, code } });
    expectError(expired, 400, 'invalid_code');
    expect(expired.body.error.message).toBe(INVALID);

    expectError(await call('POST', '/auth/token', { body: { login: person.email, password: person.password } }), 403, 'email_unverified');
    const fresh = await verificationCode(person.email, app.dataDir, 2);
    expect((await call('POST', '/auth/email/verify', { body: { email: person.email, code: fresh } })).status).toBe(200);
  });

  it('counts tries per code: the sixth guess is refused even when right', async () => {
    const person = newPerson();
    expect((await call('POST', '/auth/register', { body: registration(person) })).status).toBe(202);
    const code = await verificationCode(person.email, app.dataDir);
    const wrongCode = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i += 1) expectError(await call('POST', '/auth/email/verify', { body: { email: person.email, code: wrongCode } }), 400, 'invalid_code');
    expectError(await call('POST', '/auth/email/verify', { body: { email: person.email, code } }), 400, 'invalid_code');
  });
});

describe('"send a new code"', () => {
  it('answers every address the same 202, and sends only to an account waiting for one, after the cooldown', async () => {
    const waiting = newPerson();
    expect((await call('POST', '/auth/register', { body: registration(waiting) })).status).toBe(202);
    await verificationCode(waiting.email, app.dataDir);
    const verified = newPerson();
    await signUp(call, verified, app.dataDir);

    const answers = [];
    for (const address of [waiting.email, verified.email, email()]) {
      const result = await call('POST', '/auth/email/verify/resend', { body: { email: address } });
      answers.push({ status: result.status, body: result.body });
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]!.status).toBe(202);
    // Within the minute after the first code: nothing more went out.
    expect(subjects(waiting.email)).toEqual([VERIFICATION_SUBJECT]);

    app.db().prepare('update one_time_codes set created_at = created_at - 61000 where email = ?').run(waiting.email);
    expect((await call('POST', '/auth/email/verify/resend', { body: { email: waiting.email } })).status).toBe(202);
    expect(subjects(waiting.email)).toEqual([VERIFICATION_SUBJECT, VERIFICATION_SUBJECT]);
    expect(subjects(verified.email)).toEqual([VERIFICATION_SUBJECT]);
  });
});

describe('other proofs of the address', () => {
  it('a reset by code verifies it', async () => {
    const person = newPerson();
    expect((await call('POST', '/auth/register', { body: registration(person) })).status).toBe(202);
    await verificationCode(person.email, app.dataDir);
    expect((await call('POST', '/auth/password/forgot', { body: { email: person.email } })).status).toBe(202);
    const reset = (await mailsUntil(person.email, 'Your Gatehouse password reset code', app.dataDir)).at(-1)!;
    const code = reset.text.match(/\b(\d{6})\b/)![1]!;
    expect((await call('POST', '/auth/password/reset', { body: { email: person.email, code, newPassword: 'proved by the reset' } })).status).toBe(204);
    const login = await call('POST', '/auth/token', { body: { login: person.email, password: 'proved by the reset' } });
    expect(login.status).toBe(200);
    expect(login.body.user.emailVerified).toBe(true);
  });
});
