// Passkeys in Chromium with its virtual authenticator (the DevTools protocol's WebAuthn domain),
// on a server whose AUTH_URL is http://localhost:<port> (WebAuthn refuses IP addresses; localhost
// is a secure context over plain http): adding one, signing in with it and no username (the
// button and the login field's autofill), a passkey in place of the second step, "Confirm it's
// you" with it, a counter that went backwards, renaming and removing.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest, readResult } from '../support/api';
import { newPerson, registration, type Person } from '../support/generators';
import { mailsUntil } from '../support/outbox';
import { freePort } from '../support/ports';
import { submit } from './pages/form';
import { LoginPage } from './pages/login';
import { SecondStepPage, TwoStepSection } from './pages/two-step';
import { newContext, workerBrowser } from './support/browser';
import { withServerDb } from './support/db';
import { expectText } from './support/page-text';
import { startServer, type Server } from './support/server';
import { addVirtualAuthenticator, type VirtualAuthenticator } from './support/webauthn';

let browser: Browser;
let server: Server;
let origin: string;

beforeAll(async () => {
  const port = await freePort();
  origin = `http://localhost:${port}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-e2e-'));
  [browser, server] = await Promise.all([
    workerBrowser(),
    startServer({ EMAIL_VERIFICATION: 'off', AUTH_URL: origin }, { dataDir: dir, authSecret: randomBytes(32).toString('base64url'), port }),
  ]);
});

afterAll(async () => {
  await server?.stop();
});

/** A person with an account (made through the API), logged in through the form in a browser with a virtual authenticator. */
async function loggedIn(): Promise<{ page: Page; person: Person; authenticator: VirtualAuthenticator }> {
  const person = newPerson();
  const created = await readResult(await fetch(apiRequest(`${origin}/api/v1/auth/register`, 'POST', { body: registration(person) })));
  expect(created.status, created.text).toBe(201);
  const page = await (await newContext(browser, { baseURL: origin })).newPage();
  const authenticator = await addVirtualAuthenticator(page);
  // No passkey on the device yet: the login field's autofill offers nothing.
  await new LoginPage(page).logInToAccount(person.username, person.password);
  return { page, person, authenticator };
}

async function addPasskey(page: Page, name: string): Promise<void> {
  await page.goto('/account/security');
  await page.fill('#passkey-name', name);
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await expectText(page, '#passkey-status', `Passkey “${name}” added. You can sign in with it now.`);
}

async function logOut(page: Page): Promise<void> {
  await page.goto('/account');
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL('**/login?reason=signed-out');
}

const userId = (username: string) => withServerDb((db) => db.prepare('select id from users where username = ?').pluck().get(username) as number, server.dataDir);

describe('a passkey', () => {
  it('is added on the security page with a name, and listed with when it was added and used', async () => {
    const { page, person, authenticator } = await loggedIn();
    await addPasskey(page, 'Work laptop');
    const row = page.locator('[data-passkey="Work laptop"]');
    expect(await row.innerText()).toContain('never used to sign in');
    expect(await authenticator.credentials()).toHaveLength(1);
    await mailsUntil(person.email, 'A passkey was added to your Gatehouse account', server.dataDir);
    // The same device again: refused by the authenticator (its credential is excluded).
    await page.fill('#passkey-name', 'Again');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expectText(page, '#passkey-status', 'This device already has a passkey for your account.');
    await page.context().close();
  });

  it('signs in from the login page with no username: the button, and the login field’s autofill', async () => {
    const { page, person } = await loggedIn();
    await addPasskey(page, 'Phone');
    await logOut(page);

    // Autofill: the virtual authenticator answers the login field's passkey request by itself.
    await page.goto('/login');
    await page.waitForURL('**/account');
    expect(await page.locator('header').innerText()).toContain(person.username);
    await logOut(page);

    // The button, in a browser that offers no passkey autofill: a pending autofill request would
    // race the button's own for the virtual authenticator, which answers whichever it sees first.
    await page.addInitScript(() => {
      PublicKeyCredential.isConditionalMediationAvailable = async () => false;
    });
    await page.goto('/login?next=/account/profile');
    await page.locator('#login').waitFor();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL((url) => url.pathname === '/account/profile');
    await page.goto('/account/security');
    expect(await page.locator('[data-passkey="Phone"]').innerText()).toMatch(/last used .+ UTC/);
    await page.context().close();
  });

  it('is a whole sign-in: with two-step verification on it needs no code, and it can stand in for the code', async () => {
    const { page, person, authenticator } = await loggedIn();
    const { key } = await new TwoStepSection(page).turnOn();
    await new TwoStepSection(page).savedCodes();
    await addPasskey(page, 'Laptop');
    await logOut(page);

    await page.goto('/login');
    await page.waitForURL('**/account');
    await logOut(page);

    // The password first, then "Use a passkey instead" on the second step.
    await authenticator.setPresence(false);
    await new LoginPage(page).logIn(person.username, person.password);
    const second = new SecondStepPage(page);
    await second.arrived();
    await authenticator.setPresence(true);
    await page.getByRole('button', { name: 'Use a passkey instead' }).click();
    await page.waitForURL('**/account');
    expect(key).toMatch(/^[A-Z2-7 ]+$/);
    await page.context().close();
  });

  it('confirms it’s you when the last authentication is old', async () => {
    const { page, person } = await loggedIn();
    await addPasskey(page, 'Desk');
    withServerDb((db) => db.prepare('update sessions set authenticated_at = authenticated_at - 660000 where user_id = ?').run(userId(person.username)), server.dataDir);
    await page.goto('/account/security');
    await page.getByRole('form', { name: 'Confirm it’s you' }).waitFor();
    expect(await page.getByRole('button', { name: 'Add a passkey' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.getByRole('button', { name: 'Add a passkey' }).waitFor();
    await page.context().close();
  });

  it('is refused when its signature counter goes backwards (a cloned authenticator), and that is recorded', async () => {
    const { page, person, authenticator } = await loggedIn();
    await addPasskey(page, 'Key');
    await logOut(page);
    await page.goto('/login');
    await page.waitForURL('**/account');
    await logOut(page);

    const [credential] = await authenticator.credentials();
    await authenticator.setPresence(false);
    await authenticator.setSignCount(credential!.id, 0);
    await page.goto('/login');
    await page.locator('#login').waitFor();
    await authenticator.setPresence(true);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expectText(page, '#passkey-status', 'That passkey didn’t work. Try again, or use your password.');
    expect(page.url()).toContain('/login');
    // Recorded for the owner to see (once per refused answer: the field's autofill may have tried too).
    const events = withServerDb((db) => db.prepare("select count(*) from security_events where user_id = ? and type = 'passkey_counter_refused'").pluck().get(userId(person.username)), server.dataDir);
    expect(events).toBeGreaterThan(0);
    await page.context().close();
  });

  it('is renamed and removed; a removed passkey signs in no more', async () => {
    const { page, person } = await loggedIn();
    await addPasskey(page, 'Old name');
    const row = page.locator('[data-passkey="Old name"]');
    await row.getByRole('button', { name: 'Rename' }).click();
    await row.getByLabel('New name').fill('Travel laptop');
    await submit(row.getByRole('button', { name: 'Save name' }));
    await page.locator('[data-passkey="Travel laptop"]').waitFor();

    await submit(page.locator('[data-passkey="Travel laptop"]').getByRole('button', { name: 'Remove' }));
    await page.getByText('No passkeys yet.').waitFor();
    await mailsUntil(person.email, 'A passkey was removed from your Gatehouse account', server.dataDir);

    await logOut(page);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expectText(page, '#passkey-status', 'That passkey didn’t work. Try again, or use your password.');
    await page.context().close();
  });
});
