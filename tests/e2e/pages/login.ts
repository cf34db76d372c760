import type { Page } from 'playwright-core';
import type { Person } from '../../support/generators';
import { expectText, textOf } from '../support/page-text';
import { submit } from './form';

/** `/login`. */
export class LoginPage {
  constructor(private readonly page: Page) {}

  /** Fills in and sends the form on the page as it is (e.g. where a protected page sent the visitor). */
  async send(login: string, password: string, { remember = false } = {}): Promise<void> {
    await this.page.fill('#login', login);
    await this.page.fill('#password', password);
    if (remember) await this.page.check('input[name=remember]');
    await submit(this.page.getByRole('button', { name: 'Log in' }));
  }

  /** Opens the form at `path` (e.g. with a `next`) and logs in with it. */
  async logIn(login: string, password: string, { remember = false, path = '/login' } = {}): Promise<void> {
    await this.page.goto(path);
    await this.send(login, password, { remember });
  }

  /** Logs in and lands on the account page. */
  async logInToAccount(login: string, password: string, options: { remember?: boolean } = {}): Promise<void> {
    await this.logIn(login, password, options);
    await this.page.waitForURL('**/account');
  }

  error(): Promise<string> {
    return textOf(this.page, '#form-error');
  }

  expectError(message: string): Promise<void> {
    return expectText(this.page, '#form-error', message);
  }

  /** Waits to be sent here, and to be told why. */
  async expectSentHere(reason: string): Promise<void> {
    await this.page.waitForURL(/\/login/);
    await expectText(this.page, '#login-reason', reason);
  }
}

/**
 * After the password changed somewhere else: this browser's session has ended, the old password
 * is refused, and the new one logs in.
 */
export async function expectOnlyNewPassword(page: Page, person: Person, newPassword: string): Promise<void> {
  const login = new LoginPage(page);
  await page.goto('/account');
  await login.expectSentHere('Your session has ended. Please log in again.');
  await login.logIn(person.username, person.password);
  await login.expectError('That email or username and password don’t match an account.');
  await login.logInToAccount(person.username, newPassword);
}
