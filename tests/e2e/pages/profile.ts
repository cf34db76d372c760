import type { Page } from 'playwright-core';
import { expectText } from '../support/page-text';
import { submit } from './form';

type ProfileField = 'firstName' | 'lastName' | 'dateOfBirth' | 'username' | 'email';

/** `/account/profile`: the partial update, the full replace, and the new email's confirmation. */
export class ProfilePage {
  constructor(private readonly page: Page) {}

  goto(): Promise<unknown> {
    return this.page.goto('/account/profile');
  }

  /** Opens the page and saves the partial form with these fields filled in, the rest left blank. */
  async partialUpdate(values: Partial<Record<ProfileField | 'currentPassword', string>>): Promise<void> {
    await this.goto();
    await this.savePartial(values);
  }

  /** Saves the partial form on the page as it is, with these fields filled in. */
  async savePartial(values: Partial<Record<ProfileField | 'currentPassword', string>>): Promise<void> {
    for (const [field, value] of Object.entries(values)) await this.page.fill(`#partial-${field}`, value);
    await submit(this.page.getByRole('button', { name: 'Save changes' }));
  }

  expectPartialStatus(text: string): Promise<void> {
    return expectText(this.page, '#partial-status', text);
  }

  expectFieldError(form: 'partial' | 'full', field: ProfileField | 'currentPassword', text: string): Promise<void> {
    return expectText(this.page, `#${form}-${field}-error`, text);
  }

  fullValue(field: ProfileField): Promise<string> {
    return this.page.inputValue(`#full-${field}`);
  }

  /** Changes these fields of the full form as it stands on the page, and sends it. */
  async replace(values: Partial<Record<ProfileField | 'currentPassword', string>>): Promise<void> {
    for (const [field, value] of Object.entries(values)) await this.page.fill(`#full-${field}`, value);
    await submit(this.page.getByRole('button', { name: 'Replace profile' }));
  }

  expectFullStatus(text: string): Promise<void> {
    return expectText(this.page, '#full-status', text);
  }

  /** Opens the page and sends the code for the new email. */
  async confirmEmail(code: string): Promise<void> {
    await this.goto();
    await this.page.fill('#email-code', code);
    await submit(this.page.getByRole('button', { name: 'Confirm new email' }));
  }

  expectConfirmStatus(text: string): Promise<void> {
    return expectText(this.page, '#confirm-email-status', text);
  }
}
