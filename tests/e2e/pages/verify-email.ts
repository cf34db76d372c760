import type { Page } from 'playwright-core';
import { expectText } from '../support/page-text';
import { submit } from './form';

/** `/verify-email`: where a sign-up lands while its address waits for the code. */
export class VerifyEmailPage {
  constructor(private readonly page: Page) {}

  /** Waits until the browser is on the page (after a sign-up or an unverified login). */
  async arrived(): Promise<void> {
    await this.page.waitForURL('**/verify-email?**');
  }

  async enterCode(code: string): Promise<void> {
    await this.page.fill('#code', code);
    await submit(this.page.getByRole('button', { name: 'Verify and continue' }));
  }

  /** Enters the right code and lands on the account page, signed in and welcomed. */
  async verify(code: string): Promise<void> {
    await this.enterCode(code);
    await this.page.waitForURL('**/account?welcome=1');
  }

  sendNewCode(): Promise<void> {
    return submit(this.page.getByRole('button', { name: 'Send a new code' }));
  }

  startOver(): Promise<void> {
    return submit(this.page.getByRole('button', { name: 'Start over' }));
  }

  description(): Promise<string> {
    return this.page.locator('h1 + p').innerText();
  }

  expectCodeError(text: string): Promise<void> {
    return expectText(this.page, '#code-error', text);
  }

  expectNotice(text: string): Promise<void> {
    return expectText(this.page, '#verify-notice', text);
  }
}
