// Two-step verification as a person meets it in Chromium: setting up an authenticator app from the
// key on the page, recovery codes, and the second step on every way into a session — the login
// form, a reset by code, a verified address, and "Keep me signed in"'s refresh, which continues a
// session that passed both steps and never makes one that didn't. Also "Confirm it's you" after 10
// minutes, turning it off, and the notice of a sign-in from a new browser. The API's flows are in
// tests/unit/api-two-step.test.ts.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { nextTotpCode, totpCode } from '../support/totp';
import { verificationCode } from '../support/sign-up';
import { submit } from './pages/form';
import { ForgotPasswordPage } from './pages/forgot-password';
import { LoginPage } from './pages/login';
import { ResetPasswordPage } from './pages/reset-password';
import { SecondStepPage, TwoStepSection } from './pages/two-step';
import { VerifyEmailPage } from './pages/verify-email';
import { api } from './support/api';
import { workerBrowser } from './support/browser';
import { withServerDb } from './support/db';
import { NEW_SIGN_IN_SUBJECT, codeIn, mailsUntil, waitForMail } from './support/outbox';
import { expectText, textOf } from './support/page-text';
import { REFRESH_COOKIE, SESSION_COOKIE, cookieValue, signedIn } from './support/sessions';
import { root } from './support/server';
import { dataDir } from './support/shared-server';

let browser: Browser;
beforeAll(async () => {
  browser = await workerBrowser();
});

/** A signed-in person who turned two-step verification on through the page, then logged out. */
async function withTwoStep() {
  const { context, page, person } = await signedIn(browser);
  const section = new TwoStepSection(page);
  const { key, recoveryCodes } = await section.turnOn();
  await section.savedCodes();
  await context.clearCookies();
  return { context, page, person, key, recoveryCodes };
}

const userId = (username: string) => withServerDb((db) => db.prepare('select id from users where username = ?').pluck().get(username) as number);

describe('setting up an authenticator app', () => {
  it('shows a QR code, the key as text and its URI; a code from the key turns it on and shows ten recovery codes once', async () => {
    const { page, person } = await signedIn(browser);
    const section = new TwoStepSection(page);
    await page.goto('/account/security');
    expect(await section.state()).toBe('Off. Your password alone signs you in.');
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.locator('[aria-label="QR code for your authenticator app"] svg').waitFor();
    expect(await page.locator('#totp-key').innerText()).toMatch(/^[A-Z2-7]{4}( [A-Z2-7]{4}){7}$/);
    await page.getByText('Show the setup link').click();
    expect(await textOf(page, '#totp-uri')).toMatch(new RegExp(`^otpauth://totp/Gatehouse:${person.username}\\?`));

    // A wrong code changes nothing.
    await page.fill('#setup-code', '000000');
    await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
    await expectText(page, '#setup-code-error', 'That code didn’t work. Check that the app shows Gatehouse, and enter its current code.');

    const key = await textOf(page, '#totp-key');
    await page.fill('#setup-code', totpCode(key));
    await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
    await page.locator('#recovery-codes').waitFor();
    const codes = await page.locator('#recovery-codes li').allInnerTexts();
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code.trim()).toMatch(/^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
    expect(await page.getByRole('link', { name: 'Download' }).getAttribute('download')).toBe('gatehouse-recovery-codes.txt');
    await new TwoStepSection(page).savedCodes();
    expect(await section.state()).toBe('On. Signing in takes your password and a code from your authenticator app. 10 recovery codes left.');
    // Shown once: a reload shows the state, not the codes.
    await page.reload();
    expect(await page.locator('#recovery-codes').count()).toBe(0);
    await mailsUntil(person.email, 'Two-step verification is on for your Gatehouse account');
  });
});

describe('the second step', () => {
  it('follows the right password on the login form: no session until a code from the app, a wrong one said so', async () => {
    const { context, page, person, key } = await withTwoStep();
    const login = new LoginPage(page);
    await login.logIn(person.username, person.password, { path: '/login?next=/account/profile' });
    const second = new SecondStepPage(page);
    await second.arrived();
    // Nothing signed in yet: no session cookie, and the account page sends them to log in.
    expect(await cookieValue(context, SESSION_COOKIE)).toBeUndefined();
    await second.enter(totpCode(key, Date.now() - 10 * 60_000));
    await second.expectError('That code didn’t work. Enter the current code from your authenticator app, or an unused recovery code.');
    await second.enter(nextTotpCode(key));
    await page.waitForURL((url) => url.pathname === '/account/profile');
  });

  it('takes a recovery code once, and says how many are left', async () => {
    const { context, page, person, recoveryCodes } = await withTwoStep();
    const login = new LoginPage(page);
    await login.logIn(person.username, person.password);
    const second = new SecondStepPage(page);
    await second.arrived();
    await second.enter(recoveryCodes[0]!, { recovery: true });
    await page.waitForURL('**/account/security?recovery=9#two-step');
    expect(await textOf(page, '#recovery-used')).toContain('9 recovery codes are left');
    expect(await textOf(page, '#recovery-codes-left')).toBe('9 recovery codes left.');

    await context.clearCookies();
    await login.logIn(person.username, person.password);
    await second.arrived();
    await second.enter(recoveryCodes[0]!, { recovery: true });
    await second.expectError('That code didn’t work. Enter the current code from your authenticator app, or an unused recovery code.');
  });

  it('follows a reset by code: the mailbox alone doesn’t sign in', async () => {
    const { context, page, person, key } = await withTwoStep();
    await new ForgotPasswordPage(page).requestCode(person.email);
    const code = codeIn(await waitForMail(person.email, 2));
    await new ResetPasswordPage(page).submit(code, 'a brand new passphrase 42');
    const second = new SecondStepPage(page);
    await second.arrived();
    expect(await cookieValue(context, SESSION_COOKIE)).toBeUndefined();
    await second.enter(nextTotpCode(key));
    await page.waitForURL('**/account?reset=1');
  });

  it('follows a verification code: a verified address is a first step, not a sign-in', async () => {
    const { context, page, person, key } = await withTwoStep();
    // As if the account was made before EMAIL_VERIFICATION=required (nothing else unverifies an address).
    // And the sign-up's code a minute older, so the login may send a new one.
    withServerDb((db) => {
      db.prepare('update users set email_verified_at = null where username = ?').run(person.username);
      db.prepare('update one_time_codes set created_at = created_at - 61000 where user_id = ?').run(userId(person.username));
    });
    await new LoginPage(page).logIn(person.username, person.password);
    const verify = new VerifyEmailPage(page);
    await verify.arrived();
    await verify.enterCode(await verificationCode(person.email, dataDir(), 2));
    const second = new SecondStepPage(page);
    await second.arrived();
    expect(await cookieValue(context, SESSION_COOKIE)).toBeUndefined();
    await second.enter(nextTotpCode(key));
    await page.waitForURL('**/account?welcome=1');
  });

  it('is what "Keep me signed in" remembers: the refresh continues the session that passed both steps', async () => {
    const { context, page, person, key } = await withTwoStep();
    await new LoginPage(page).logIn(person.username, person.password, { remember: true });
    const second = new SecondStepPage(page);
    await second.arrived();
    // Half-way through, there is nothing to refresh.
    expect(await cookieValue(context, REFRESH_COOKIE)).toBeUndefined();
    await second.enter(nextTotpCode(key));
    await page.waitForURL('**/account');
    const sessionsBefore = withServerDb((db) => db.prepare('select id from sessions where user_id = ? and revoked_at is null').pluck().all(userId(person.username)));

    // The session cookie is gone (the browser was closed): the refresh cookie brings the same session back.
    const refresh = await cookieValue(context, REFRESH_COOKIE);
    expect(refresh).toBeDefined();
    await context.clearCookies({ name: SESSION_COOKIE });
    await page.goto('/account');
    await page.waitForURL('**/account');
    expect(await cookieValue(context, SESSION_COOKIE)).toBeDefined();
    const sessionsAfter = withServerDb((db) => db.prepare('select id from sessions where user_id = ? and revoked_at is null').pluck().all(userId(person.username)));
    expect(sessionsAfter).toEqual(sessionsBefore);
  });
});

describe('changes to two-step verification', () => {
  it('show a setup’s key only to a session that authenticated in the last 10 minutes', async () => {
    const { page, person } = await signedIn(browser);
    await page.goto('/account/security');
    await submit(page.getByRole('button', { name: 'Set up an authenticator app' }));
    const key = await textOf(page, '#totp-key');
    withServerDb((db) => db.prepare('update sessions set authenticated_at = authenticated_at - 660000 where user_id = ?').run(userId(person.username)));
    const html = await (await page.goto('/account/security'))!.text();
    expect(html).not.toContain(key);
    expect(html).not.toContain(key.replace(/ /g, ''));
    await page.getByRole('form', { name: 'Confirm it’s you' }).waitFor();
  });

  it('ask "Confirm it’s you" once the last authentication is 10 minutes old, then turn it off with a recovery code', async () => {
    const { context, page, person, key, recoveryCodes } = await withTwoStep();
    await new LoginPage(page).logIn(person.username, person.password);
    const second = new SecondStepPage(page);
    await second.arrived();
    await second.enter(nextTotpCode(key));
    await page.waitForURL('**/account');
    // Eleven minutes later, as far as the server can tell.
    withServerDb((db) => db.prepare('update sessions set authenticated_at = authenticated_at - 660000 where user_id = ?').run(userId(person.username)));

    const section = new TwoStepSection(page);
    await page.goto('/account/security');
    await page.getByRole('form', { name: 'Confirm it’s you' }).waitFor();
    expect(await page.getByRole('button', { name: 'Turn off two-step verification' }).count()).toBe(0);
    await section.confirmWithPassword('not my password at all');
    await expectText(page, '#confirm-password-error', 'That is not your current password.');
    await section.confirmWithPassword(person.password);
    await page.getByRole('button', { name: 'Turn off two-step verification' }).waitFor();

    await section.turnOff('000000');
    await expectText(page, '#disable-code-error', 'That code didn’t work. Enter the current code from your authenticator app, or an unused recovery code.');
    // The app's codes up to the one that signed in are used; a recovery code works too.
    await section.turnOff(totpCode(key));
    await expectText(page, '#disable-code-error', 'That code didn’t work. Enter the current code from your authenticator app, or an unused recovery code.');
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await section.turnOff(recoveryCodes[2]!);
    await expectText(page, '#two-step-state', 'Off. Your password alone signs you in.');
    await mailsUntil(person.email, 'Two-step verification was turned off for your Gatehouse account');
    await context.clearCookies();
    await new LoginPage(page).logInToAccount(person.username, person.password);
  });
});

describe('the operator’s reset, for a person who lost every factor', () => {
  /** `npm run account -- reset-mfa <username>` against the shared server's database, answering its prompt with `typed`. */
  function resetMfa(username: string, typed: string) {
    return spawnSync('npm', ['run', '--silent', 'account', '--', 'reset-mfa', username], {
      cwd: root,
      input: `${typed}\n`,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: path.join(dataDir(), 'app.db'), MAIL_OUTBOX_DIR: path.join(dataDir(), 'outbox') },
    });
  }

  it('asks for the username again, then removes the second factor, ends every session and mails the person', async () => {
    const { page, person, key } = await withTwoStep();
    await new LoginPage(page).logIn(person.username, person.password);
    await new SecondStepPage(page).arrived();
    await new SecondStepPage(page).enter(nextTotpCode(key));
    await page.waitForURL('**/account');

    const refused = resetMfa(person.username, 'someone-else');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('Nothing was changed.');

    const done = resetMfa(person.username, person.username.toUpperCase());
    expect(done.status, done.stderr).toBe(0);
    // Two sessions: the one the set-up was done in (its cookies cleared, never logged out) and this login.
    expect(done.stdout).toContain(`Done: two-step verification removed, 0 passkey(s) removed, 0 connected account(s) removed, 2 session(s) signed out, notice mailed to ${person.email}.`);
    await mailsUntil(person.email, 'Your Gatehouse sign-in methods were reset');

    // The session that was open has ended; the password alone signs in now.
    await page.goto('/account');
    await new LoginPage(page).expectSentHere('Your session has ended. Please log in again.');
    await new LoginPage(page).logInToAccount(person.username, person.password);
  });
});

describe('a sign-in from a browser new to the account', () => {
  it('mails the owner when and from where; the same browser again doesn’t', async () => {
    const { context, page, person } = await signedIn(browser);
    await context.clearCookies();
    const login = new LoginPage(page);
    await login.logInToAccount(person.username, person.password);
    const notice = (await mailsUntil(person.email, NEW_SIGN_IN_SUBJECT)).at(-1)!;
    expect(notice.text).toMatch(/When: .+ UTC/);
    expect(notice.text).toMatch(/IP address: \d+\.\d+\.\d+\.\d+/);
    expect(notice.text).toMatch(/Browser: Chrome \d+ on Linux/);
    expect(notice.text).toContain('reset your password right away');

    // Logged out, the browser keeps its device cookie: signing in again is no news.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login?reason=signed-out');
    await login.logInToAccount(person.username, person.password);
    // A later mail marks the point by which a notice for that sign-in would have been sent.
    expect((await api('POST', '/auth/password/forgot', { body: { email: person.email } })).status).toBe(202);
    const mails = await mailsUntil(person.email, 'Your Gatehouse password reset code');
    expect(mails.filter((m) => m.subject === NEW_SIGN_IN_SUBJECT)).toHaveLength(1);
  });
});
