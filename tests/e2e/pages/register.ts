import type { Page } from 'playwright-core';
import type { Person } from '../../support/generators';
import { verificationCode, verificationMails } from '../../support/sign-up';
import { expectText } from '../support/page-text';
import { dataDir } from '../support/shared-server';
import { VerifyEmailPage } from './verify-email';

/** `/register`. */
export class RegisterPage {
  constructor(private readonly page: Page) {}

  /** Opens the form and types `person` in, with `confirm` as the password's confirmation. */
  async fill(person: Person, confirm = person.password): Promise<void> {
    await this.page.goto('/register');
    await this.page.fill('#firstName', person.firstName);
    await this.page.fill('#lastName', person.lastName);
    await this.page.fill('#dateOfBirth', person.dateOfBirth);
    await this.page.fill('#username', person.username);
    await this.page.fill('#email', person.email);
    await this.page.fill('#password', person.password);
    await this.page.fill('#confirmPassword', confirm);
  }

  /** Presses "Create account"; with scripts on, the browser keeps a form it finds mistakes in. */
  submit(): Promise<void> {
    return this.page.getByRole('button', { name: 'Create account' }).click();
  }

  /**
   * Registers through the form, verifies the address with the code from the outbox of the server
   * keeping its mail in `serverDataDir` (the shared one by default), and lands on the welcome page.
   */
  async register(person: Person, serverDataDir = dataDir()): Promise<void> {
    const before = verificationMails(person.email, serverDataDir);
    await this.fill(person);
    await this.submit();
    const verify = new VerifyEmailPage(this.page);
    await verify.arrived();
    await verify.verify(await verificationCode(person.email, serverDataDir, before + 1));
  }

  expectFieldError(field: keyof Person | 'confirmPassword', message: string): Promise<void> {
    return expectText(this.page, `#${field}-error`, message);
  }
}
