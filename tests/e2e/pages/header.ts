import type { Page } from 'playwright-core';
import { expectText, textOf } from '../support/page-text';

/** The site header on every page. */
export class SiteHeader {
  constructor(private readonly page: Page) {}

  username(): Promise<string> {
    return textOf(this.page, '[data-testid="header-username"]');
  }

  expectUsername(text: string): Promise<void> {
    return expectText(this.page, '[data-testid="header-username"]', text);
  }

  logOutButtons(): Promise<number> {
    return this.page.getByRole('button', { name: 'Log out' }).count();
  }

  async logOut(): Promise<void> {
    await this.page.getByRole('button', { name: 'Log out' }).click();
    await this.page.waitForURL('**/login?reason=signed-out');
  }
}
