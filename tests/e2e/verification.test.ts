// Verified email, as a person meets it in Chromium, in each EMAIL_VERIFICATION mode: `required`
// (the default, the shared server), `optional` (a server with AUTH_URL, so its mail carries the
// one-click link) and `off`. The API's flows are in tests/unit/api-verification*.test.ts.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPerson, registration, type Person } from '../support/generators';
import { mailTo, mailsUntil, waitForMails } from '../support/outbox';
import { freePort } from '../support/ports';
import { VERIFICATION_SUBJECT, verificationCode } from '../support/sign-up';
import { AccountPage } from './pages/account';
import { submit } from './pages/form';
import { LoginPage } from './pages/login';
import { RegisterPage } from './pages/register';
import { VerifyEmailPage } from './pages/verify-email';
import { api, apiCall } from './support/api';
import { visitorPage, workerBrowser } from './support/browser';
import { withServerDb } from './support/db';
import { expectText, textOf } from './support/page-text';
import { startServers, type Server } from './support/server';
import { registered } from './support/sessions';
import { dataDir } from './support/shared-server';

const INVALID = 'That code is invalid or has expired. Check it, or send a new code.';
const NOTICE_SUBJECT = 'Someone tried to create a Gatehouse account with your address';
const RESENT = 'If that address is waiting to be verified, we sent a new code to it. It works for 10 minutes.';

let browser: Browser;
let optional: Server;
let off: Server;

beforeAll(async () => {
  browser = await workerBrowser();
  // AUTH_URL must name the server's own address for the link in its mail to lead back to it.
  const port = await freePort();
  const optionalDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-e2e-'));
  [optional, off] = (await startServers(
    [
      { TRUST_PROXY: '1', EMAIL_VERIFICATION: 'optional', AUTH_URL: `http://127.0.0.1:${port}` },
      { dataDir: optionalDir, authSecret: randomBytes(32).toString('base64url'), port },
    ],
    [{ TRUST_PROXY: '1', EMAIL_VERIFICATION: 'off' }],
  )) as [Server, Server];
});

afterAll(async () => {
  await Promise.all([optional?.stop(), off?.stop()]);
});

const accounts = (email: string, serverDataDir = dataDir()) =>
  withServerDb((db) => db.prepare('select count(*) from users where email = ?').pluck().get(email) as number, serverDataDir);

describe('EMAIL_VERIFICATION=required (the default)', () => {
  it('signs up, lands on the code page with the address, and is signed in by the code from the mail', async () => {
    const page = await visitorPage(browser);
    const person = newPerson({ firstName: 'Grace' });
    const form = new RegisterPage(page);
    await form.fill(person);
    await form.submit();
    const verify = new VerifyEmailPage(page);
    await verify.arrived();
    expect(await verify.description()).toContain(person.email);
    // No session yet: the account pages send this browser to log in.
    expect(await page.context().cookies()).not.toContainEqual(expect.objectContaining({ name: '__Host-gatehouse.session' }));

    const code = await verificationCode(person.email, dataDir());
    const mail = mailTo(person.email, dataDir())[0]!;
    expect(mail.subject).not.toContain(code);
    await verify.enterCode(code === '000000' ? '111111' : '000000');
    await verify.expectCodeError(INVALID);
    await verify.verify(code);
    await expectText(page, '#welcome', 'Welcome to Gatehouse, Grace! Your account is ready.');
    await expectText(page, '[data-field="Email verified"]', 'Yes');
    expect(await new AccountPage(page).field('Email')).toBe(person.email);
  });

  it('refuses an expired code with the same message; "Send a new code" waits out its minute', async () => {
    const page = await visitorPage(browser);
    const person = newPerson();
    await new RegisterPage(page).fill(person);
    await new RegisterPage(page).submit();
    const verify = new VerifyEmailPage(page);
    await verify.arrived();
    const code = await verificationCode(person.email, dataDir());
    // The browser counts the minute down instead of offering the button.
    await page.waitForSelector('#resend-wait');
    expect(await textOf(page, '#resend-wait')).toMatch(/^You can ask for a new one in \d+ s\.$/);

    // Without JavaScript the button is always there, and the server's limit rules: within the
    // minute the same neutral answer, and no second mail.
    const plain = await visitorPage(browser, { javaScriptEnabled: false });
    await plain.goto(page.url());
    const resend = new VerifyEmailPage(plain);
    await resend.sendNewCode();
    await expectText(plain, '#resend-status', RESENT);
    expect(mailTo(person.email, dataDir()).filter((m) => m.subject === VERIFICATION_SUBJECT)).toHaveLength(1);

    // Eleven minutes pass: the code (ten minutes) has expired, and the cooldown with it.
    withServerDb((db) =>
      db.prepare('update one_time_codes set created_at = created_at - 660000, expires_at = expires_at - 660000 where email = ?').run(person.email),
    );
    await verify.enterCode(code);
    await verify.expectCodeError(INVALID);
    await resend.sendNewCode();
    await expectText(plain, '#resend-status', RESENT);
    await verify.verify(await verificationCode(person.email, dataDir(), 2));
  });

  it('answers a sign-up with a registered address exactly as a new one, creates nothing, and mails the owner', async () => {
    const owner = await registered();
    const page = await visitorPage(browser);
    const form = new RegisterPage(page);
    await form.fill(newPerson({ email: owner.email }));
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), form.submit()]);
    const verify = new VerifyEmailPage(page);
    await verify.arrived();
    expect(await verify.description()).toContain(owner.email);

    const fresh = await visitorPage(browser);
    const freshForm = new RegisterPage(fresh);
    const newcomer = newPerson();
    await freshForm.fill(newcomer);
    const [freshResponse] = await Promise.all([fresh.waitForResponse((r) => r.request().method() === 'POST'), freshForm.submit()]);
    await new VerifyEmailPage(fresh).arrived();
    const shape = async (r: typeof response) => ({
      status: r.status(),
      headers: Object.keys(await r.allHeaders())
        .filter((name) => !['date', 'content-length', 'set-cookie'].includes(name))
        .sort(),
      cookies: (await r.headerValues('set-cookie')).map((c) => c.split('=')[0]).sort(),
    });
    expect(await shape(response)).toEqual(await shape(freshResponse));
    expect(new URL(page.url()).pathname).toBe(new URL(fresh.url()).pathname);

    expect(accounts(owner.email)).toBe(1);
    const notice = (await mailsUntil(owner.email, NOTICE_SUBJECT, dataDir())).at(-1)!;
    expect(notice.text).toContain('no new account was created');
    expect(notice.text).not.toMatch(/\b\d{6}\b/);
    await verificationCode(newcomer.email, dataDir());
  });

  it('takes as long for a registered address as for a new one (the fastest of several sign-ups each)', async () => {
    const owners = await Promise.all([registered(), registered(), registered()]);
    const time = async (body: object) => {
      const started = performance.now();
      expect((await api('POST', '/auth/register', { body })).status).toBe(202);
      return performance.now() - started;
    };
    const fresh: number[] = [];
    const taken: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      fresh.push(await time(registration(newPerson())));
      taken.push(await time(registration(newPerson({ email: owners[i % owners.length]!.email }))));
    }
    // The fastest of each: the test files running alongside can only add time to a sign-up, and
    // did push a median of six off by half. Both hash a password (tens of ms); a registered
    // address skipping the hash would be several times faster, its fastest too.
    const ratio = Math.min(...taken) / Math.min(...fresh);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('sends an unverified login to the code page with a new code; a wrong password gets the usual answer', async () => {
    const person = newPerson();
    expect((await api('POST', '/auth/register', { body: registration(person) })).status).toBe(202);
    await verificationCode(person.email, dataDir());
    const page = await visitorPage(browser);
    const login = new LoginPage(page);
    await login.logIn(person.username, 'not the password');
    await login.expectError('That email or username and password don’t match an account.');

    // A minute later (the resend cooldown), the right password.
    withServerDb((db) => db.prepare('update one_time_codes set created_at = created_at - 61000 where email = ?').run(person.email));
    await login.logIn(person.username, person.password);
    const verify = new VerifyEmailPage(page);
    await verify.arrived();
    await verify.expectNotice('Verify your email address to log in: we sent a new code to it.');
    await verify.verify(await verificationCode(person.email, dataDir(), 2));
  });

  it('"Start over" deletes the unverified account, so its username can be signed up again', async () => {
    const page = await visitorPage(browser);
    const person = newPerson();
    const form = new RegisterPage(page);
    await form.fill({ ...person, email: `typo.${person.email}` });
    await form.submit();
    const verify = new VerifyEmailPage(page);
    await verify.arrived();
    await verify.startOver();
    await page.waitForURL('**/register');
    expect(accounts(`typo.${person.email}`)).toBe(0);
    await form.register(person);
  });

  it('works with JavaScript off', async () => {
    const page = await visitorPage(browser, { javaScriptEnabled: false });
    const person = newPerson();
    const form = new RegisterPage(page);
    await form.fill(person);
    await form.submit();
    const verify = new VerifyEmailPage(page);
    await verify.arrived();
    const code = await verificationCode(person.email, dataDir());
    await verify.enterCode(code === '000000' ? '111111' : '000000');
    await verify.expectCodeError(INVALID);
    await verify.verify(code);
  });
});

describe('EMAIL_VERIFICATION=optional, with AUTH_URL', () => {
  it('signs up straight into the account, with a banner whose code verifies the address', async () => {
    const page = await visitorPage(browser, { baseURL: optional.baseUrl });
    const person = newPerson({ firstName: 'Ada' });
    const form = new RegisterPage(page);
    await form.fill(person);
    await form.submit();
    await page.waitForURL('**/account?welcome=1');
    await expectText(page, '#verify-heading', 'Verify your email address');
    await expectText(page, '[data-field="Email verified"]', 'Not yet');

    const code = await verificationCode(person.email, optional.dataDir);
    await page.fill('#verify-code', code === '000000' ? '111111' : '000000');
    await submit(page.getByRole('button', { name: 'Verify', exact: true }));
    await expectText(page, '#verify-code-error', INVALID);
    await page.fill('#verify-code', code);
    await submit(page.getByRole('button', { name: 'Verify', exact: true }));
    await page.waitForURL('**/account?verified=1');
    await expectText(page, '#verified', 'Your email address is verified.');
    expect(await page.locator('#verify-heading').count()).toBe(0);
    await expectText(page, '[data-field="Email verified"]', 'Yes');
  });

  it('verifies by the link in the mail, once, whatever wrong tokens came first; the link starts no session', async () => {
    const person = newPerson();
    expect((await apiCall(optional.baseUrl, 'POST', '/auth/register', { body: registration(person) })).status).toBe(201);
    const [mail] = await waitForMails(person.email, optional.dataDir, (mails) => mails.some((m) => m.subject === VERIFICATION_SUBJECT));
    const link = mail!.text.match(/http:\/\/127\.0\.0\.1:\d+\/auth\/verify-email\?c=\d+&t=[A-Za-z0-9_-]{43}/)?.[0];
    expect(link, mail!.text).toBeDefined();

    // Wrong tokens for this link's row spend nothing of it: the row is named in the URL, and a
    // 256-bit token needs no budget of tries.
    for (let i = 0; i < 6; i += 1) {
      const spoiled = await fetch(link!.replace(/t=[A-Za-z0-9_-]{43}/, `t=${'A'.repeat(43)}`), { redirect: 'manual', headers: { 'x-forwarded-for': `198.51.100.${i}` } });
      expect(spoiled.headers.get('location')).toBe('/verify-email?reason=link');
    }

    const page = await visitorPage(browser, { baseURL: optional.baseUrl });
    await page.goto(link!);
    await page.waitForURL('**/login?**');
    await new LoginPage(page).expectSentHere('Your email address is verified. Log in to continue.');
    await new LoginPage(page).send(person.username, person.password);
    await page.waitForURL('**/account?verified=1');
    await expectText(page, '#verified', 'Your email address is verified.');

    const again = await visitorPage(browser, { baseURL: optional.baseUrl });
    await again.goto(link!);
    await again.waitForURL('**/verify-email?reason=link');
    await expectText(again, '#verify-notice', 'That link is invalid or has expired. Enter the code from the newest mail, or send a new code.');
  });

  it('still says an address is registered (the account works at once, which no answer could hide)', async () => {
    const owner = newPerson();
    expect((await apiCall(optional.baseUrl, 'POST', '/auth/register', { body: registration(owner) })).status).toBe(201);
    const page = await visitorPage(browser, { baseURL: optional.baseUrl });
    const form = new RegisterPage(page);
    await form.fill(newPerson({ email: owner.email }));
    await form.submit();
    await form.expectFieldError('email', 'An account with this email already exists. Log in instead?');
  });
});

describe('EMAIL_VERIFICATION=off', () => {
  it('signs up into the account with no mail and no banner', async () => {
    const page = await visitorPage(browser, { baseURL: off.baseUrl });
    const person: Person = newPerson();
    const form = new RegisterPage(page);
    await form.fill(person);
    await form.submit();
    await page.waitForURL('**/account?welcome=1');
    expect(await page.locator('#verify-heading').count()).toBe(0);
    expect(await page.locator('[data-field="Email verified"]').count()).toBe(0);
    // A reset, to have a mail to wait for: nothing came before it.
    expect((await apiCall(off.baseUrl, 'POST', '/auth/password/forgot', { body: { email: person.email } })).status).toBe(202);
    expect((await mailsUntil(person.email, 'Your Gatehouse password reset code', off.dataDir)).map((m) => m.subject)).toEqual([
      'Your Gatehouse password reset code',
    ]);
  });
});
