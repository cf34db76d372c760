import type { Page } from 'playwright-core';
import { expectText, textOf } from '../support/page-text';
import { submit } from './form';

/** `/reset-password`: the emailed code and a new password. */
export class ResetPasswordPage {
  constructor(private readonly page: Page) {}

  goto(email: string): Promise<unknown> {
    return this.page.goto(`/reset-password?email=${encodeURIComponent(email)}`);
  }

  async submit(code: string, password: string): Promise<void> {
    await this.page.fill('#code', code);
    await this.page.fill('#newPassword', password);
    await this.page.fill('#confirmPassword', password);
    await submit(this.page.getByRole('button', { name: 'Set new password' }));
  }

  /** Submits and lands on the account page, signed in with the new password. */
  async reset(code: string, password: string): Promise<void> {
    await this.submit(code, password);
    await this.page.waitForURL('**/account?reset=1');
  }

  sendNewCode(): Promise<void> {
    return submit(this.page.getByRole('button', { name: 'Send a new code' }));
  }

  expectCodeSent(text: string): Promise<void> {
    return expectText(this.page, '#code-sent', text);
  }

  expectResendStatus(text: string): Promise<void> {
    return expectText(this.page, '#resend-status', text);
  }

  expectCodeError(text: string): Promise<void> {
    return expectText(this.page, '#code-error', text);
  }

  expectFieldError(field: 'newPassword', text: string): Promise<void> {
    return expectText(this.page, `#${field}-error`, text);
  }

  /** When the page lets the person ask for another code. */
  async resendWait(): Promise<string> {
    await this.page.waitForSelector('#resend-wait');
    return textOf(this.page, '#resend-wait');
  }
}
