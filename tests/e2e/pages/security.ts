import type { Locator, Page } from 'playwright-core';
import { expectText, textOf } from '../support/page-text';
import { submit } from './form';

/** `/account/security`: the password, the sessions, the activity, and deleting the account. */
export class SecurityPage {
  constructor(private readonly page: Page) {}

  goto(): Promise<unknown> {
    return this.page.goto('/account/security');
  }

  async changePassword(current: string, next: string, confirm = next): Promise<void> {
    await this.goto();
    await this.page.fill('#currentPassword', current);
    await this.page.fill('#newPassword', next);
    await this.page.fill('#confirmPassword', confirm);
    await submit(this.page.getByRole('button', { name: 'Change password' }));
  }

  expectFieldError(field: 'currentPassword' | 'newPassword' | 'confirmPassword' | 'delete-password' | 'delete-confirm', text: string): Promise<void> {
    return expectText(this.page, `#${field}-error`, text);
  }

  expectPasswordStatus(text: string): Promise<void> {
    return expectText(this.page, '#password-status', text);
  }

  sessions(): Locator {
    return this.page.locator('[data-session]');
  }

  currentSession(): Promise<string> {
    return textOf(this.page, '[data-session="current"]');
  }

  otherSession(): Locator {
    return this.page.locator('[data-session="other"]');
  }

  signOut(session: Locator): Promise<void> {
    return submit(session.getByRole('button', { name: 'Sign out' }));
  }

  signOutAllOthers(): Promise<void> {
    return submit(this.page.getByRole('button', { name: 'Sign out of all other sessions' }));
  }

  expectSessionsStatus(text: string): Promise<void> {
    return expectText(this.page, '#sessions-status', text);
  }

  /** The activity list's event types, newest first. */
  events(): Promise<(string | null)[]> {
    return this.page.locator('[data-event]').evaluateAll((els) => els.map((e) => e.getAttribute('data-event')));
  }

  /** Sends the delete form on the page as it is, with this password and the box ticked or not. */
  async deleteAccount(password: string, { confirm }: { confirm: boolean }): Promise<void> {
    await this.page.fill('#delete-password', password);
    if (confirm) await this.page.check('#delete-confirm');
    await submit(this.page.getByRole('button', { name: 'Delete my account' }));
  }
}
