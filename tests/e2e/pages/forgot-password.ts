import type { Page } from 'playwright-core';
import { submit } from './form';

/** `/forgot-password`, reached as a person reaches it: from the login page. */
export class ForgotPasswordPage {
  constructor(private readonly page: Page) {}

  /** Follows "Forgot password?" from the login page, asks for a code, and lands on the reset page. */
  async requestCode(email: string): Promise<void> {
    await this.page.goto('/login');
    await this.page.getByRole('link', { name: 'Forgot password?' }).click();
    await this.page.fill('#email', email);
    await submit(this.page.getByRole('button', { name: 'Send me a code' }));
    await this.page.waitForURL(/\/reset-password\?/);
  }
}
