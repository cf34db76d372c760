// Sign-in providers in Chromium, against an OpenID Connect provider (oauth2-mock-server) and a
// GitHub-style OAuth2 provider on loopback: a new account through a provider (with the finish
// page), a returning identity, linking only when both sides proved the address (the
// pre-account-takeover cases), connecting and disconnecting, the last way in, a tampered state,
// a wrong nonce, an ID token from another issuer, two-step verification after a provider, the
// password an account made this way can set, and "Confirm it's you" with a provider.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest, readResult } from '../support/api';
import { dateOfBirth, newPerson, registration, type Person } from '../support/generators';
import { codeIn, mailsUntil, mailTo, waitForMails } from '../support/outbox';
import { freePort } from '../support/ports';
import { startGitHubProvider, startOidcProvider, type GitHubProvider, type OidcPerson, type OidcProvider } from '../support/providers';
import { verificationCode } from '../support/sign-up';
import { totpCode } from '../support/totp';
import { submit } from './pages/form';
import { LoginPage } from './pages/login';
import { ResetPasswordPage } from './pages/reset-password';
import { SecondStepPage, TwoStepSection } from './pages/two-step';
import { visitorPage, workerBrowser } from './support/browser';
import { withServerDb } from './support/db';
import { expectText, textOf } from './support/page-text';
import { startServer, type Server } from './support/server';

const SSO = 'Acme SSO';

let browser: Browser;
let server: Server;
let oidc: OidcProvider;
let github: GitHubProvider;
let origin: string;

beforeAll(async () => {
  [oidc, github] = await Promise.all([startOidcProvider(), startGitHubProvider()]);
  const port = await freePort();
  // localhost, as a site owner's AUTH_URL would name the site; the providers are on loopback.
  origin = `http://localhost:${port}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-e2e-'));
  [browser, server] = await Promise.all([
    workerBrowser(),
    startServer(
      {
        EMAIL_VERIFICATION: 'optional',
        AUTH_URL: origin,
        TRUST_PROXY: '1',
        AUTH_OIDC_ISSUER: oidc.issuer,
        AUTH_OIDC_ID: 'gatehouse',
        AUTH_OIDC_SECRET: 'oidc-secret',
        AUTH_OIDC_NAME: SSO,
        AUTH_GITHUB_ID: 'gatehouse-gh',
        AUTH_GITHUB_SECRET: 'github-secret',
        AUTH_GITHUB_ENTERPRISE_URL: github.baseUrl,
      },
      { dataDir: dir, authSecret: randomBytes(32).toString('base64url'), port },
    ),
  ]);
});

afterAll(async () => {
  await server?.stop();
  await oidc?.stop();
  await github?.stop();
});

const tag = () => randomBytes(4).toString('hex');

/** A person at the OIDC provider, their address verified there unless said otherwise. */
const ssoPerson = (overrides: Partial<OidcPerson> = {}): OidcPerson & { email: string } => ({
  sub: `sso-${tag()}`,
  email: `grace.${tag()}@example.com`,
  email_verified: true,
  given_name: 'Grace',
  family_name: 'Hopper',
  preferred_username: `grace${tag()}`,
  ...overrides,
});

async function visitor(): Promise<Page> {
  return visitorPage(browser, { baseURL: origin });
}

/** "Continue with <name>" on `from`; resolves once the browser is back on this site and settled. */
async function continueWith(page: Page, name: string, from = '/login'): Promise<void> {
  if (from) await page.goto(from);
  await Promise.all([page.waitForURL((url) => url.origin === origin && !url.pathname.startsWith('/auth/')), page.getByRole('button', { name: `Continue with ${name}` }).click()]);
  await page.waitForLoadState();
}

/** The finish page: only the date of birth is missing from what the provider gave. */
async function finishAccount(page: Page): Promise<void> {
  await page.waitForURL('**/register/finish');
  await page.fill('#dateOfBirth', dateOfBirth(30));
  await Promise.all([page.waitForURL('**/account?welcome=1'), page.getByRole('button', { name: 'Create account' }).click()]);
}

/** An account made with a password through the API; its address verified unless said otherwise. */
async function passwordAccount(email: string, { verified = true } = {}): Promise<Person> {
  const person = newPerson({ email });
  const created = await readResult(await fetch(apiRequest(`${origin}/api/v1/auth/register`, 'POST', { body: registration(person) })));
  expect(created.status, created.text).toBe(201);
  if (verified) {
    const code = await verificationCode(person.email, server.dataDir);
    const answer = await readResult(await fetch(apiRequest(`${origin}/api/v1/auth/email/verify`, 'POST', { body: { email: person.email, code } })));
    expect(answer.status, answer.text).toBe(200);
  }
  return person;
}

const db = <T>(work: (d: import('better-sqlite3').Database) => T) => withServerDb(work, server.dataDir);
const identitiesOf = (email: string) =>
  db((d) => d.prepare('select i.provider, i.subject, i.email from identities i join users u on u.id = i.user_id where u.email = ?').all(email.toLowerCase()) as { provider: string; subject: string }[]);
const userCount = (email: string) => db((d) => d.prepare('select count(*) from users where email = ?').pluck().get(email.toLowerCase()) as number);

async function logOut(page: Page): Promise<void> {
  await page.goto('/account');
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL('**/login?reason=signed-out');
}

/** Why the server refused a return, in its log for the operator (Auth.js's check that failed). */
async function expectRefusalLogged(why: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!fs.readFileSync(server.log, 'utf8').includes(why) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(fs.readFileSync(server.log, 'utf8')).toContain(`[security] a provider sign-in was refused: CallbackRouteError: ${why}`);
}

const UNLINKED = (name: string) => `We couldn’t sign you in with ${name}. Sign in another way; you can connect ${name} from your account’s security page.`;
const FAILED = (name: string) => `Signing in with ${name} didn’t work. Try again, or sign in another way.`;

describe('a new account through a provider', () => {
  it('is made on the finish page from the claims, without a password, its address verified; the identity signs in again', async () => {
    const page = await visitor();
    const person = ssoPerson();
    oidc.signInAs(person);
    await continueWith(page, SSO, '/register');
    await page.waitForURL('**/register/finish');
    expect(await page.locator('main').innerText()).toContain(`${SSO} confirmed your email address, ${person.email}`);
    expect(await page.inputValue('#firstName')).toBe('Grace');
    expect(await page.inputValue('#lastName')).toBe('Hopper');
    expect(await page.inputValue('#username')).toBe(person.preferred_username);
    await finishAccount(page);
    // Auth.js made no session of its own, and its check cookies (state, PKCE, nonce) are gone.
    expect((await page.context().cookies()).map((c) => c.name).filter((name) => name.includes('authjs'))).toEqual([]);

    const row = db((d) => d.prepare('select password_hash, email_verified_at from users where email = ?').get(person.email) as { password_hash: string; email_verified_at: number | null });
    expect(row.password_hash.startsWith('!')).toBe(true);
    expect(row.email_verified_at).not.toBeNull();
    expect(identitiesOf(person.email)).toEqual([expect.objectContaining({ provider: 'oidc', subject: person.sub })]);

    await page.goto('/account/security');
    expect(await textOf(page, '[data-provider="oidc"]')).toContain(person.email);
    expect(await page.locator('section[aria-labelledby="password-heading"]').innerText()).toContain('Your account has no password');
    expect(await textOf(page, '[data-session="current"]')).toContain(`with ${SSO}`);
    expect(await page.locator('[data-event="login"]').first().innerText()).toContain(`Logged in with ${SSO}`);

    // A returning identity: straight in, no finish page.
    await logOut(page);
    await continueWith(page, SSO);
    await page.waitForURL('**/account');
    // A password can't sign in to it: it has none.
    await logOut(page);
    await new LoginPage(page).send(person.email, 'any password at all');
    await new LoginPage(page).expectError('That email or username and password don’t match an account.');
  });

  it('through a GitHub-style provider uses its primary verified address and login, and never an unverified one', async () => {
    const page = await visitor();
    const login = `octo${tag()}`;
    const email = `octo.${tag()}@example.com`;
    github.signInAs({ id: Number.parseInt(tag(), 16), login, email: `public.${tag()}@example.com`, emails: [{ email: `other.${tag()}@example.com`, primary: false, verified: true }, { email, primary: true, verified: true }] });
    await continueWith(page, 'GitHub', '/register');
    await page.waitForURL('**/register/finish');
    expect(await page.locator('main').innerText()).toContain(`GitHub confirmed your email address, ${email}`);
    expect(await page.inputValue('#username')).toBe(login);
    await page.fill('#firstName', 'Octo');
    await page.fill('#lastName', 'Cat');
    await finishAccount(page);
    expect(identitiesOf(email)).toEqual([expect.objectContaining({ provider: 'github' })]);

    // A GitHub account whose primary address is unverified: no account, the answer that says nothing.
    const other = await visitor();
    const unverified = `unverified.${tag()}@example.com`;
    github.signInAs({ id: Number.parseInt(tag(), 16), login: `nobody${tag()}`, email: unverified, emails: [{ email: unverified, primary: true, verified: false }] });
    await continueWith(other, 'GitHub');
    await new LoginPage(other).expectSentHere(UNLINKED('GitHub'));
    expect(userCount(unverified)).toBe(0);
  });
});

describe('linking by address', () => {
  it('links automatically when the provider and the account both verified the address, and says so', async () => {
    const person = await passwordAccount(`linked.${tag()}@example.com`);
    const page = await visitor();
    oidc.signInAs(ssoPerson({ email: person.email.toUpperCase() }));
    await continueWith(page, SSO);
    await page.waitForURL('**/account/security?linked=oidc**');
    await expectText(page, '#provider-notice', `We connected your ${SSO} account to this one: both have the same verified email address. You can disconnect it below.`);
    expect(identitiesOf(person.email)).toHaveLength(1);
    await mailsUntil(person.email, `${SSO} was connected to your Gatehouse account`, server.dataDir);
    expect(await page.locator('[data-event="identity_linked"]').first().innerText()).toContain(`${SSO} connected`);
  });

  it('does not link when the provider does not say the address is verified, and answers as for an unknown address', async () => {
    const person = await passwordAccount(`claimed.${tag()}@example.com`);
    const page = await visitor();
    oidc.signInAs(ssoPerson({ email: person.email, email_verified: false }));
    await continueWith(page, SSO);
    await new LoginPage(page).expectSentHere(UNLINKED(SSO));
    // email_verified absent counts as false too; and an address nobody has gets the same words.
    const { email_verified: _absent, ...noClaim } = ssoPerson({ email: person.email });
    oidc.signInAs(noClaim);
    await continueWith(page, SSO);
    await new LoginPage(page).expectSentHere(UNLINKED(SSO));
    const nobody = `nobody.${tag()}@example.com`;
    oidc.signInAs(ssoPerson({ email: nobody, email_verified: false }));
    await continueWith(page, SSO);
    await new LoginPage(page).expectSentHere(UNLINKED(SSO));
    expect(identitiesOf(person.email)).toEqual([]);
    expect(userCount(nobody)).toBe(0);
    expect(await page.context().cookies()).not.toContainEqual(expect.objectContaining({ name: 'gatehouse.session' }));
  });

  it('does not link to an account whose own address is unverified (someone may have signed up with it first)', async () => {
    const squatter = await passwordAccount(`squatted.${tag()}@example.com`, { verified: false });
    const page = await visitor();
    oidc.signInAs(ssoPerson({ email: squatter.email }));
    await continueWith(page, SSO);
    await new LoginPage(page).expectSentHere(UNLINKED(SSO));
    expect(identitiesOf(squatter.email)).toEqual([]);
    expect(userCount(squatter.email)).toBe(1);
  });
});

describe('connected accounts on the security page', () => {
  it('connects a provider explicitly, lists it, shows it in the API, and disconnects it', async () => {
    const person = await passwordAccount(`connect.${tag()}@example.com`);
    const page = await visitor();
    await new LoginPage(page).logInToAccount(person.username, person.password);
    // Any GitHub account, whatever its address: the person is signed in and chose it.
    const githubId = Number.parseInt(tag(), 16);
    github.signInAs({ id: githubId, login: `conn${tag()}`, emails: [{ email: `elsewhere.${tag()}@example.com`, primary: true, verified: false }] });
    await page.goto('/account/security');
    await Promise.all([page.waitForURL('**/account/security?connected=github**'), page.getByRole('button', { name: 'Connect GitHub' }).click()]);
    await expectText(page, '#provider-notice', 'GitHub is connected: you can sign in with it.');
    expect(await page.locator('[data-provider="github"]').getAttribute('data-connected')).toBe('yes');
    await mailsUntil(person.email, 'GitHub was connected to your Gatehouse account', server.dataDir);

    const token = await readResult(await fetch(apiRequest(`${origin}/api/v1/auth/token`, 'POST', { body: { login: person.username, password: person.password } })));
    const me = await readResult(await fetch(apiRequest(`${origin}/api/v1/me`, 'GET', { token: token.body.access_token })));
    expect(me.body.identities).toEqual([{ provider: 'github', email: null, linkedAt: expect.any(String) }]);

    // The same GitHub account can't be connected to a second account.
    const second = await passwordAccount(`second.${tag()}@example.com`);
    const other = await visitor();
    await new LoginPage(other).logInToAccount(second.username, second.password);
    await other.goto('/account/security');
    await Promise.all([other.waitForURL('**/account/security?provider=github&problem=taken**'), other.getByRole('button', { name: 'Connect GitHub' }).click()]);
    await expectText(other, '#provider-notice', 'That GitHub account is connected to another account here. Sign in to that one to disconnect it, or use another GitHub account.');

    // Signing in with it now reaches the first account.
    await logOut(page);
    await continueWith(page, 'GitHub');
    await page.waitForURL('**/account');
    await page.goto('/account/security');
    await submit(page.locator('[data-provider="github"]').getByRole('button', { name: 'Disconnect' }));
    await expectText(page, '#connected-accounts-status', 'GitHub is disconnected: it can’t sign in to your account any more.');
    expect(identitiesOf(person.email)).toEqual([]);
    await mailsUntil(person.email, 'GitHub was disconnected from your Gatehouse account', server.dataDir);
  });

  it('refuses to disconnect the last way in, and lets a provider-made account set a password by emailed code', async () => {
    const page = await visitor();
    const person = ssoPerson();
    oidc.signInAs(person);
    await continueWith(page, SSO);
    await finishAccount(page);
    await page.goto('/account/security');
    await submit(page.locator('[data-provider="oidc"]').getByRole('button', { name: 'Disconnect' }));
    await expectText(page, '#connected-accounts-status', 'This is the only way you can sign in. Set a password, add a passkey or connect another account first.');
    expect(identitiesOf(person.email)).toHaveLength(1);

    await Promise.all([page.waitForURL('**/reset-password?**'), page.getByRole('button', { name: 'Set a password' }).click()]);
    const mail = await waitForMails(person.email, server.dataDir, (mails) => mails.some((m) => m.subject === 'Your Gatehouse password reset code'));
    const password = `compiler ${tag()} ships`;
    await new ResetPasswordPage(page).reset(codeIn(mail.find((m) => m.subject === 'Your Gatehouse password reset code')!), password);
    const username = db((d) => d.prepare('select username from users where email = ?').pluck().get(person.email) as string);
    await logOut(page);
    await new LoginPage(page).logInToAccount(username, password);
    // With a password, the provider can go.
    await page.goto('/account/security');
    await submit(page.locator('[data-provider="oidc"]').getByRole('button', { name: 'Disconnect' }));
    await expectText(page, '#connected-accounts-status', `${SSO} is disconnected: it can’t sign in to your account any more.`);
  });

  it('confirms it’s you with a fresh sign-in at the provider, which a provider-made account needs to be deleted', async () => {
    const page = await visitor();
    const person = ssoPerson();
    oidc.signInAs(person);
    await continueWith(page, SSO);
    await finishAccount(page);
    await page.goto('/account/security');
    // Just signed in, but without a password to ask for: deleting needs a confirmation of its own.
    expect(await page.locator('section[aria-labelledby="confirm-heading"]').innerText()).toContain('to change your email or delete your account');
    await page.check('#delete-confirm');
    await submit(page.getByRole('button', { name: 'Delete my account' }));
    await expectText(page, '#delete-password-error', 'Your account has no password: confirm it’s you at the top of the security page first, then try again.');

    // Eleven minutes later, as far as the session knows.
    const age = () => db((d) => d.prepare('update sessions set authenticated_at = ? where user_id = (select id from users where email = ?)').run(Date.now() - 11 * 60_000, person.email));
    age();
    await page.goto('/account/security');
    expect(await page.locator('section[aria-labelledby="confirm-heading"]').innerText()).not.toContain('Your password');
    expect(await page.locator('[data-provider="oidc"] button').count()).toBe(0);

    // A session still open at the provider isn't a confirmation: the ID token must say it signed in just now.
    await Promise.all([page.waitForURL('**/account/security?provider=oidc&problem=stale**'), page.getByRole('button', { name: `Confirm with ${SSO}` }).click()]);
    await expectText(page, '#provider-notice', `${SSO} didn’t ask you to sign in again, so it can’t confirm it’s you. Try again, or confirm another way.`);

    // Another account at the provider can't confirm for this one.
    oidc.signInAs(ssoPerson(), (claims) => {
      claims.auth_time = Math.floor(Date.now() / 1000);
    });
    await Promise.all([page.waitForURL('**/account/security?provider=oidc&problem=not-connected**'), page.getByRole('button', { name: `Confirm with ${SSO}` }).click()]);
    await expectText(page, '#provider-notice', `That ${SSO} account isn’t connected to yours, so it can’t confirm it’s you.`);

    oidc.signInAs(person, (claims) => {
      claims.auth_time = Math.floor(Date.now() / 1000);
    });
    await Promise.all([page.waitForURL('**/account/security'), page.getByRole('button', { name: `Confirm with ${SSO}` }).click()]);
    await page.locator('[data-provider="oidc"]').getByRole('button', { name: 'Disconnect' }).waitFor();
    expect(await page.locator('section[aria-labelledby="confirm-heading"]').count()).toBe(0);
    await page.check('#delete-confirm');
    await Promise.all([page.waitForURL('**/goodbye'), page.getByRole('button', { name: 'Delete my account' }).click()]);
    expect(userCount(person.email)).toBe(0);
  });
});

describe('what the provider sends back is checked', () => {
  it('refuses a tampered state', async () => {
    const page = await visitor();
    const person = ssoPerson();
    oidc.signInAs(person);
    oidc.tamperWithNextState();
    await continueWith(page, SSO);
    await new LoginPage(page).expectSentHere(FAILED(SSO));
    await expectRefusalLogged('unexpected "state" response parameter value');
    expect(userCount(person.email)).toBe(0);
  });

  it('refuses an ID token with the wrong nonce', async () => {
    const page = await visitor();
    const person = ssoPerson();
    oidc.signInAs(person, (claims) => {
      claims.nonce = 'not-the-nonce-we-sent';
    });
    await continueWith(page, SSO);
    await new LoginPage(page).expectSentHere(FAILED(SSO));
    await expectRefusalLogged('unexpected ID Token "nonce" claim value');
    expect(userCount(person.email)).toBe(0);
  });

  it('refuses an ID token from another issuer', async () => {
    const page = await visitor();
    oidc.signInAs(ssoPerson(), (claims) => {
      claims.iss = 'http://localhost:1/another-issuer';
    });
    await continueWith(page, SSO);
    await new LoginPage(page).expectSentHere(FAILED(SSO));
    await expectRefusalLogged('unexpected JWT "iss" (issuer) claim value');
  });

  it('refuses a return this browser never started', async () => {
    const page = await visitor();
    await page.goto('/auth/oauth/callback/oidc?code=stolen&state=whatever');
    await new LoginPage(page).expectSentHere(`That sign-in with ${SSO} expired or was started in another browser. Try again.`);
  });
});

describe('two-step verification', () => {
  it('still applies after a provider sign-in', async () => {
    const page = await visitor();
    const person = ssoPerson();
    oidc.signInAs(person);
    await continueWith(page, SSO);
    await finishAccount(page);
    const { key } = await new TwoStepSection(page).turnOn();
    await new TwoStepSection(page).savedCodes();
    await logOut(page);

    await continueWith(page, SSO);
    const second = new SecondStepPage(page);
    await second.arrived();
    expect(await page.context().cookies()).not.toContainEqual(expect.objectContaining({ name: 'gatehouse.session' }));
    await second.enter(totpCode(key, Date.now() + 30_000));
    await page.waitForURL('**/account');
    await page.goto('/account/security');
    expect(await textOf(page, '[data-session="current"]')).toContain(`with ${SSO}`);
    expect(mailTo(person.email, server.dataDir).length).toBeGreaterThan(0);
  });
});
