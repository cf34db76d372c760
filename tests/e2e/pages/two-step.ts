import type { Page } from 'playwright-core';
import { totpCode } from '../../support/totp';
import { expectText, textOf } from '../support/page-text';
import { submit } from './form';

/** Two-step verification on `/account/security`, and "Confirm it's you" in front of it. */
export class TwoStepSection {
  constructor(private readonly page: Page) {}

  state(): Promise<string> {
    return textOf(this.page, '#two-step-state');
  }

  /** Sets up an authenticator app as a person does: the key read off the page, the app's code typed in. Returns the key and the recovery codes shown. */
  async turnOn(): Promise<{ key: string; recoveryCodes: string[] }> {
    await this.page.goto('/account/security');
    await submit(this.page.getByRole('button', { name: 'Set up an authenticator app' }));
    await this.page.locator('#totp-key').waitFor();
    const key = await textOf(this.page, '#totp-key');
    await this.page.fill('#setup-code', totpCode(key));
    await submit(this.page.getByRole('button', { name: 'Turn on two-step verification' }));
    const codes = this.page.locator('#recovery-codes li');
    // allInnerTexts() doesn't wait: the list may render a moment after the answer arrived.
    await codes.first().waitFor();
    return { key, recoveryCodes: (await codes.allInnerTexts()).map((c) => c.trim()) };
  }

  async savedCodes(): Promise<void> {
    await this.page.getByRole('button', { name: 'I saved them' }).click();
    await this.page.locator('#recovery-codes').waitFor({ state: 'detached' });
  }

  /** "Confirm it's you" with the password. */
  async confirmWithPassword(password: string): Promise<void> {
    await this.page.fill('#confirm-password', password);
    await submit(this.page.getByRole('button', { name: 'Confirm' }));
  }

  async turnOff(code: string): Promise<void> {
    await this.page.fill('#disable-code', code);
    await submit(this.page.getByRole('button', { name: 'Turn off two-step verification' }));
  }
}

/** `/login/two-step`: the second step of a sign-in. */
export class SecondStepPage {
  constructor(private readonly page: Page) {}

  async arrived(): Promise<void> {
    await this.page.waitForURL('**/login/two-step?**');
  }

  async enter(code: string, { recovery = false } = {}): Promise<void> {
    if (recovery) await this.page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await this.page.fill('#code', code);
    await submit(this.page.getByRole('button', { name: 'Verify and sign in' }));
  }

  expectError(text: string): Promise<void> {
    return expectText(this.page, '#code-error', text);
  }
}
