import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { expect, inject } from 'vitest';

export const baseUrl = () => inject('baseUrl');

// Debian's Chromium, never a downloaded browser; the flags keep it off this closed network.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A browser with a fresh profile (Playwright gives each launch its own --user-data-dir). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath, args: ARGS });
}

/** A client address of its own for each test browser (the test server trusts one proxy hop). */
const octet = () => Math.floor(Math.random() * 254) + 1;
export const clientAddress = () => `10.${octet()}.${octet()}.${octet()}`;

/** A browser on a profile folder of our own, so a test can close and reopen "the same browser". */
export function launchProfile(userDataDir: string, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath,
    args: ARGS,
    baseURL: baseUrl(),
    extraHTTPHeaders: { 'X-Forwarded-For': clientAddress() },
    ...options,
  });
}

export const tempProfileDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-profile-'));

export async function newContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({ baseURL: baseUrl(), extraHTTPHeaders: { 'X-Forwarded-For': clientAddress() }, ...options });
}

let counter = 0;
/** A person nobody has registered yet. */
export function newPerson(overrides: Partial<Person> = {}): Person {
  counter += 1;
  const tag = `${Date.now().toString(36)}${counter}${Math.floor(Math.random() * 1e4)}`;
  return {
    firstName: 'Ada',
    lastName: 'Lovelace',
    dateOfBirth: '1990-04-07',
    username: `ada${tag}`,
    email: `ada.${tag}@example.com`,
    password: 'analytical engine notes',
    ...overrides,
  };
}

/** What the API's register endpoint takes for this person (no confirmation field). */
export function registration({ firstName, lastName, dateOfBirth, username, email, password }: Person) {
  return { firstName, lastName, dateOfBirth, username, email, password };
}

export type Person = {
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  username: string;
  email: string;
  password: string;
};

export async function fillRegistration(page: Page, person: Person, confirm = person.password): Promise<void> {
  await page.goto('/register');
  await page.fill('#firstName', person.firstName);
  await page.fill('#lastName', person.lastName);
  await page.fill('#dateOfBirth', person.dateOfBirth);
  await page.fill('#username', person.username);
  await page.fill('#email', person.email);
  await page.fill('#password', person.password);
  await page.fill('#confirmPassword', confirm);
}

/** Registers through the form and waits for the account page. */
export async function register(page: Page, person: Person): Promise<void> {
  await fillRegistration(page, person);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/account?welcome=1');
}

export async function logIn(page: Page, login: string, password: string, { remember = false, path = '/login' } = {}) {
  await page.goto(path);
  await page.fill('#login', login);
  await page.fill('#password', password);
  if (remember) await page.check('input[name=remember]');
  await page.getByRole('button', { name: 'Log in' }).click();
}

export async function logOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL('**/login?reason=signed-out');
}

export async function textOf(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).innerText()).trim();
}

/** Waits (up to 10 s) for an element to show exactly `text`, as a person waits for an answer. */
export async function expectText(page: Page, selector: string, text: string): Promise<void> {
  try {
    await page.waitForFunction(
      ([sel, want]) => (document.querySelector(sel!) as HTMLElement | null)?.innerText.trim() === want,
      [selector, text],
      // Polling, not requestAnimationFrame: pages under test may run with JavaScript off.
      { timeout: 10_000, polling: 100 },
    );
  } catch {
    // Fall through to an assertion that shows what was there instead.
  }
  expect(await page.locator(selector).innerText().catch(() => '(no such element)')).toBe(text);
}

export async function expectAtLogin(page: Page, message: string): Promise<void> {
  await page.waitForURL(/\/login/);
  await expectText(page, '#login-reason', message);
}

/**
 * After the password changed somewhere else: this browser's session has ended, the old password
 * is refused, and the new one logs in.
 */
export async function expectOnlyNewPassword(page: Page, person: Person, newPassword: string): Promise<void> {
  await page.goto('/account');
  await expectAtLogin(page, 'Your session has ended. Please log in again.');
  await logIn(page, person.username, person.password);
  await expectText(page, '#form-error', 'That email or username and password don’t match an account.');
  await logIn(page, person.username, newPassword);
  await page.waitForURL('**/account');
}
