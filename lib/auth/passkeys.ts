import 'server-only';
import { createHmac } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  AuthenticatorTransport,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { badCredentials, emailUnverified, invalidField, rateLimited, type Failure, type Outcome } from '@/lib/account/failure';
import { sendVerificationCodeLater, verificationMode } from '@/lib/account/verification';
import {
  consumeChallenge,
  findPasskeyForSignIn,
  insertChallenge,
  insertPasskey,
  passkeyCredentials,
  recordPasskeyUse,
  type WebauthnPurpose,
} from '@/lib/db/queries/passkeys';
import { uniqueViolation } from '@/lib/db/client';
import type { PublicUser } from '@/lib/db/queries/users';
import { currentClient } from '@/lib/security/client-ip';
import { giveBack, hit } from '@/lib/security/rate-limit';
import { recordSecurityEvent } from './audit';
import { purposeKey } from './keys-node';
import { siteOrigin } from './site';

// Passkeys (WebAuthn) with SimpleWebAuthn: the ceremonies' options and the checks of what comes
// back (signatures, origin, relying party, user verification, the signature counter). What
// Gatehouse adds: challenges stored server-side and used once (deleted as they are checked), the
// user handle checked against the passkey's account, the counter written by compare-and-swap, and
// a passkey sign-in held to the same limits as a password.

// Loaded at the first passkey ceremony: the slowest of the server's modules to load (0.2 s of
// CPU), which every server process and test file that reaches this one paid at its start.
const webauthn = () => import('@simplewebauthn/server');

const CHALLENGE_TTL_MS = 5 * 60 * 1000;
const RP_NAME = 'Gatehouse';

export type RelyingParty = { id: string; origin: string };

/** Who the passkeys are for: the site's host and origin (siteOrigin); null when it has none. */
export async function relyingParty(): Promise<RelyingParty | null> {
  const origin = await siteOrigin();
  return origin && { id: origin.hostname, origin: origin.origin };
}

export const passkeysAvailable = async (): Promise<boolean> => (await relyingParty()) !== null;

/** The transports stored with a passkey (comma-separated), as the ceremonies take them. */
const transportsOf = (stored: string) => (stored ? (stored.split(',') as AuthenticatorTransport[]) : undefined);

const notAvailable = (): Failure => invalidField('passkey', 'Passkeys aren’t available on this site: its operator hasn’t set AUTH_URL.');
const passkeyFailed = (message = 'That passkey didn’t work. Try again, or use your password.'): Failure => ({ ...badCredentials(), message, fields: { passkey: message } });

/**
 * The user handle of an account's passkeys: derived from its id under a key of its own (stable,
 * and saying nothing about the person), stored with each passkey so that a sign-in can check it.
 */
const derivedHandle = (userId: number) => createHmac('sha256', purposeKey('webauthn-user')).update(`user-handle/v1|${userId}`).digest('base64url');

async function newChallenge(purpose: WebauthnPurpose, userId: number | null, challenge: string, now: Date): Promise<void> {
  await insertChallenge({ id: challenge, purpose, userId, createdAt: now, expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS) });
}

/** Options for adding a passkey to the signed-in person's account (the caller checks recent authentication). */
export async function registrationOptions(user: Pick<PublicUser, 'id' | 'username' | 'firstName' | 'lastName'>, now = new Date()): Promise<Outcome<{ options: PublicKeyCredentialCreationOptionsJSON }>> {
  const rp = await relyingParty();
  if (!rp) return notAvailable();
  const existing = await passkeyCredentials(user.id);
  const handle = existing[0]?.userHandle ?? derivedHandle(user.id);
  const { generateRegistrationOptions } = await webauthn();
  const options = await generateRegistrationOptions({
    rpName: RP_NAME,
    rpID: rp.id,
    userName: user.username,
    userDisplayName: `${user.firstName} ${user.lastName}`,
    userID: new Uint8Array(Buffer.from(handle, 'base64url')),
    attestationType: 'none',
    excludeCredentials: existing.map((c) => ({ id: c.id, transports: transportsOf(c.transports) })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
  await newChallenge('register', user.id, options.challenge, now);
  return { ok: true, options };
}

/** Checks what the authenticator made for those options, and stores the passkey under `name`. */
export async function registerPasskey(user: Pick<PublicUser, 'id'>, name: string, response: RegistrationResponseJSON, now = new Date()): Promise<Outcome> {
  const rp = await relyingParty();
  if (!rp) return notAvailable();
  const existing = await passkeyCredentials(user.id);
  const handle = existing[0]?.userHandle ?? derivedHandle(user.id);
  const { verifyRegistrationResponse } = await webauthn();
  let verified;
  try {
    verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: (challenge) => consumeChallenge(challenge, 'register', user.id, now),
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
    });
  } catch {
    return passkeyFailed('That passkey couldn’t be added. Try again.');
  }
  if (!verified.verified) return passkeyFailed('That passkey couldn’t be added. Try again.');
  const { credential, credentialBackedUp } = verified.registrationInfo;
  try {
    await insertPasskey({
      id: credential.id,
      userId: user.id,
      userHandle: handle,
      name,
      publicKey: Buffer.from(credential.publicKey).toString('base64url'),
      counter: credential.counter,
      transports: (credential.transports ?? []).join(','),
      backedUp: credentialBackedUp ? 1 : 0,
      createdAt: now,
    });
  } catch (error) {
    if (uniqueViolation(error)) return passkeyFailed('That passkey is already registered.');
    throw error;
  }
  await recordSecurityEvent(user.id, 'passkey_added', now);
  return { ok: true };
}

/**
 * Options for using a passkey: any of the site's (a sign-in: discoverable credentials, no
 * username), or one of the signed-in person's ("Confirm it's you").
 */
export async function assertionOptions(purpose: 'sign_in' | 'reauthenticate', userId: number | null, now = new Date()): Promise<Outcome<{ options: PublicKeyCredentialRequestOptionsJSON }>> {
  const rp = await relyingParty();
  if (!rp) return notAvailable();
  if (purpose === 'sign_in') {
    // Each set of options is a row: a client can't make them without end.
    const client = await currentClient();
    const wait = await hit('PASSKEY_OPTIONS_IP', client.limitKey);
    if (wait > 0) return rateLimited(wait, { field: 'passkey' });
  }
  const mine = userId === null ? [] : await passkeyCredentials(userId);
  const { generateAuthenticationOptions } = await webauthn();
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    userVerification: 'required',
    allowCredentials: mine.map((c) => ({ id: c.id, transports: transportsOf(c.transports) })),
  });
  await newChallenge(purpose, userId, options.challenge, now);
  return { ok: true, options };
}

/**
 * Checks a passkey's answer to a challenge made for `purpose` (and, for a signed-in person, that
 * it is one of theirs): the account it belongs to. A counter that didn't go up means a copied
 * authenticator: refused, logged, and recorded in the account's activity.
 */
export async function checkAssertion(
  response: AuthenticationResponseJSON,
  purpose: 'sign_in' | 'reauthenticate',
  userId: number | null,
  now = new Date(),
): Promise<Outcome<{ user: PublicUser }>> {
  const rp = await relyingParty();
  if (!rp) return notAvailable();
  const passkey = await findPasskeyForSignIn(response.id);
  // The account comes from the stored passkey. The user handle an authenticator returns must name
  // the same one; a sign-in needs it (discoverable credentials return it), a confirmation for a
  // known person may come without it.
  const handle = response.response.userHandle;
  const handleFits = handle === undefined ? purpose === 'reauthenticate' : handle === passkey?.userHandle;
  if (!passkey || !handleFits || (userId !== null && passkey.user.id !== userId)) {
    await spendChallenge(response, purpose, userId, now);
    return passkeyFailed();
  }
  const { verifyAuthenticationResponse } = await webauthn();
  let verified;
  try {
    verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: (challenge) => consumeChallenge(challenge, purpose, userId, now),
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      // The counter is compared below, once the signature is known to be the passkey's.
      credential: {
        id: passkey.id,
        publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')),
        counter: 0,
        transports: transportsOf(passkey.transports),
      },
      requireUserVerification: true,
    });
  } catch {
    // Whatever failed, the challenge is spent (if the check got that far, it already is).
    await spendChallenge(response, purpose, userId, now);
    return passkeyFailed();
  }
  if (!verified.verified) return passkeyFailed();
  const info = verified.authenticationInfo;
  // Counters are compared only when the authenticator keeps one (synced passkeys report 0). One
  // that didn't increase means two authenticators hold this key: a copy.
  if ((info.newCounter > 0 || passkey.counter > 0) && info.newCounter <= passkey.counter) {
    console.warn(`[security] passkey sign-in refused: user ${passkey.user.id}'s passkey reported signature counter ${info.newCounter}, not above ${passkey.counter}`);
    await recordSecurityEvent(passkey.user.id, 'passkey_counter_refused', now);
    return passkeyFailed();
  }
  if (!(await recordPasskeyUse(passkey.id, passkey.counter, info.newCounter, info.credentialBackedUp, now))) return passkeyFailed();
  return { ok: true, user: passkey.user };
}

/** Deletes the challenge an answer names, when its passkey was no good: one try per challenge. */
async function spendChallenge(response: AuthenticationResponseJSON, purpose: WebauthnPurpose, userId: number | null, now: Date): Promise<void> {
  try {
    const { challenge } = JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown };
    if (typeof challenge === 'string') await consumeChallenge(challenge, purpose, userId, now);
  } catch {
    // Not even client data: nothing to spend.
  }
}

/**
 * A sign-in with a passkey: a whole sign-in (possession and the device's user verification), so
 * it needs no second step. Held to the password's per-client budget, taken before the check and
 * given back after a success; an unverified address (EMAIL_VERIFICATION=required) stops it as it
 * stops a password.
 */
export async function passkeySignIn(response: AuthenticationResponseJSON, now = new Date()): Promise<Outcome<{ user: PublicUser }>> {
  const client = await currentClient();
  const wait = await hit('LOGIN_IP', client.limitKey);
  if (wait > 0) return rateLimited(wait, { field: 'passkey' });
  const checked = await checkAssertion(response, 'sign_in', null, now);
  if (!checked.ok) return checked;
  await giveBack('LOGIN_IP', client.limitKey);
  if (!checked.user.emailVerifiedAt && verificationMode() === 'required') {
    sendVerificationCodeLater(checked.user);
    return emailUnverified(checked.user);
  }
  return checked;
}
