import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { email, newPerson } from '../support/generators';
import { AccountPage } from './pages/account';
import { ForgotPasswordPage } from './pages/forgot-password';
import { LoginPage, expectOnlyNewPassword } from './pages/login';
import { ProfilePage } from './pages/profile';
import { ResetPasswordPage } from './pages/reset-password';
import { api } from './support/api';
import { visitorPage, workerBrowser } from './support/browser';
import { withServerDb } from './support/db';
import { codeIn, mailsUntil, waitForMail } from './support/outbox';
import { expectText, textOf } from './support/page-text';
import { VERIFICATION_SUBJECT } from '../support/sign-up';
import { registered, signedIn } from './support/sessions';

let browser: Browser;
beforeAll(async () => {
  browser = await workerBrowser();
});


/** A visitor's page, for the reset flow's pages. */
async function visitor(options: { javaScriptEnabled?: boolean } = {}) {
  const page = await visitorPage(browser, options);
  return { page, forgot: new ForgotPasswordPage(page), reset: new ResetPasswordPage(page) };
}

/** A registered person who asked for a code, on the reset page in a browser of their own. */
async function codeRequested() {
  const person = await registered();
  const browsing = await visitor();
  await browsing.forgot.requestCode(person.email);
  const code = codeIn(await waitForMail(person.email));
  return { person, code, ...browsing };
}

const NEUTRAL = 'If an account exists for that address, we sent a code to it. It works for 10 minutes.';
const INVALID = 'That code is invalid or has expired. Check it, or send a new code.';
const CODE_SUBJECT = 'Your Gatehouse password reset code';
const CHANGED_SUBJECT = 'Your Gatehouse password was changed';

describe('forgot password', () => {
  it('resets with the emailed code: new password works, old fails, other sessions end, a notice is sent', async () => {
    const person = await registered();
    const other = await visitorPage(browser);
    await new LoginPage(other).logInToAccount(person.username, person.password, { remember: true });

    const { page, forgot, reset } = await visitor();
    await forgot.requestCode(person.email);
    await reset.expectCodeSent(NEUTRAL);
    expect(await page.inputValue('#email')).toBe(person.email);
    const mail = await waitForMail(person.email);
    // The code is in the body only: subjects show on lock screens.
    expect(mail.subject).toBe(CODE_SUBJECT);
    expect(mail.html).toContain(codeIn(mail));

    // Asking for a reset changes nothing by itself: the old password still works until it's used.
    await new LoginPage(await visitorPage(browser)).logInToAccount(person.username, person.password);

    await reset.reset(codeIn(mail), 'freshly reset passphrase');
    await expectText(page, '#reset-done', 'Your password was changed and every other session was signed out. You’re logged in with the new password.');

    await expectOnlyNewPassword(other, person, 'freshly reset passphrase');

    const notice = await waitForMail(person.email, 2);
    expect(notice.subject).toBe(CHANGED_SUBJECT);
    expect(JSON.stringify(withServerDb((db) => db.prepare('select code_hash from one_time_codes').all()))).not.toContain(codeIn(mail));
  });

  it('answers an unregistered address identically and sends nothing', async () => {
    const { forgot, reset } = await visitor();
    const nobody = newPerson();
    await forgot.requestCode(nobody.email);
    await reset.expectCodeSent(NEUTRAL);
    // Later the address is registered and asks again: after its verification, that code is the first mail it gets.
    await registered(undefined, undefined, { email: nobody.email });
    await forgot.requestCode(nobody.email);
    expect((await mailsUntil(nobody.email, CODE_SUBJECT)).map((m) => m.subject)).toEqual([VERIFICATION_SUBJECT, CODE_SUBJECT]);
  });

  it('refuses a wrong code, and after five wrong tries the right one too', async () => {
    const { person, page, reset, code } = await codeRequested();
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i += 1) {
      await reset.submit(wrong, 'freshly reset passphrase');
      await reset.expectCodeError(INVALID);
      await page.fill('#code', '');
    }
    await reset.submit(code, 'freshly reset passphrase');
    await reset.expectCodeError(INVALID);
    await new LoginPage(await visitorPage(browser)).logInToAccount(person.username, person.password);
  });

  it('refuses an expired code', async () => {
    const { person, reset, code } = await codeRequested();
    // Eleven minutes pass.
    withServerDb((db) => db.prepare('update one_time_codes set created_at = created_at - 660000, expires_at = expires_at - 660000 where email = ?').run(person.email));
    await reset.submit(code, 'freshly reset passphrase');
    await reset.expectCodeError(INVALID);
  });

  it('refuses a used code, and a code replaced by a newer one', async () => {
    const { person, reset, code: first } = await codeRequested();

    // A minute later the person asks again: the first code stops working.
    withServerDb((db) => db.prepare('update one_time_codes set created_at = created_at - 61000 where email = ?').run(person.email));
    // Coming back to the reset page later, the person uses its "Send a new code" button.
    await reset.goto(person.email);
    await reset.sendNewCode();
    await reset.expectResendStatus(NEUTRAL);
    expect(await reset.resendWait()).toMatch(/^You can ask for a new one in \d+ s\.$/);
    const second = codeIn(await waitForMail(person.email, 2));
    if (second !== first) {
      await reset.submit(first, 'freshly reset passphrase');
      await reset.expectCodeError(INVALID);
    }
    await reset.reset(second, 'freshly reset passphrase');

    const again = (await visitor()).reset;
    await again.goto(person.email);
    await again.submit(second, 'another new passphrase');
    await again.expectCodeError(INVALID);
  });

  it('keeps the answer neutral when asked too often, and sends at most one code a minute', async () => {
    const { person, forgot, reset, code } = await codeRequested();
    expect(await reset.resendWait()).toMatch(/^You can ask for a new one in \d+ s\.$/);
    await forgot.requestCode(person.email);
    await reset.expectCodeSent(NEUTRAL);
    // The code mailed first resets the password, and the notice of that is the next mail: no second code came before it.
    expect((await api('POST', '/auth/password/reset', { body: { email: person.email, code, newPassword: 'freshly reset passphrase' } })).status).toBe(204);
    expect((await mailsUntil(person.email, CHANGED_SUBJECT)).map((m) => m.subject)).toEqual([VERIFICATION_SUBJECT, CODE_SUBJECT, CHANGED_SUBJECT]);
  });

  it('checks the new password before spending the code', async () => {
    const { reset, code } = await codeRequested();
    await reset.submit(code, 'password1');
    await reset.expectFieldError('newPassword', 'This password is too common. Choose something harder to guess.');
    await reset.reset(code, 'freshly reset passphrase');
  });
});

describe('without JavaScript', () => {
  it('the whole reset works, and "Send a new code" is there', async () => {
    const person = await registered();
    const { page, forgot, reset } = await visitor({ javaScriptEnabled: false });
    await forgot.requestCode(person.email);
    await reset.expectCodeSent(NEUTRAL);
    expect(await page.getByRole('button', { name: 'Send a new code' }).isVisible()).toBe(true);
    await reset.reset(codeIn(await waitForMail(person.email)), 'reset without scripts');
  });
});

describe('the development outbox page', () => {
  it('does not exist in production', async () => {
    const { page } = await visitor();
    const response = await page.goto('/dev/outbox');
    expect(response?.status()).toBe(404);
    expect(await textOf(page, 'h1')).toBe('Page not found');
    expect(await page.title()).not.toContain('Outbox');
  });
});

describe('changing the email', () => {
  it('takes effect only with the code sent to the new address, and tells the old one', async () => {
    const { page, person } = await signedIn(browser);
    const next = email();
    const profile = new ProfilePage(page);

    await profile.partialUpdate({ email: next, currentPassword: person.password });
    await profile.expectPartialStatus(`We sent a code to ${next}: enter it under “Confirm your new email” to finish the change.`);
    const mail = await waitForMail(next);
    expect(mail.subject).toBe('Confirm your new Gatehouse email address');

    expect((await new AccountPage(page).overview()).email).toBe(person.email);

    await profile.confirmEmail('999999' === codeIn(mail) ? '888888' : '999999');
    await profile.expectConfirmStatus(INVALID);

    await profile.confirmEmail(codeIn(mail));
    await page.waitForURL('**/account/profile?email=confirmed');
    await expectText(page, '#email-confirmed', `Your email is now ${next}. We let your previous address know.`);
    const notice = await waitForMail(person.email);
    expect(notice.subject).toBe('Your Gatehouse email address was changed');
    expect(notice.text).toContain(next);

    expect((await new AccountPage(page).overview()).email).toBe(next);
    await new LoginPage(await visitorPage(browser)).logInToAccount(next, person.password);
  });
});
