import type { Page } from 'playwright-core';
import type { Person } from '../../support/generators';
import { expectText } from '../support/page-text';

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

  /** Registers through the form and lands on the welcome page. */
  async register(person: Person): Promise<void> {
    await this.fill(person);
    await this.submit();
    await this.page.waitForURL('**/account?welcome=1');
  }

  expectFieldError(field: keyof Person | 'confirmPassword', message: string): Promise<void> {
    return expectText(this.page, `#${field}-error`, message);
  }
}
