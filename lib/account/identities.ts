import 'server-only';
import { recordSecurityEvent } from '@/lib/auth/audit';
import { enterSignIn } from '@/lib/auth/browser-session';
import { getCurrentSession } from '@/lib/auth/dal';
import type { ProviderAccount } from '@/lib/auth/oauth';
import { unusablePasswordHash } from '@/lib/auth/password';
import { rememberPendingSignup } from '@/lib/auth/pending-signup';
import { rememberNewIdentity, type NewIdentity, type ProviderIntent } from '@/lib/auth/provider-flow';
import { providerName } from '@/lib/auth/providers';
import { signIn } from '@/lib/auth/sign-in';
import { recentlyAuthenticated, requireRecentAuth, type Session } from '@/lib/auth/step-up';
import { deleteIdentityUnlessLast, findIdentity, insertIdentity, insertUserWithIdentity, touchIdentity } from '@/lib/db/queries/identities';
import { markSessionAuthenticated, revokeSessionsStartedWith } from '@/lib/db/queries/sessions';
import { discardChallengesStartedWith, findTotp } from '@/lib/db/queries/two-step';
import { findUserByEmail, findUserById, TakenError, type PublicUser } from '@/lib/db/queries/users';
import type { ProviderId } from '@/lib/db/values';
import { afterResponse } from '@/lib/request-scope';
import { HOME_AFTER_LOGIN } from '@/lib/routes';
import { publicUrl } from '@/lib/env';
import { providerChangedMail } from '@/lib/mail/templates';
import { sendMail } from '@/lib/mail/send';
import { currentClient } from '@/lib/security/client-ip';
import { giveBack, hit } from '@/lib/security/rate-limit';
import { email as emailRule } from '@/lib/validation/fields';
import { conflict, rateLimited, taken, type Outcome } from './failure';
import { sendVerificationCodeLater, verificationMode, verifyEmailPath } from './verification';

// Accounts at sign-in providers (docs/account.md, "Sign-in providers"). The rules that keep a
// provider from taking over an account it doesn't own:
// - a known identity signs in to its account, through the same signIn() as a password (so two-step
//   verification, revocation and the unverified-address rule apply);
// - a new identity links to an existing account by address only when the provider says the
//   address is verified AND the account's address is verified; a new account only for a verified
//   address nobody has; in every other case nothing happens, with an answer that doesn't say
//   whether the address is registered;
// - signed in, a person connects a provider explicitly, after a recent authentication.

/** Where the person goes on the site after the provider sent them back. */
export type Destination = string;

const security = (params: Record<string, string>) => `/account/security?${new URLSearchParams(params)}#connected-accounts-heading`;
/** The answer that says nothing about the address: the same whether it is registered or not. */
const signInAnotherWay = (provider: ProviderId) => `/login?${new URLSearchParams({ reason: 'provider-unlinked', provider })}`;

const identityOf = (account: ProviderAccount) => ({ provider: account.provider, subject: account.subject, email: account.email, emailVerified: account.emailVerified });

/** The provider's address when it vouches for it, in the form addresses are stored; else null. */
function verifiedEmail(account: ProviderAccount): string | null {
  if (!account.emailVerified || !account.email) return null;
  const parsed = emailRule.safeParse(account.email);
  return parsed.success ? parsed.data : null;
}

export function mailProviderChange(user: Pick<PublicUser, 'email'>, change: 'connected' | 'disconnected', provider: ProviderId): void {
  afterResponse(async () => {
    await sendMail(user.email, await providerChangedMail(change, providerName(provider), publicUrl('/account/security'), publicUrl('/forgot-password')));
  });
}

/** The provider sent the person back and Auth.js checked the answer: what Gatehouse does with it. */
export async function completeProviderSignIn(account: ProviderAccount, intent: ProviderIntent, now = new Date()): Promise<Destination> {
  if (intent.mode === 'login') return providerLogin(account, intent, now);
  const session = await getCurrentSession();
  // The session that asked must be the one that came back (not another login in this browser since).
  if (!session || session.sessionId !== intent.sessionId) return `/login?${new URLSearchParams({ reason: 'ended', next: '/account/security' })}`;
  return intent.mode === 'connect' ? connectProvider(session, account, now) : confirmWithProvider(session, account, intent, now);
}

/**
 * "Continue with …" on the login and registration pages. On the login budget of this client
 * (taken before anything is looked up, given back when a session or challenge results), like a
 * password or a passkey.
 */
async function providerLogin(account: ProviderAccount, intent: ProviderIntent, now: Date): Promise<Destination> {
  const client = await currentClient();
  const wait = await hit('LOGIN_IP', client.limitKey);
  if (wait > 0) return `/login?${new URLSearchParams({ reason: 'provider-limited', provider: account.provider })}`;
  const enter = async (user: PublicUser, destination: string) => {
    const signedIn = await signIn(user, { remember: intent.remember, method: account.provider }, now);
    if (!signedIn.ok) return signInAnotherWay(account.provider);
    await giveBack('LOGIN_IP', client.limitKey);
    return enterSignIn(signedIn, destination, true);
  };

  const known = await findIdentity(account.provider, account.subject);
  if (known) {
    const user = await findUserById(known.userId);
    if (!user) return signInAnotherWay(account.provider);
    await touchIdentity(known.id, account, now);
    // An address still waiting for its code stops here, as after a right password.
    if (!user.emailVerifiedAt && verificationMode() === 'required') {
      await giveBack('LOGIN_IP', client.limitKey);
      sendVerificationCodeLater(user);
      await rememberPendingSignup({ userId: user.id, email: user.email });
      return `${verifyEmailPath(user.email)}&reason=unverified`;
    }
    return enter(user, intent.next);
  }

  const email = verifiedEmail(account);
  // A provider that doesn't vouch for the address can neither link nor create.
  if (!email) return signInAnotherWay(account.provider);
  const existing = await findUserByEmail(email);
  if (existing) {
    // Both sides proved the address: the same person. Otherwise whoever holds one side could be
    // an attacker who signed up first (pre-account takeover), on either side. An account with
    // two-step verification is linked only by its owner, signed in: a link made before the second
    // step would outlast a sign-in that never passes it.
    if (!existing.emailVerifiedAt || (await findTotp(existing.id))?.confirmedAt) return signInAnotherWay(account.provider);
    if (!(await insertIdentity(existing.id, identityOf(account), now))) return signInAnotherWay(account.provider);
    await recordSecurityEvent(existing.id, 'identity_linked', now, account.provider);
    mailProviderChange(existing, 'connected', account.provider);
    return enter(existing, security({ linked: account.provider }));
  }
  await giveBack('LOGIN_IP', client.limitKey);
  await rememberNewIdentity({ ...identityOf(account), email, suggested: account.suggested, next: intent.next, remember: intent.remember });
  return '/register/finish';
}

/** "Connect" on the security page: link this provider account to the signed-in person. */
async function connectProvider(session: Session & { user: PublicUser }, account: ProviderAccount, now: Date): Promise<Destination> {
  if (!(await recentlyAuthenticated(session, now))) return security({ provider: account.provider, problem: 'confirm' });
  const known = await findIdentity(account.provider, account.subject);
  if (known) return security({ provider: account.provider, problem: known.userId === session.user.id ? 'already' : 'taken' });
  if (!(await insertIdentity(session.user.id, identityOf(account), now))) {
    // Linked meanwhile, or the person already has another account at this provider.
    return security({ provider: account.provider, problem: (await findIdentity(account.provider, account.subject)) ? 'taken' : 'another' });
  }
  await recordSecurityEvent(session.user.id, 'identity_linked', now, account.provider);
  mailProviderChange(session.user, 'connected', account.provider);
  return security({ connected: account.provider });
}

/** A provider's clock may run this far behind ours. */
const CLOCK_SKEW_SECONDS = 30;

/**
 * "Confirm it's you" with a provider: a sign-in there since the browser was sent (its `auth_time`;
 * a session at the provider doesn't count), with an account connected to this one.
 */
async function confirmWithProvider(session: Session, account: ProviderAccount, intent: ProviderIntent, now: Date): Promise<Destination> {
  if (account.authTime === null || account.authTime < intent.startedAt - CLOCK_SKEW_SECONDS) return security({ provider: account.provider, problem: 'stale' });
  const known = await findIdentity(account.provider, account.subject);
  if (known?.userId !== session.user.id) return security({ provider: account.provider, problem: 'not-connected' });
  await touchIdentity(known.id, account, now);
  if (!(await markSessionAuthenticated(session.sessionId, now))) return '/login?reason=ended';
  await recordSecurityEvent(session.user.id, 'reauthenticated', now, account.provider);
  return '/account/security';
}

/** The fields the finish page asks for. */
export type NewAccountFields = Pick<PublicUser, 'username' | 'firstName' | 'lastName' | 'dateOfBirth'>;

/**
 * "Finish creating your account": the account a provider's verified address is for, without a
 * password, its address verified. On the sign-up limits; a username taken is said, an address
 * taken meanwhile gets the answer that says nothing.
 */
export async function createAccountFromProvider(pending: NewIdentity, fields: NewAccountFields, now = new Date()): Promise<Outcome<{ destination: Destination }>> {
  const wait = Math.max(await hit('REGISTER_IP', (await currentClient()).limitKey), await hit('REGISTER_EMAIL', pending.email));
  if (wait > 0) return rateLimited(wait, { message: 'Too many sign-ups from this network. Try again later.' });
  let user: PublicUser;
  try {
    user = await insertUserWithIdentity({ ...fields, email: pending.email, passwordHash: unusablePasswordHash() }, { ...pending, emailVerified: true }, now);
  } catch (error) {
    if (!(error instanceof TakenError)) throw error;
    if (error.field === 'username') return taken('username');
    await rememberNewIdentity(null);
    return { ok: true, destination: signInAnotherWay(pending.provider) };
  }
  await rememberNewIdentity(null);
  await recordSecurityEvent(user.id, 'account_created', now, pending.provider);
  const signedIn = await signIn(user, { remember: pending.remember, method: pending.provider, twoStep: false }, now);
  if (!signedIn.ok) return signedIn;
  return { ok: true, destination: await enterSignIn(signedIn, pending.next === HOME_AFTER_LOGIN ? `${HOME_AFTER_LOGIN}?welcome=1` : pending.next) };
}

const LAST_WAY_IN =
  'This is the only way you can sign in. Set a password, add a passkey or connect another account first.';

/** "Disconnect": after a recent authentication, and never the last way in. */
export async function disconnectProvider(session: Session & { user: PublicUser }, provider: ProviderId, now = new Date()): Promise<Outcome> {
  const recent = await requireRecentAuth(session, {}, now);
  if (!recent.ok) return recent;
  const result = await deleteIdentityUnlessLast(session.user.id, provider);
  if (result === 'last') return conflict(LAST_WAY_IN);
  if (result === 'missing') return { ok: true };
  // Sessions it started end with it (this one stays: its owner is here), and so do sign-ins it began.
  await revokeSessionsStartedWith(session.user.id, provider, session.sessionId, now);
  await discardChallengesStartedWith(session.user.id, provider, now);
  await recordSecurityEvent(session.user.id, 'identity_unlinked', now, provider);
  mailProviderChange(session.user, 'disconnected', provider);
  return { ok: true };
}

