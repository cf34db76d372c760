// The linking rules of sign-in providers on each engine (unit and unit-pg), below Auth.js: what
// Gatehouse does with an account a provider vouched for, and the "last way in" checked inside the
// statements that remove one. The browser flow, with real providers on loopback, is
// tests/e2e/social.test.ts's.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { emptyDatabase, useTestDatabase } from '../support/database';

const request = { cookies: new Map<string, string>() };
vi.mock('next/headers', () => ({
  headers: () => Promise.resolve(new Headers({ 'user-agent': 'vitest', 'x-forwarded-for': '203.0.113.9' })),
  cookies: async () => ({
    get: (name: string) => (request.cookies.has(name) ? { value: request.cookies.get(name)! } : undefined),
    set: (name: string, value: string) => request.cookies.set(name, value),
  }),
}));
vi.mock('next/server', () => ({ after: () => {} }));

await useTestDatabase({ BCRYPT_COST: '10', EMAIL_VERIFICATION: 'optional' });
const { getDb, getTables } = await import('@/lib/db/client');
const { insertUser, markEmailVerified } = await import('@/lib/db/queries/users');
const { deleteIdentityUnlessLast, findIdentity, insertIdentity } = await import('@/lib/db/queries/identities');
const { deletePasskey, insertPasskey } = await import('@/lib/db/queries/passkeys');
const { completeProviderSignIn, createAccountFromProvider, disconnectProvider } = await import('@/lib/account/identities');
const { startSession } = await import('@/lib/auth/session');
const { pendingNewIdentity } = await import('@/lib/auth/provider-flow');
const { hashPassword, unusablePasswordHash } = await import('@/lib/auth/password');

type Account = import('@/lib/auth/oauth').ProviderAccount;
const intent = { mode: 'login' as const, provider: 'oidc' as const, next: '/account', remember: false, sessionId: null, startedAt: 0, state: 's' };
const account = (overrides: Partial<Account> = {}): Account => ({
  provider: 'oidc',
  subject: 'sub-1',
  email: 'Grace@Example.com',
  emailVerified: true,
  authTime: null,
  suggested: { username: 'grace', firstName: 'Grace', lastName: 'Hopper' },
  ...overrides,
});

let passwordHash: string;
beforeEach(async () => {
  await emptyDatabase();
  request.cookies.clear();
  passwordHash ??= await hashPassword('a password for the tests');
});

async function person(email: string, { verified = true, hash = passwordHash } = {}) {
  const user = await insertUser({ username: `u${Math.random().toString(36).slice(2, 10)}`, email, firstName: 'Ada', lastName: 'Lovelace', dateOfBirth: '1990-04-07', passwordHash: hash });
  return verified ? (await markEmailVerified(user.id, user.email))! : user;
}

const identityRows = async () => getDb().select().from(getTables().identities);
const sessionCookie = () => request.cookies.get('gatehouse.session');

describe('signing in with a provider', () => {
  it('sends a verified address nobody has to the finish page, which makes an account without a password', async () => {
    expect(await completeProviderSignIn(account(), intent)).toBe('/register/finish');
    expect(sessionCookie()).toBeUndefined();
    const pending = await pendingNewIdentity();
    expect(pending).toMatchObject({ provider: 'oidc', subject: 'sub-1', email: 'grace@example.com', suggested: { username: 'grace' } });

    const created = await createAccountFromProvider(pending!, { username: 'Grace', firstName: 'Grace', lastName: 'Hopper', dateOfBirth: '1990-01-02' });
    expect(created).toEqual({ ok: true, destination: '/account?welcome=1' });
    expect(sessionCookie()).toBeTruthy();
    const [user] = await getDb().select().from(getTables().users);
    expect(user!.passwordHash.startsWith('!')).toBe(true);
    expect(user!.emailVerifiedAt).not.toBeNull();
    expect(await findIdentity('oidc', 'sub-1')).toMatchObject({ userId: user!.id });
  });

  it('signs a known identity in to its account, whatever address the provider gives now', async () => {
    const ada = await person('ada@example.com');
    await insertIdentity(ada.id, { provider: 'oidc', subject: 'sub-1', email: 'ada@example.com', emailVerified: true });
    expect(await completeProviderSignIn(account({ email: 'someone.else@example.com', emailVerified: false }), { ...intent, next: '/account/profile' })).toBe('/account/profile');
    expect(sessionCookie()).toBeTruthy();
    const sessions = await getDb().select().from(getTables().sessions);
    expect(sessions.map((s) => s.method)).toEqual(['oidc']);
  });

  it('links to an account when both sides verified the address', async () => {
    const ada = await person('grace@example.com');
    expect(await completeProviderSignIn(account(), intent)).toBe('/account/security?linked=oidc#connected-accounts-heading');
    expect(await findIdentity('oidc', 'sub-1')).toMatchObject({ userId: ada.id });
    const events = await getDb().select().from(getTables().securityEvents);
    expect(events.map((e) => [e.type, e.detail])).toEqual(expect.arrayContaining([['identity_linked', 'oidc'], ['login', 'oidc']]));
  });

  it('neither links nor creates when the provider doesn’t vouch for the address, or the account hasn’t proved it', async () => {
    const refused = '/login?reason=provider-unlinked&provider=oidc';
    await person('grace@example.com');
    expect(await completeProviderSignIn(account({ emailVerified: false }), intent)).toBe(refused);
    expect(await completeProviderSignIn(account({ email: null }), intent)).toBe(refused);
    expect(await completeProviderSignIn(account({ email: 'nobody@example.com', emailVerified: false }), intent)).toBe(refused);
    await person('squatted@example.com', { verified: false });
    expect(await completeProviderSignIn(account({ email: 'squatted@example.com' }), intent)).toBe(refused);
    expect(await identityRows()).toEqual([]);
    expect(sessionCookie()).toBeUndefined();
    expect(await pendingNewIdentity()).toBeNull();
  });

  it('leaves linking an account with two-step verification to its owner, signed in', async () => {
    const grace = await person('grace@example.com');
    const now = new Date();
    await getDb().insert(getTables().totpFactors).values({ userId: grace.id, secret: 'sealed', createdAt: now, confirmedAt: now });
    expect(await completeProviderSignIn(account(), intent)).toBe('/login?reason=provider-unlinked&provider=oidc');
    expect(await identityRows()).toEqual([]);
  });

  it('asks for the second step after a provider, with two-step verification on', async () => {
    const ada = await person('ada@example.com');
    const now = new Date();
    await getDb().insert(getTables().totpFactors).values({ userId: ada.id, secret: 'sealed', createdAt: now, confirmedAt: now });
    await insertIdentity(ada.id, { provider: 'oidc', subject: 'sub-1', email: 'ada@example.com', emailVerified: true });
    expect(await completeProviderSignIn(account(), intent)).toBe('/login/two-step?next=%2Faccount');
    expect(sessionCookie()).toBeUndefined();
    expect(request.cookies.get('gatehouse.second-step')).toBeTruthy();
    expect(await getDb().select().from(getTables().sessions)).toEqual([]);
  });
});

describe('the last way in', () => {
  it('keeps a provider-made account’s only identity, and lets it go once a passkey is there; the passkey likewise', async () => {
    const grace = await person('grace@example.com', { hash: unusablePasswordHash() });
    await insertIdentity(grace.id, { provider: 'oidc', subject: 'sub-1', email: 'grace@example.com', emailVerified: true });
    expect(await deleteIdentityUnlessLast(grace.id, 'oidc')).toBe('last');
    expect(await deleteIdentityUnlessLast(grace.id, 'github')).toBe('missing');
    await insertPasskey({ id: 'cred-1', userId: grace.id, userHandle: 'h', name: 'Phone', publicKey: 'k', counter: 0, transports: '', backedUp: 1, createdAt: new Date() });
    expect(await deleteIdentityUnlessLast(grace.id, 'oidc')).toBe('deleted');
    expect(await deletePasskey(grace.id, 'cred-1')).toBe('last');
  });

  it('ends the sessions a disconnected provider started, except the one disconnecting it', async () => {
    const ada = await person('ada@example.com');
    await insertIdentity(ada.id, { provider: 'github', subject: '42', email: null, emailVerified: false });
    const start = async (method: 'github' | 'password') => (await startSession({ userId: ada.id, remember: false, method, userAgent: null, ip: null }))!.sessionId;
    const [here, elsewhere, withPassword] = [await start('github'), await start('github'), await start('password')];
    expect(await disconnectProvider({ user: ada, sessionId: here }, 'github')).toEqual({ ok: true });
    const sessions = await getDb().select().from(getTables().sessions);
    const revoked = Object.fromEntries(sessions.map((s) => [s.id, s.revokedAt !== null]));
    expect(revoked).toEqual({ [here]: false, [elsewhere]: true, [withPassword]: false });
  });

  it('lets anything go from an account with a password', async () => {
    const ada = await person('ada@example.com');
    await insertIdentity(ada.id, { provider: 'github', subject: '42', email: null, emailVerified: false });
    expect(await deleteIdentityUnlessLast(ada.id, 'github')).toBe('deleted');
  });

  it('links one account per provider subject, and one of each provider per person', async () => {
    const ada = await person('ada@example.com');
    const bob = await person('bob@example.com');
    expect(await insertIdentity(ada.id, { provider: 'github', subject: '42', email: null, emailVerified: false })).toBe(true);
    expect(await insertIdentity(bob.id, { provider: 'github', subject: '42', email: null, emailVerified: false })).toBe(false);
    expect(await insertIdentity(ada.id, { provider: 'github', subject: '43', email: null, emailVerified: false })).toBe(false);
  });
});
