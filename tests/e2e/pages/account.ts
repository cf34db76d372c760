import type { Page } from 'playwright-core';
import { textOf } from '../support/page-text';

export type Overview = { name: string; username: string; email: string; dateOfBirth: string };

/** `/account`: the profile as the person sees it. */
export class AccountPage {
  constructor(private readonly page: Page) {}

  field(label: 'Name' | 'Username' | 'Email' | 'Date of birth'): Promise<string> {
    return textOf(this.page, `[data-field="${label}"]`);
  }

  async overview(): Promise<Overview> {
    await this.page.goto('/account');
    return {
      name: await this.field('Name'),
      username: await this.field('Username'),
      email: await this.field('Email'),
      dateOfBirth: await this.field('Date of birth'),
    };
  }
}
