import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOnlyNewPassword, expectText, launchBrowser, logIn, newContext, newPerson, register, textOf, type Person } from './support/browser';
import { codeIn, mailTo, serverDb, waitForMail } from './support/outbox';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function registered(): Promise<Person> {
  const context = await newContext(browser);
  const person = newPerson();
  await register(await context.newPage(), person);
  await context.close();
  return person;
}

async function requestCode(page: Page, email: string) {
  await page.goto('/login');
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await page.fill('#email', email);
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await page.waitForURL(/\/reset-password\?/);
}

/** A registered person who asked for a code, on the reset page in a browser of their own. */
async function codeRequested() {
  const person = await registered();
  const page = await (await newContext(browser)).newPage();
  await requestCode(page, person.email);
  const code = codeIn(await waitForMail(person.email));
  return { person, page, code };
}

/** Submits the reset form and waits for the server's answer: the text on the page may still be the last answer's. */
async function submitReset(page: Page, code: string, password: string) {
  await page.fill('#code', code);
  await page.fill('#newPassword', password);
  await page.fill('#confirmPassword', password);
  const answered = page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/reset-password');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await answered;
}

const NEUTRAL = 'If an account exists for that address, we sent a code to it. It works for 10 minutes.';
const INVALID = 'That code is invalid or has expired. Check it, or send a new code.';

describe('forgot password', () => {
  it('resets with the emailed code: new password works, old fails, other sessions end, a notice is sent', async () => {
    const person = await registered();
    const other = await (await newContext(browser)).newPage();
    await logIn(other, person.username, person.password, { remember: true });
    await other.waitForURL('**/account');

    const page = await (await newContext(browser)).newPage();
    await requestCode(page, person.email);
    await expectText(page, '#code-sent', NEUTRAL);
    expect(await page.inputValue('#email')).toBe(person.email);
    const mail = await waitForMail(person.email);
    // The code is in the body only: subjects show on lock screens.
    expect(mail.subject).toBe('Your Gatehouse password reset code');
    expect(mail.html).toContain(codeIn(mail));

    // Asking for a reset changes nothing by itself: the old password still works until it's used.
    const stillWorks = await (await newContext(browser)).newPage();
    await logIn(stillWorks, person.username, person.password);
    await stillWorks.waitForURL('**/account');

    await submitReset(page, codeIn(mail), 'freshly reset passphrase');
    await page.waitForURL('**/account?reset=1');
    await expectText(page, '#reset-done', 'Your password was changed and every other session was signed out. You’re logged in with the new password.');

    await expectOnlyNewPassword(other, person, 'freshly reset passphrase');

    const notice = await waitForMail(person.email, 2);
    expect(notice.subject).toBe('Your Gatehouse password was changed');
    expect(JSON.stringify(serverDb().prepare('select code_hash from one_time_codes').all())).not.toContain(codeIn(mail));
  });

  it('answers an unregistered address identically and sends nothing', async () => {
    const page = await (await newContext(browser)).newPage();
    const nobody = newPerson().email;
    await requestCode(page, nobody);
    await expectText(page, '#code-sent', NEUTRAL);
    await new Promise((r) => setTimeout(r, 500));
    expect(mailTo(nobody)).toEqual([]);
  });

  it('refuses a wrong code, and after five wrong tries the right one too', async () => {
    const { person, page, code } = await codeRequested();
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i += 1) {
      await submitReset(page, wrong, 'freshly reset passphrase');
      await expectText(page, '#code-error', INVALID);
      await page.fill('#code', '');
    }
    await submitReset(page, code, 'freshly reset passphrase');
    await expectText(page, '#code-error', INVALID);
    const check = await (await newContext(browser)).newPage();
    await logIn(check, person.username, person.password);
    await check.waitForURL('**/account');
  });

  it('refuses an expired code', async () => {
    const { person, page, code } = await codeRequested();
    // Eleven minutes pass.
    const db = serverDb();
    db.prepare('update one_time_codes set created_at = created_at - 660000, expires_at = expires_at - 660000 where email = ?').run(person.email);
    db.close();
    await submitReset(page, code, 'freshly reset passphrase');
    await expectText(page, '#code-error', INVALID);
  });

  it('refuses a used code, and a code replaced by a newer one', async () => {
    const { person, page, code: first } = await codeRequested();

    // A minute later the person asks again: the first code stops working.
    const db = serverDb();
    db.prepare('update one_time_codes set created_at = created_at - 61000 where email = ?').run(person.email);
    db.close();
    // Coming back to the reset page later, the person uses its "Send a new code" button.
    await page.goto(`/reset-password?email=${encodeURIComponent(person.email)}`);
    await page.getByRole('button', { name: 'Send a new code' }).click();
    await expectText(page, '#resend-status', NEUTRAL);
    await page.waitForSelector('#resend-wait');
    expect(await textOf(page, '#resend-wait')).toMatch(/You can ask for a new one in \d+ s\./);
    const second = codeIn(await waitForMail(person.email, 2));
    if (second !== first) {
      await submitReset(page, first, 'freshly reset passphrase');
      await expectText(page, '#code-error', INVALID);
    }
    await submitReset(page, second, 'freshly reset passphrase');
    await page.waitForURL('**/account?reset=1');

    const again = await (await newContext(browser)).newPage();
    await again.goto(`/reset-password?email=${encodeURIComponent(person.email)}`);
    await submitReset(again, second, 'another new passphrase');
    await expectText(again, '#code-error', INVALID);
  });

  it('keeps the answer neutral when asked too often, and sends at most one code a minute', async () => {
    const { person, page } = await codeRequested();
    await page.waitForSelector('#resend-wait');
    expect(await textOf(page, '#resend-wait')).toMatch(/You can ask for a new one in \d+ s\./);
    await requestCode(page, person.email);
    await expectText(page, '#code-sent', NEUTRAL);
    await new Promise((r) => setTimeout(r, 500));
    expect(mailTo(person.email)).toHaveLength(1);
  });

  it('checks the new password before spending the code', async () => {
    const { person, page, code } = await codeRequested();
    await submitReset(page, code, 'password1');
    await expectText(page, '#newPassword-error', 'This password is too common. Choose something harder to guess.');
    await submitReset(page, code, 'freshly reset passphrase');
    await page.waitForURL('**/account?reset=1');
  });
});

describe('without JavaScript', () => {
  it('the whole reset works, and "Send a new code" is there', async () => {
    const person = await registered();
    const page = await (await newContext(browser, { javaScriptEnabled: false })).newPage();
    await requestCode(page, person.email);
    await expectText(page, '#code-sent', NEUTRAL);
    expect(await page.getByRole('button', { name: 'Send a new code' }).isVisible()).toBe(true);
    await submitReset(page, codeIn(await waitForMail(person.email)), 'reset without scripts');
    await page.waitForURL('**/account?reset=1');
  });
});

describe('the development outbox page', () => {
  it('does not exist in production', async () => {
    const page = await (await newContext(browser)).newPage();
    const response = await page.goto('/dev/outbox');
    expect(response?.status()).toBe(404);
    expect(await textOf(page, 'h1')).toBe('Page not found');
    expect(await page.title()).not.toContain('Outbox');
  });
});

describe('changing the email', () => {
  it('takes effect only with the code sent to the new address, and tells the old one', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const person = newPerson();
    await register(page, person);
    const next = newPerson().email;

    await page.goto('/account/profile');
    await page.fill('#partial-email', next);
    await page.fill('#partial-currentPassword', person.password);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expectText(page, '#partial-status', `We sent a code to ${next}: enter it under “Confirm your new email” to finish the change.`);
    const mail = await waitForMail(next);
    expect(mail.subject).toBe('Confirm your new Gatehouse email address');

    await page.goto('/account');
    expect(await textOf(page, '[data-field="Email"]')).toBe(person.email);

    await page.goto('/account/profile');
    await page.fill('#email-code', '999999' === codeIn(mail) ? '888888' : '999999');
    await page.getByRole('button', { name: 'Confirm new email' }).click();
    await expectText(page, '#confirm-email-status', INVALID);

    await page.fill('#email-code', codeIn(mail));
    await page.getByRole('button', { name: 'Confirm new email' }).click();
    await page.waitForURL('**/account/profile?email=confirmed');
    await expectText(page, '#email-confirmed', `Your email is now ${next}. We let your previous address know.`);
    const notice = await waitForMail(person.email);
    expect(notice.subject).toBe('Your Gatehouse email address was changed');
    expect(notice.text).toContain(next);

    await page.goto('/account');
    expect(await textOf(page, '[data-field="Email"]')).toBe(next);
    const check = await (await newContext(browser)).newPage();
    await logIn(check, next, person.password);
    await check.waitForURL('**/account');
  });
});
