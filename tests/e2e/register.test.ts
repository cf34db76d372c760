import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { dateOfBirth, newPerson, username } from '../support/generators';
import { AccountPage } from './pages/account';
import { SiteHeader } from './pages/header';
import { RegisterPage } from './pages/register';
import { VerifyEmailPage } from './pages/verify-email';
import { verificationCode } from '../support/sign-up';
import { dataDir } from './support/shared-server';
import { visitorPage, workerBrowser } from './support/browser';
import { expectText } from './support/page-text';

let browser: Browser;
beforeAll(async () => {
  browser = await workerBrowser();
});

async function visitor(options: { javaScriptEnabled?: boolean } = {}): Promise<{ page: Page; form: RegisterPage }> {
  const page = await visitorPage(browser, options);
  return { page, form: new RegisterPage(page) };
}

describe('registration', () => {
  it('logs the new person in and welcomes them on their account page', async () => {
    const { page, form } = await visitor();
    const person = newPerson({ firstName: 'Grace', lastName: 'Hopper', dateOfBirth: '1985-12-09' });
    await form.register(person);
    await expectText(page, '#welcome', 'Welcome to Gatehouse, Grace! Your account is ready.');
    await expectText(page, '[data-field="Name"]', 'Grace Hopper');
    const account = new AccountPage(page);
    expect(await account.field('Username')).toBe(person.username);
    expect(await account.field('Email')).toBe(person.email);
    await expectText(page, '[data-field="Date of birth"]', 'December 9, 1985');
    expect(await new SiteHeader(page).username()).toBe(person.username);
    expect(await page.content()).not.toMatch(/\$2[aby]\$/);
  });

  it('stores the email trimmed and lower-cased', async () => {
    const { page, form } = await visitor();
    const person = newPerson();
    await form.fill({ ...person, email: `  ${person.email.toUpperCase()}  ` });
    await form.submit();
    const verify = new VerifyEmailPage(page);
    await verify.arrived();
    expect(await verify.description()).toContain(person.email);
    await verify.verify(await verificationCode(person.email, dataDir()));
    expect(await new AccountPage(page).field('Email')).toBe(person.email);
  });

  it('shows mistakes next to their fields in the browser before anything is sent', async () => {
    const { page, form } = await visitor();
    await form.fill(newPerson({ username: '1abc', email: 'not-an-email' }), 'different password');
    await form.submit();
    await form.expectFieldError('username', 'Username must start with a letter and use only letters and digits.');
    await form.expectFieldError('email', 'Enter a valid email address, like name@example.com.');
    await form.expectFieldError('confirmPassword', 'Passwords do not match.');
    expect(await page.locator('#username').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('username');
    expect(page.url()).toContain('/register');
  });

  it('checks a field when the person leaves it', async () => {
    const { page, form } = await visitor();
    await page.goto('/register');
    await page.fill('#username', 'ab');
    await page.press('#username', 'Tab');
    await form.expectFieldError('username', 'Username must be at least 3 characters.');
    await page.fill('#username', 'abc');
    await page.press('#username', 'Tab');
    await form.expectFieldError('username', '');
  });

  describe('on the server (JavaScript off, so nothing is checked in the browser)', () => {
    it('answers every invalid field at once and keeps what was typed, except passwords', async () => {
      const { page, form } = await visitor({ javaScriptEnabled: false });
      const person = newPerson({ firstName: '   ', dateOfBirth: '2999-01-01', username: 'x_y' });
      await form.fill(person, 'mismatch');
      await form.submit();
      await page.waitForSelector('#form-error');
      await form.expectFieldError('firstName', 'Enter your first name.');
      await form.expectFieldError('dateOfBirth', 'Date of birth must be in the past.');
      await form.expectFieldError('username', 'Username must start with a letter and use only letters and digits.');
      await form.expectFieldError('confirmPassword', 'Passwords do not match.');
      expect(await page.inputValue('#lastName')).toBe(person.lastName);
      expect(await page.inputValue('#username')).toBe('x_y');
      expect(await page.inputValue('#email')).toBe(person.email);
      expect(await page.inputValue('#password')).toBe('');
    });

    it('refuses a common password and one equal to the username', async () => {
      const { form } = await visitor({ javaScriptEnabled: false });
      await form.fill(newPerson({ password: 'Password123' }));
      await form.submit();
      await form.expectFieldError('password', 'This password is too common. Choose something harder to guess.');
      const person = newPerson();
      await form.fill({ ...person, password: person.username.toUpperCase() });
      await form.submit();
      await form.expectFieldError('password', 'Password must not be your username or email.');
    });

    it('refuses someone younger than 13', async () => {
      const { form } = await visitor({ javaScriptEnabled: false });
      await form.fill(newPerson({ dateOfBirth: dateOfBirth(12) }));
      await form.submit();
      await form.expectFieldError('dateOfBirth', 'You must be at least 13 years old.');
    });

    it('handles hostile and oversized input with messages, never an error page', async () => {
      const { page, form } = await visitor({ javaScriptEnabled: false });
      const person = newPerson({
        firstName: "Robert'); DROP TABLE users;--",
        lastName: '<img src=x onerror=alert(1)>',
      });
      await form.register(person);
      expect(await new AccountPage(page).field('Name')).toBe(`${person.firstName} ${person.lastName}`);

      const other = await visitor({ javaScriptEnabled: false });
      await other.form.fill(newPerson());
      await other.page.evaluate(() => {
        (document.querySelector('#firstName') as HTMLInputElement).value = 'x'.repeat(20_000);
        (document.querySelector('#lastName') as HTMLInputElement).value = 'Love\u0007lace';
      });
      await other.form.submit();
      await other.form.expectFieldError('firstName', 'First name must be at most 50 characters.');
      await other.form.expectFieldError('lastName', "Last name contains characters that can't be used.");
    });

    it('answers a megabyte-sized form with 413 and a plain explanation, not an error page', async () => {
      const { page, form } = await visitor({ javaScriptEnabled: false });
      await form.fill(newPerson());
      await page.evaluate(() => {
        (document.querySelector('#firstName') as HTMLInputElement).value = 'x'.repeat(1_100_000);
      });
      const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), form.submit()]);
      expect(response.status()).toBe(413);
      await expectText(page, 'h1', 'That was too much data');
    });
  });

  it('says a username is taken whatever its case (a registered email: verification.test.ts)', async () => {
    const first = await visitor();
    const person = newPerson();
    await first.form.register(person);
    const { form } = await visitor();
    await form.fill(newPerson({ username: person.username.toUpperCase() }));
    await form.submit();
    await form.expectFieldError('username', 'That username is already taken.');
  });

  it('lets exactly one of two simultaneous sign-ups for one username win', async () => {
    const [a, b] = [await visitor(), await visitor()];
    const taken = username();
    await a.form.fill(newPerson({ username: taken }));
    await b.form.fill(newPerson({ username: taken }));
    await Promise.all([a.form.submit(), b.form.submit()]);
    const outcome = async (p: Page) =>
      Promise.race([
        p.waitForURL('**/verify-email?**').then(() => 'registered'),
        p.waitForSelector('#username-error:has-text("already taken")').then(() => 'taken'),
      ]);
    expect((await Promise.all([outcome(a.page), outcome(b.page)])).sort()).toEqual(['registered', 'taken']);
  });
});
