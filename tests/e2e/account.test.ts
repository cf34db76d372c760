import type { Browser, BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { claimsOf } from '../support/api';
import { api } from './support/api';
import { newPerson, password, username, type Person } from '../support/generators';
import { AccountPage } from './pages/account';
import { SiteHeader } from './pages/header';
import { LoginPage, expectOnlyNewPassword } from './pages/login';
import { ProfilePage } from './pages/profile';
import { RegisterPage } from './pages/register';
import { SecurityPage } from './pages/security';
import { visitorPage, workerBrowser } from './support/browser';
import { waitForMail } from './support/outbox';
import { textOf } from './support/page-text';
import { SESSION_COOKIE, cookieValue, putCookie, signedIn } from './support/sessions';

let browser: Browser;
beforeAll(async () => {
  browser = await workerBrowser();
});

describe('at phone width', () => {
  it('wraps the longest username and address instead of running off the screen', async () => {
    const { page, person } = await signedIn(browser, { viewport: { width: 320, height: 640 } }, { username: username(30) });
    await new ProfilePage(page).partialUpdate({ email: `${'x'.repeat(60)}${username()}@a-rather-long-domain-name.example.com`, currentPassword: person.password });
    await page.waitForSelector('#partial-status');
    for (const path of ['/account', '/account/profile']) {
      await page.goto(path);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(320);
    }
    // The header keeps "Log out" on one line next to the (truncated) username.
    const button = await page.getByRole('button', { name: 'Log out' }).boundingBox();
    expect(button!.height).toBeLessThan(44);
  });
});

describe('the account page', () => {
  // The server keeps a copy of this page per session while nothing on it changes
  // (scripts/page-cache.mjs): a change made anywhere else must show on the next load.
  it('shows a change made elsewhere on its next load, and opens no more once the session ends elsewhere', async () => {
    const { page, person } = await signedIn(browser);
    const account = new AccountPage(page);
    expect((await account.overview()).name).toBe(`${person.firstName} ${person.lastName}`);
    expect((await account.overview()).name).toBe(`${person.firstName} ${person.lastName}`);

    // Another session of theirs, through the API: a new name, then a new password, which ends every other session.
    const { body } = await api('POST', '/auth/token', { body: { login: person.username, password: person.password } });
    const token: string = body.access_token;
    expect((await api('PATCH', `/users/${person.username}`, { token, body: { firstName: 'Augusta' } })).status).toBe(200);
    expect((await account.overview()).name).toBe(`Augusta ${person.lastName}`);
    expect((await account.overview()).name).toBe(`Augusta ${person.lastName}`);
    expect((await api('PATCH', `/users/${person.username}`, { token, body: { firstName: person.firstName } })).status).toBe(200);
    expect((await account.overview()).name).toBe(`${person.firstName} ${person.lastName}`);

    const changed = await api('POST', '/auth/password', { token, body: { currentPassword: person.password, newPassword: password() } });
    expect(changed.status).toBe(200);
    await page.goto('/account');
    await new LoginPage(page).expectSentHere('Your session has ended. Please log in again.');
  });
});

describe('links between pages', () => {
  // components/link.tsx: every page is rendered per request, so prefetching each link in view
  // cost the server more than the page itself.
  it('prefetch nothing when the page opens, the page a link leads to once the pointer is over it, and open it in place', async () => {
    const { page } = await signedIn(browser);
    const prefetched: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).searchParams.has('_rsc')) prefetched.push(new URL(request.url()).pathname);
    });
    await page.goto('/account');
    await page.waitForLoadState('networkidle');
    expect(prefetched).toEqual([]);

    const tab = page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Security' });
    await tab.hover();
    await expect.poll(() => prefetched).toContain('/account/security');
    const documents: string[] = [];
    page.on('request', (request) => {
      if (request.resourceType() === 'document') documents.push(request.url());
    });
    await tab.click();
    await page.waitForURL('**/account/security');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Security');
    expect(documents).toEqual([]);
  });
});

describe('partial profile update', () => {
  it('changes just the one field that was filled in, for each field', async () => {
    const { page, person } = await signedIn(browser);
    const profile = new ProfilePage(page);
    const renamed = username();

    await profile.partialUpdate({ firstName: 'Augusta' });
    await profile.expectPartialStatus('Saved. Updated your first name.');
    expect(await new AccountPage(page).overview()).toEqual({
      name: `Augusta ${person.lastName}`,
      username: person.username,
      email: person.email,
      dateOfBirth: 'April 7, 1990',
    });

    await profile.partialUpdate({ lastName: 'King' });
    await profile.expectPartialStatus('Saved. Updated your last name.');
    await profile.partialUpdate({ dateOfBirth: '1991-12-10' });
    await profile.expectPartialStatus('Saved. Updated your date of birth.');
    await profile.partialUpdate({ username: renamed });
    await profile.expectPartialStatus('Saved. Updated your username.');
    // (An email change needs a code sent to the new address: see recovery.test.ts.)
    expect(await new AccountPage(page).overview()).toEqual({
      name: 'Augusta King',
      username: renamed,
      email: person.email,
      dateOfBirth: 'December 10, 1991',
    });
  });

  it('says so when nothing changed', async () => {
    const { page, person } = await signedIn(browser);
    const profile = new ProfilePage(page);
    await profile.partialUpdate({ firstName: person.firstName });
    await profile.expectPartialStatus('Nothing changed: every field already had that value.');
  });

  it('changes nothing when any field is invalid, and keeps what was typed', async () => {
    const { page, person } = await signedIn(browser);
    const profile = new ProfilePage(page);
    await profile.partialUpdate({ firstName: 'Changed', username: '9lives' });
    await profile.expectFieldError('partial', 'username', 'Username must start with a letter and use only letters and digits.');
    await profile.expectPartialStatus('Nothing was changed. Please correct the highlighted fields.');
    expect(await page.inputValue('#partial-firstName')).toBe('Changed');
    expect((await new AccountPage(page).overview()).name).toBe(`${person.firstName} ${person.lastName}`);
  });

  it('needs the current password to change the email', async () => {
    const { page, person } = await signedIn(browser);
    const profile = new ProfilePage(page);
    const other = newPerson();
    await profile.partialUpdate({ email: other.email });
    await profile.expectFieldError('partial', 'currentPassword', 'Enter your current password to change your email.');
    await profile.partialUpdate({ email: other.email, currentPassword: 'not my password' });
    await profile.expectFieldError('partial', 'currentPassword', 'That is not your current password.');
    expect((await new AccountPage(page).overview()).email).toBe(person.email);
  });

  it('refuses a username someone else has, and answers for a registered email as for a free one, changing nothing', async () => {
    const { person: taken } = await signedIn(browser);
    const { page, person } = await signedIn(browser);
    const profile = new ProfilePage(page);
    await profile.partialUpdate({ firstName: 'Changed', username: taken.username.toUpperCase() });
    await profile.expectFieldError('partial', 'username', 'That username is already taken.');
    // Whether an address is registered is nobody else's business: the same answer as for a free
    // one, and its owner hears that someone tried, with no code.
    await profile.partialUpdate({ email: taken.email, currentPassword: person.password });
    await profile.expectPartialStatus(`We sent a code to ${taken.email}: enter it under “Confirm your new email” to finish the change.`);
    const notice = await waitForMail(taken.email);
    expect(notice.subject).toBe('Someone tried to use your address on Gatehouse');
    expect(notice.text).not.toMatch(/\b\d{6}\b/);
    expect(await new AccountPage(page).overview()).toMatchObject({ name: `${person.firstName} ${person.lastName}`, email: person.email });
  });

  it('re-issues the session on a username change: header updates at once, reload keeps the login', async () => {
    const { page, context } = await signedIn(browser);
    const profile = new ProfilePage(page);
    const renamed = username();
    const before = (await cookieValue(context, SESSION_COOKIE))!;
    await profile.partialUpdate({ username: renamed });
    await profile.expectPartialStatus('Saved. Updated your username.');
    await new SiteHeader(page).expectUsername(renamed);
    const after = (await cookieValue(context, SESSION_COOKIE))!;
    expect(after).not.toBe(before);
    expect(claimsOf(after).username).toBe(renamed);
    await page.reload();
    expect(await new SiteHeader(page).username()).toBe(renamed);
    expect(new URL(page.url()).pathname).toBe('/account/profile');

    // The token from before the change, replayed elsewhere, no longer opens the account.
    const replayPage = await visitorPage(browser);
    await putCookie(replayPage.context(), SESSION_COOKIE, before);
    await replayPage.goto('/account');
    await new LoginPage(replayPage).expectSentHere('Your session has ended. Please log in again.');
  });
});

describe('full profile update', () => {
  it('starts from the current profile and replaces every field', async () => {
    const { page, person } = await signedIn(browser);
    const profile = new ProfilePage(page);
    await profile.goto();
    expect(await profile.fullValue('username')).toBe(person.username);
    expect(await profile.fullValue('dateOfBirth')).toBe(person.dateOfBirth);
    const next = newPerson({ firstName: 'Grace', lastName: 'Hopper', dateOfBirth: '1985-12-09' });
    const { firstName, lastName, dateOfBirth, username: nextUsername, email } = next;
    await profile.replace({ firstName, lastName, dateOfBirth, username: nextUsername, email, currentPassword: person.password });
    await profile.expectFullStatus(
      `Saved. Updated your username, first name, last name and date of birth. We sent a code to ${next.email}: enter it under “Confirm your new email” to finish the change.`,
    );
    expect(await profile.fullValue('username')).toBe(next.username);
    expect(await new AccountPage(page).overview()).toEqual({
      name: 'Grace Hopper',
      username: next.username,
      email: person.email,
      dateOfBirth: 'December 9, 1985',
    });
  });

  it('requires every field', async () => {
    const { page, person } = await signedIn(browser);
    const profile = new ProfilePage(page);
    await profile.goto();
    await profile.replace({ lastName: '', firstName: 'Changed' });
    await profile.expectFieldError('full', 'lastName', 'Enter your last name.');
    expect((await new AccountPage(page).overview()).name).toBe(`${person.firstName} ${person.lastName}`);
  });

  it('refuses to overwrite a change made in another tab since the form loaded', async () => {
    const { page, context, person } = await signedIn(browser);
    const profile = new ProfilePage(page);
    const otherPage = await context.newPage();
    const otherTab = new ProfilePage(otherPage);
    await profile.goto();
    const renamed = username();
    await otherTab.partialUpdate({ username: renamed });
    await otherTab.expectPartialStatus('Saved. Updated your username.');

    // Back to the first tab, as the person would: a tab behind another has its timers slowed to
    // one a second, and each wait on the page there took a second or two.
    await page.bringToFront();
    await profile.replace({ firstName: 'Stale' });
    await profile.expectFullStatus(
      'Your profile was changed somewhere else (another tab?) since it was loaded. Nothing was saved: review the current values and save again.',
    );
    // The form now shows the current profile; saving again is a deliberate replace.
    expect(await profile.fullValue('username')).toBe(renamed);
    expect(await new AccountPage(otherPage).overview()).toMatchObject({ username: renamed, name: `${person.firstName} ${person.lastName}` });
    await profile.replace({ firstName: 'Fresh' });
    await profile.expectFullStatus('Saved. Updated your first name.');
  });
});

describe('changing the password', () => {
  it('keeps this session, signs out the others, and the new password is the one that works', async () => {
    const { page, person } = await signedIn(browser);
    const secondPage = await visitorPage(browser);
    await new LoginPage(secondPage).logInToAccount(person.username, person.password);

    const security = new SecurityPage(page);
    await security.changePassword(person.password, 'a brand new passphrase');
    await security.expectPasswordStatus('Your password was changed. 1 other session was signed out; this one stays signed in.');
    expect((await waitForMail(person.email)).subject).toBe('Your Gatehouse password was changed');
    await page.goto('/account');
    expect(new URL(page.url()).pathname).toBe('/account');

    await expectOnlyNewPassword(secondPage, person, 'a brand new passphrase');
  });

  it('refuses a wrong current password, a mismatch, the same password and a common one', async () => {
    const { page, person } = await signedIn(browser);
    const security = new SecurityPage(page);
    await security.changePassword('wrong password!', 'a brand new passphrase');
    await security.expectFieldError('currentPassword', 'That is not your current password.');
    await security.changePassword(person.password, 'a brand new passphrase', 'something else');
    await security.expectFieldError('confirmPassword', 'Passwords do not match.');
    await security.changePassword(person.password, person.password);
    await security.expectFieldError('newPassword', 'Choose a password different from your current one.');
    await security.changePassword(person.password, 'iloveyou');
    await security.expectFieldError('newPassword', 'This password is too common. Choose something harder to guess.');
    // None of these changed anything: the original password still logs in.
    await new LoginPage(await visitorPage(browser)).logInToAccount(person.username, person.password);
  });
});

describe('sessions', () => {
  async function secondSession(person: Person): Promise<{ context: BrowserContext; page: Page }> {
    const page = await visitorPage(browser, { userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1' });
    await new LoginPage(page).logInToAccount(person.email, person.password);
    return { context: page.context(), page };
  }

  it('lists where the person is signed in and signs out one of them', async () => {
    const { page, person } = await signedIn(browser);
    const phone = await secondSession(person);
    const security = new SecurityPage(page);
    await security.goto();
    expect(await security.sessions().count()).toBe(2);
    expect(await security.currentSession()).toContain('This device');
    expect(await security.otherSession().innerText()).toContain('Safari 17 on iOS (mobile)');
    await security.signOut(security.otherSession());
    await security.expectSessionsStatus('That session was signed out.');
    expect(await security.sessions().count()).toBe(1);

    await phone.page.goto('/account');
    await new LoginPage(phone.page).expectSentHere('Your session has ended. Please log in again.');
  });

  it('signs out of all other sessions at once', async () => {
    const { page, person } = await signedIn(browser);
    const a = await secondSession(person);
    const b = await secondSession(person);
    const security = new SecurityPage(page);
    await security.goto();
    await security.signOutAllOthers();
    await security.expectSessionsStatus('Signed out of 2 other sessions.');
    for (const s of [a, b]) {
      await s.page.goto('/account');
      await new LoginPage(s.page).expectSentHere('Your session has ended. Please log in again.');
    }
    await page.goto('/account');
    expect(new URL(page.url()).pathname).toBe('/account');
  });

  it('cannot sign out someone else’s session by editing the form', async () => {
    const victim = await signedIn(browser);
    const victimSid = claimsOf((await cookieValue(victim.context, SESSION_COOKIE))!).sid;
    const { page, person } = await signedIn(browser);
    await secondSession(person);
    const security = new SecurityPage(page);
    await security.goto();
    await security.otherSession().locator('input[name=sessionId]').evaluate((el, sid) => ((el as HTMLInputElement).value = sid), victimSid);
    await security.signOut(security.otherSession());
    await security.expectSessionsStatus('That session had already ended.');
    await victim.page.goto('/account');
    expect(new URL(victim.page.url()).pathname).toBe('/account');
  });
});

describe('security activity', () => {
  it('lists logins, failed attempts and changes, newest first', async () => {
    const { page, person } = await signedIn(browser);
    const attacker = new LoginPage(await visitorPage(browser));
    await attacker.logIn(person.username, 'guessing wrong');
    await attacker.expectError('That email or username and password don’t match an account.');
    const profile = new ProfilePage(page);
    await profile.partialUpdate({ firstName: 'Renamed' });
    await profile.expectPartialStatus('Saved. Updated your first name.');
    const security = new SecurityPage(page);
    await security.goto();
    expect(await security.events()).toEqual(['profile_updated', 'login_failed', 'login', 'email_verified', 'account_created']);
    expect(await page.content()).not.toContain('guessing wrong');
  });
});

describe('deleting the account', () => {
  it('needs the password and the box ticked, then logs out, and the email can be used again', async () => {
    const { page, person } = await signedIn(browser);
    const security = new SecurityPage(page);
    await security.goto();
    await security.deleteAccount(person.password, { confirm: false });
    await security.expectFieldError('delete-confirm', 'Tick the box to confirm you want to delete your account.');
    await security.deleteAccount('not my password', { confirm: true });
    await security.expectFieldError('delete-password', 'That is not your current password.');

    await security.deleteAccount(person.password, { confirm: true });
    await page.waitForURL('**/goodbye');
    expect(await textOf(page, 'h1')).toBe('Your account has been deleted');
    expect((await waitForMail(person.email)).subject).toBe('Your Gatehouse account was deleted');
    expect(await new SiteHeader(page).logOutButtons()).toBe(0);

    const login = new LoginPage(page);
    await login.logIn(person.username, person.password);
    await login.expectError('That email or username and password don’t match an account.');
    await new RegisterPage(page).register({ ...person, username: username() });
  });
});

describe('with JavaScript off', () => {
  it('the profile, password and session forms still work', async () => {
    const { page, person } = await signedIn(browser, { javaScriptEnabled: false });
    const profile = new ProfilePage(page);
    await profile.partialUpdate({ lastName: 'NoScript' });
    await profile.expectPartialStatus('Saved. Updated your last name.');
    expect((await new AccountPage(page).overview()).name).toBe(`${person.firstName} NoScript`);

    const security = new SecurityPage(page);
    await security.changePassword(person.password, 'works without scripts');
    await security.expectPasswordStatus('Your password was changed. You had no other sessions; this one stays signed in.');
  });
});
