import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForMail } from './support/outbox';
import {
  baseUrl,
  expectAtLogin,
  expectOnlyNewPassword,
  expectText,
  launchBrowser,
  logIn,
  newContext,
  newPerson,
  register,
  textOf,
  type Person,
} from './support/browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** A new person, registered and logged in, in a browser context of their own. */
async function signedUp(options: { javaScriptEnabled?: boolean; viewport?: { width: number; height: number } } = {}, overrides: Partial<Person> = {}) {
  const context = await newContext(browser, options);
  const page = await context.newPage();
  const person = newPerson(overrides);
  if (options.javaScriptEnabled === false) {
    // Registration itself is covered with JS on; sign up there and carry the cookies over.
    const setup = await newContext(browser);
    await register(await setup.newPage(), person);
    await context.addCookies(await setup.cookies());
    await setup.close();
  } else {
    await register(page, person);
  }
  return { context, page, person };
}

async function overview(page: Page) {
  await page.goto('/account');
  const read = (label: string) => textOf(page, `[data-field="${label}"]`);
  return {
    name: await read('Name'),
    username: await read('Username'),
    email: await read('Email'),
    dateOfBirth: await read('Date of birth'),
  };
}

async function partialUpdate(page: Page, values: Record<string, string>) {
  await page.goto('/account/profile');
  for (const [field, value] of Object.entries(values)) await page.fill(`#partial-${field}`, value);
  await page.getByRole('button', { name: 'Save changes' }).click();
}

describe('at phone width', () => {
  it('wraps the longest username and address instead of running off the screen', async () => {
    // Starts with a letter whatever the clock says: a username must (a digit-first tag failed ~28 % of runs).
    const tag = `w${Date.now().toString(36).slice(-5)}`;
    const { context, page, person } = await signedUp({ viewport: { width: 320, height: 640 } }, { username: `${tag}${'w'.repeat(24)}` });
    await partialUpdate(page, { email: `${'x'.repeat(60)}${tag}@a-rather-long-domain-name.example.com`, currentPassword: person.password });
    await page.waitForSelector('#partial-status');
    for (const path of ['/account', '/account/profile']) {
      await page.goto(path);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(320);
    }
    // The header keeps "Log out" on one line next to the (truncated) username.
    const button = await page.getByRole('button', { name: 'Log out' }).boundingBox();
    expect(button!.height).toBeLessThan(44);
    await context.close();
  });
});

describe('partial profile update', () => {
  it('changes just the one field that was filled in, for each field', async () => {
    const { page, person } = await signedUp();
    const fresh = newPerson();

    await partialUpdate(page, { firstName: 'Augusta' });
    await expectText(page, '#partial-status', 'Saved. Updated your first name.');
    expect(await overview(page)).toEqual({
      name: `Augusta ${person.lastName}`,
      username: person.username,
      email: person.email,
      dateOfBirth: 'April 7, 1990',
    });

    await partialUpdate(page, { lastName: 'King' });
    await expectText(page, '#partial-status', 'Saved. Updated your last name.');
    await partialUpdate(page, { dateOfBirth: '1991-12-10' });
    await expectText(page, '#partial-status', 'Saved. Updated your date of birth.');
    await partialUpdate(page, { username: fresh.username });
    await expectText(page, '#partial-status', 'Saved. Updated your username.');
    // (An email change needs a code sent to the new address: see recovery.test.ts.)
    expect(await overview(page)).toEqual({
      name: 'Augusta King',
      username: fresh.username,
      email: person.email,
      dateOfBirth: 'December 10, 1991',
    });
  });

  it('says so when nothing changed', async () => {
    const { page, person } = await signedUp();
    await partialUpdate(page, { firstName: person.firstName });
    await expectText(page, '#partial-status', 'Nothing changed: every field already had that value.');
  });

  it('changes nothing when any field is invalid, and keeps what was typed', async () => {
    const { page, person } = await signedUp();
    await partialUpdate(page, { firstName: 'Changed', username: '9lives' });
    await expectText(page, '#partial-username-error', 'Username must start with a letter and use only letters and digits.');
    await expectText(page, '#partial-status', 'Nothing was changed. Please correct the highlighted fields.');
    expect(await page.inputValue('#partial-firstName')).toBe('Changed');
    expect((await overview(page)).name).toBe(`${person.firstName} ${person.lastName}`);
  });

  it('needs the current password to change the email', async () => {
    const { page, person } = await signedUp();
    const other = newPerson();
    await partialUpdate(page, { email: other.email });
    await expectText(page, '#partial-currentPassword-error', 'Enter your current password to change your email.');
    await partialUpdate(page, { email: other.email, currentPassword: 'not my password' });
    await expectText(page, '#partial-currentPassword-error', 'That is not your current password.');
    expect((await overview(page)).email).toBe(person.email);
  });

  it('refuses a username someone else has, and answers for a registered email as for a free one, changing nothing', async () => {
    const { person: taken } = await signedUp();
    const { page, person } = await signedUp();
    await partialUpdate(page, { firstName: 'Changed', username: taken.username.toUpperCase() });
    await expectText(page, '#partial-username-error', 'That username is already taken.');
    // Whether an address is registered is nobody else's business: the same answer as for a free
    // one, and its owner hears that someone tried, with no code.
    await partialUpdate(page, { email: taken.email, currentPassword: person.password });
    await expectText(page, '#partial-status', `We sent a code to ${taken.email}: enter it under “Confirm your new email” to finish the change.`);
    const notice = await waitForMail(taken.email);
    expect(notice.subject).toBe('Someone tried to use your address on Gatehouse');
    expect(notice.text).not.toMatch(/\b\d{6}\b/);
    expect(await overview(page)).toMatchObject({ name: `${person.firstName} ${person.lastName}`, email: person.email });
  });

  it('re-issues the session on a username change: header updates at once, reload keeps the login', async () => {
    const { page, context } = await signedUp();
    const fresh = newPerson();
    const before = (await context.cookies()).find((c) => c.name === '__Host-gatehouse.session')!.value;
    await partialUpdate(page, { username: fresh.username });
    await expectText(page, '#partial-status', 'Saved. Updated your username.');
    await expectText(page, '[data-testid="header-username"]', fresh.username);
    const after = (await context.cookies()).find((c) => c.name === '__Host-gatehouse.session')!.value;
    expect(after).not.toBe(before);
    const claims = JSON.parse(Buffer.from(after.split('.')[1]!, 'base64url').toString());
    expect(claims.username).toBe(fresh.username);
    await page.reload();
    expect(await textOf(page, '[data-testid="header-username"]')).toBe(fresh.username);
    expect(new URL(page.url()).pathname).toBe('/account/profile');

    // The token from before the change, replayed elsewhere, no longer opens the account.
    const replay = await newContext(browser);
    const domain = new URL(baseUrl()).hostname;
    await replay.addCookies([{ name: '__Host-gatehouse.session', value: before, domain, path: '/', secure: true, httpOnly: true, sameSite: 'Lax' }]);
    const replayPage = await replay.newPage();
    await replayPage.goto('/account');
    await expectAtLogin(replayPage, 'Your session has ended. Please log in again.');
  });
});

describe('full profile update', () => {
  it('starts from the current profile and replaces every field', async () => {
    const { page, person } = await signedUp();
    await page.goto('/account/profile');
    expect(await page.inputValue('#full-username')).toBe(person.username);
    expect(await page.inputValue('#full-dateOfBirth')).toBe(person.dateOfBirth);
    const next = newPerson({ firstName: 'Grace', lastName: 'Hopper', dateOfBirth: '1985-12-09' });
    for (const field of ['firstName', 'lastName', 'dateOfBirth', 'username', 'email'] as const) {
      await page.fill(`#full-${field}`, next[field]);
    }
    await page.fill('#full-currentPassword', person.password);
    await page.getByRole('button', { name: 'Replace profile' }).click();
    await expectText(
      page,
      '#full-status',
      `Saved. Updated your username, first name, last name and date of birth. We sent a code to ${next.email}: enter it under “Confirm your new email” to finish the change.`,
    );
    expect(await page.inputValue('#full-username')).toBe(next.username);
    expect(await overview(page)).toEqual({
      name: 'Grace Hopper',
      username: next.username,
      email: person.email,
      dateOfBirth: 'December 9, 1985',
    });
  });

  it('requires every field', async () => {
    const { page, person } = await signedUp();
    await page.goto('/account/profile');
    await page.fill('#full-lastName', '');
    await page.fill('#full-firstName', 'Changed');
    await page.getByRole('button', { name: 'Replace profile' }).click();
    await expectText(page, '#full-lastName-error', 'Enter your last name.');
    expect((await overview(page)).name).toBe(`${person.firstName} ${person.lastName}`);
  });

  it('refuses to overwrite a change made in another tab since the form loaded', async () => {
    const { page, context, person } = await signedUp();
    const other = await context.newPage();
    await page.goto('/account/profile');
    const renamed = newPerson().username;
    await partialUpdate(other, { username: renamed });
    await expectText(other, '#partial-status', 'Saved. Updated your username.');

    await page.fill('#full-firstName', 'Stale');
    await page.getByRole('button', { name: 'Replace profile' }).click();
    await page.waitForSelector('#full-status');
    expect(await textOf(page, '#full-status')).toContain('was changed somewhere else');
    // The form now shows the current profile; saving again is a deliberate replace.
    expect(await page.inputValue('#full-username')).toBe(renamed);
    expect(await overview(other)).toMatchObject({ username: renamed, name: `${person.firstName} ${person.lastName}` });
    await page.fill('#full-firstName', 'Fresh');
    await page.getByRole('button', { name: 'Replace profile' }).click();
    await expectText(page, '#full-status', 'Saved. Updated your first name.');
  });
});

describe('changing the password', () => {
  async function changePassword(page: Page, current: string, next: string, confirm = next) {
    await page.goto('/account/security');
    await page.fill('#currentPassword', current);
    await page.fill('#newPassword', next);
    await page.fill('#confirmPassword', confirm);
    await page.getByRole('button', { name: 'Change password' }).click();
  }

  it('keeps this session, signs out the others, and the new password is the one that works', async () => {
    const { page, person } = await signedUp();
    const second = await newContext(browser);
    const secondPage = await second.newPage();
    await logIn(secondPage, person.username, person.password);
    await secondPage.waitForURL('**/account');

    await changePassword(page, person.password, 'a brand new passphrase');
    await expectText(page, '#password-status', 'Your password was changed. 1 other session was signed out; this one stays signed in.');
    expect((await waitForMail(person.email)).subject).toBe('Your Gatehouse password was changed');
    await page.goto('/account');
    expect(new URL(page.url()).pathname).toBe('/account');

    await expectOnlyNewPassword(secondPage, person, 'a brand new passphrase');
  });

  it('refuses a wrong current password, a mismatch, the same password and a common one', async () => {
    const { page, person } = await signedUp();
    await changePassword(page, 'wrong password!', 'a brand new passphrase');
    await expectText(page, '#currentPassword-error', 'That is not your current password.');
    await changePassword(page, person.password, 'a brand new passphrase', 'something else');
    await expectText(page, '#confirmPassword-error', 'Passwords do not match.');
    await changePassword(page, person.password, person.password);
    await expectText(page, '#newPassword-error', 'Choose a password different from your current one.');
    await changePassword(page, person.password, 'iloveyou');
    await expectText(page, '#newPassword-error', 'This password is too common. Choose something harder to guess.');
    // None of these changed anything: the original password still logs in.
    const check = await (await newContext(browser)).newPage();
    await logIn(check, person.username, person.password);
    await check.waitForURL('**/account');
  });
});

describe('sessions', () => {
  async function secondSession(person: Person): Promise<{ context: BrowserContext; page: Page }> {
    const context = await newContext(browser, { userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1' });
    const page = await context.newPage();
    await logIn(page, person.email, person.password);
    await page.waitForURL('**/account');
    return { context, page };
  }

  it('lists where the person is signed in and signs out one of them', async () => {
    const { page, person } = await signedUp();
    const phone = await secondSession(person);
    await page.goto('/account/security');
    expect(await page.locator('[data-session]').count()).toBe(2);
    expect(await textOf(page, '[data-session="current"]')).toContain('This device');
    const other = page.locator('[data-session="other"]');
    expect(await other.innerText()).toContain('Safari 17 on iOS (mobile)');
    await other.getByRole('button', { name: 'Sign out' }).click();
    await expectText(page, '#sessions-status', 'That session was signed out.');
    expect(await page.locator('[data-session]').count()).toBe(1);

    await phone.page.goto('/account');
    await expectAtLogin(phone.page, 'Your session has ended. Please log in again.');
  });

  it('signs out of all other sessions at once', async () => {
    const { page, person } = await signedUp();
    const a = await secondSession(person);
    const b = await secondSession(person);
    await page.goto('/account/security');
    await page.getByRole('button', { name: 'Sign out of all other sessions' }).click();
    await expectText(page, '#sessions-status', 'Signed out of 2 other sessions.');
    for (const s of [a, b]) {
      await s.page.goto('/account');
      await expectAtLogin(s.page, 'Your session has ended. Please log in again.');
    }
    await page.goto('/account');
    expect(new URL(page.url()).pathname).toBe('/account');
  });

  it('cannot sign out someone else’s session by editing the form', async () => {
    const victim = await signedUp();
    const victimSid = JSON.parse(
      Buffer.from((await victim.context.cookies()).find((c) => c.name === '__Host-gatehouse.session')!.value.split('.')[1]!, 'base64url').toString(),
    ).sid;
    const { page, person } = await signedUp();
    await secondSession(person);
    await page.goto('/account/security');
    await page.locator('[data-session="other"] input[name=sessionId]').evaluate((el, sid) => ((el as HTMLInputElement).value = sid), victimSid);
    await page.locator('[data-session="other"]').getByRole('button', { name: 'Sign out' }).click();
    await expectText(page, '#sessions-status', 'That session had already ended.');
    await victim.page.goto('/account');
    expect(new URL(victim.page.url()).pathname).toBe('/account');
  });
});

describe('security activity', () => {
  it('lists logins, failed attempts and changes, newest first', async () => {
    const { page, person } = await signedUp();
    const attacker = await (await newContext(browser)).newPage();
    await logIn(attacker, person.username, 'guessing wrong');
    await attacker.waitForSelector('#form-error');
    await partialUpdate(page, { firstName: 'Renamed' });
    await expectText(page, '#partial-status', 'Saved. Updated your first name.');
    await page.goto('/account/security');
    const events = await page.locator('[data-event]').evaluateAll((els) => els.map((e) => e.getAttribute('data-event')));
    expect(events).toEqual(['profile_updated', 'login_failed', 'login', 'account_created']);
    expect(await page.content()).not.toContain('guessing wrong');
  });
});

describe('deleting the account', () => {
  it('needs the password and the box ticked, then logs out, and the email can be used again', async () => {
    const { page, person } = await signedUp();
    await page.goto('/account/security');
    await page.fill('#delete-password', person.password);
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await expectText(page, '#delete-confirm-error', 'Tick the box to confirm you want to delete your account.');
    await page.fill('#delete-password', 'not my password');
    await page.check('#delete-confirm');
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await expectText(page, '#delete-password-error', 'That is not your current password.');

    await page.fill('#delete-password', person.password);
    await page.check('#delete-confirm');
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await page.waitForURL('**/goodbye');
    expect(await textOf(page, 'h1')).toBe('Your account has been deleted');
    expect((await waitForMail(person.email)).subject).toBe('Your Gatehouse account was deleted');
    expect(await page.getByRole('button', { name: 'Log out' }).count()).toBe(0);

    await logIn(page, person.username, person.password);
    await expectText(page, '#form-error', 'That email or username and password don’t match an account.');
    await register(page, { ...person, username: newPerson().username });
  });
});

describe('with JavaScript off', () => {
  it('the profile, password and session forms still work', async () => {
    const { page, person } = await signedUp({ javaScriptEnabled: false });
    await partialUpdate(page, { lastName: 'NoScript' });
    await expectText(page, '#partial-status', 'Saved. Updated your last name.');
    expect((await overview(page)).name).toBe(`${person.firstName} NoScript`);

    await page.goto('/account/security');
    await page.fill('#currentPassword', person.password);
    await page.fill('#newPassword', 'works without scripts');
    await page.fill('#confirmPassword', 'works without scripts');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expectText(page, '#password-status', 'Your password was changed. You had no other sessions; this one stays signed in.');
  });
});
