import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectText, fillRegistration, launchBrowser, newContext, newPerson, register, textOf } from './support/browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function page(options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
  return (await newContext(browser, options)).newPage();
}

const submit = (p: Page) => p.getByRole('button', { name: 'Create account' }).click();

describe('registration', () => {
  it('logs the new person in and welcomes them on their account page', async () => {
    const p = await page();
    const person = newPerson({ firstName: 'Grace', lastName: 'Hopper', dateOfBirth: '1985-12-09' });
    await register(p, person);
    await expectText(p, '#welcome', 'Welcome to Gatehouse, Grace! Your account is ready.');
    await expectText(p, '[data-field="Name"]', 'Grace Hopper');
    expect(await textOf(p, '[data-field="Username"]')).toBe(person.username);
    expect(await textOf(p, '[data-field="Email"]')).toBe(person.email);
    await expectText(p, '[data-field="Date of birth"]', 'December 9, 1985');
    expect(await textOf(p, '[data-testid="header-username"]')).toBe(person.username);
    expect(await p.content()).not.toMatch(/\$2[aby]\$/);
  });

  it('stores the email trimmed and lower-cased', async () => {
    const p = await page();
    const person = newPerson();
    await fillRegistration(p, { ...person, email: `  ${person.email.toUpperCase()}  ` });
    await submit(p);
    await p.waitForURL('**/account?welcome=1');
    expect(await textOf(p, '[data-field="Email"]')).toBe(person.email);
  });

  it('shows mistakes next to their fields in the browser before anything is sent', async () => {
    const p = await page();
    await fillRegistration(p, newPerson({ username: '1abc', email: 'not-an-email' }), 'different password');
    await submit(p);
    await expectText(p, '#username-error', 'Username must start with a letter and use only letters and digits.');
    await expectText(p, '#email-error', 'Enter a valid email address, like name@example.com.');
    await expectText(p, '#confirmPassword-error', 'Passwords do not match.');
    expect(await p.locator('#username').getAttribute('aria-invalid')).toBe('true');
    expect(await p.evaluate(() => document.activeElement?.id)).toBe('username');
    expect(p.url()).toContain('/register');
  });

  it('checks a field when the person leaves it', async () => {
    const p = await page();
    await p.goto('/register');
    await p.fill('#username', 'ab');
    await p.press('#username', 'Tab');
    await expectText(p, '#username-error', 'Username must be at least 3 characters.');
    await p.fill('#username', 'abc');
    await p.press('#username', 'Tab');
    await expectText(p, '#username-error', '');
  });

  describe('on the server (JavaScript off, so nothing is checked in the browser)', () => {
    it('answers every invalid field at once and keeps what was typed, except passwords', async () => {
      const p = await page({ javaScriptEnabled: false });
      const person = newPerson({ firstName: '   ', dateOfBirth: '2999-01-01', username: 'x_y' });
      await fillRegistration(p, person, 'mismatch');
      await submit(p);
      await p.waitForSelector('#form-error');
      await expectText(p, '#firstName-error', 'Enter your first name.');
      await expectText(p, '#dateOfBirth-error', 'Date of birth must be in the past.');
      await expectText(p, '#username-error', 'Username must start with a letter and use only letters and digits.');
      await expectText(p, '#confirmPassword-error', 'Passwords do not match.');
      expect(await p.inputValue('#lastName')).toBe(person.lastName);
      expect(await p.inputValue('#username')).toBe('x_y');
      expect(await p.inputValue('#email')).toBe(person.email);
      expect(await p.inputValue('#password')).toBe('');
    });

    it('refuses a common password and one equal to the username', async () => {
      const p = await page({ javaScriptEnabled: false });
      await fillRegistration(p, newPerson({ password: 'Password123' }));
      await submit(p);
      await expectText(p, '#password-error', 'This password is too common. Choose something harder to guess.');
      const person = newPerson();
      await fillRegistration(p, { ...person, password: person.username.toUpperCase() });
      await submit(p);
      await expectText(p, '#password-error', 'Password must not be your username or email.');
    });

    it('refuses someone younger than 13', async () => {
      const p = await page({ javaScriptEnabled: false });
      const d = new Date();
      const young = `${d.getFullYear() - 12}-01-01`;
      await fillRegistration(p, newPerson({ dateOfBirth: young }));
      await submit(p);
      await expectText(p, '#dateOfBirth-error', 'You must be at least 13 years old.');
    });

    it('handles hostile and oversized input with messages, never an error page', async () => {
      const p = await page({ javaScriptEnabled: false });
      const person = newPerson({
        firstName: "Robert'); DROP TABLE users;--",
        lastName: '<img src=x onerror=alert(1)>',
      });
      await register(p, person);
      expect(await textOf(p, '[data-field="Name"]')).toBe(`${person.firstName} ${person.lastName}`);

      const q = await page({ javaScriptEnabled: false });
      await fillRegistration(q, newPerson());
      await q.evaluate(() => {
        (document.querySelector('#firstName') as HTMLInputElement).value = 'x'.repeat(20_000);
        (document.querySelector('#lastName') as HTMLInputElement).value = 'Love\u0007lace';
      });
      await submit(q);
      await expectText(q, '#firstName-error', 'First name must be at most 50 characters.');
      await expectText(q, '#lastName-error', "Last name contains characters that can't be used.");
    });

    it('answers a megabyte-sized form with 413 and a plain explanation, not an error page', async () => {
      const p = await page({ javaScriptEnabled: false });
      await fillRegistration(p, newPerson());
      await p.evaluate(() => {
        (document.querySelector('#firstName') as HTMLInputElement).value = 'x'.repeat(1_100_000);
      });
      const [response] = await Promise.all([p.waitForResponse((r) => r.request().method() === 'POST'), submit(p)]);
      expect(response.status()).toBe(413);
      await expectText(p, 'h1', 'That was too much data');
    });
  });

  it('says a username is taken whatever its case, and an email too', async () => {
    const p = await page();
    const person = newPerson();
    await register(p, person);
    const q = await page();
    await fillRegistration(q, newPerson({ username: person.username.toUpperCase() }));
    await submit(q);
    await expectText(q, '#username-error', 'That username is already taken.');
    await fillRegistration(q, newPerson({ email: person.email }));
    await submit(q);
    await expectText(q, '#email-error', 'An account with this email already exists. Log in instead?');
  });

  it('lets exactly one of two simultaneous sign-ups for one username win', async () => {
    const [a, b] = [await page(), await page()];
    const username = newPerson().username;
    await fillRegistration(a, newPerson({ username }));
    await fillRegistration(b, newPerson({ username }));
    await Promise.all([submit(a), submit(b)]);
    const outcome = async (p: Page) =>
      Promise.race([
        p.waitForURL('**/account?welcome=1').then(() => 'registered'),
        p.waitForSelector('#username-error:has-text("already taken")').then(() => 'taken'),
      ]);
    expect((await Promise.all([outcome(a), outcome(b)])).sort()).toEqual(['registered', 'taken']);
  });
});
