import 'server-only';
import { randomBytes } from 'node:crypto';
import { secondStepExpired, type Outcome } from '@/lib/account/failure';
import { claimChallengeTry, findLiveChallenge, findTotp, insertLoginChallenge, useChallenge } from '@/lib/db/queries/two-step';
import { findUserById, getPasswordHash, type PublicUser } from '@/lib/db/queries/users';
import type { SignInMethod } from '@/lib/db/values';
import { currentClient } from '@/lib/security/client-ip';
import { recordSecurityEvent } from './audit';
import { purposeMacs } from './keys-node';
import { useSecondFactor, type UsedFactor } from './second-factor';
import { startSession, type StartedSession } from './session';

// Every way in ends here. A first step that passed — a password, a reset by code, a verified
// address, a new account, a sign-in provider — becomes a session, unless the account has two-step verification on:
// then it becomes a challenge for the second step, and no session exists until a code passes.
// (A passkey is a whole sign-in of its own.) The form, the API and every later path call
// `signIn`, so none of them can skip the second step.

export type LoggedIn = { user: PublicUser; sessionId: string; refreshToken?: string };
/** The second step's handle: the browser keeps it in a cookie, an API client as `mfa_token`. */
export type SecondStep = { token: string; expiresAt: Date };
export type SignIn = Outcome<{ loggedIn: LoggedIn; secondStep?: never } | { secondStep: SecondStep; loggedIn?: never }>;

/** A first step's challenge lives 5 minutes and takes 5 wrong codes. */
export const SECOND_STEP_TTL_MS = 5 * 60 * 1000;
const SECOND_STEP_TRIES = 5;

const challengeIds = (token: string) => purposeMacs('login-challenge', `challenge/v1|${token}`);

/**
 * After a first step: a session, or the second step's challenge. `passwordHash`: the hash the
 * password was checked against, when there was one: no session starts once it has changed.
 * `twoStep`: whether the account has two-step verification on, when the caller already read it.
 * `method`: how the first step was passed (the session and the activity log name it).
 */
export async function signIn(
  user: PublicUser,
  options: { remember: boolean; method: SignInMethod; passwordHash?: string; twoStep?: boolean },
  now = new Date(),
): Promise<SignIn> {
  const twoStep = options.twoStep ?? Boolean((await findTotp(user.id))?.confirmedAt);
  if (twoStep) {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + SECOND_STEP_TTL_MS);
    await insertLoginChallenge({
      id: challengeIds(token)[0]!,
      userId: user.id,
      remember: options.remember,
      method: options.method,
      // The hash as it is now when no password was checked (a verified address): a password
      // change or reset in the next 5 minutes still stops this sign-in.
      passwordHash: options.passwordHash ?? (await getPasswordHash(user.id)) ?? null,
      createdAt: now,
      expiresAt,
    });
    return { ok: true, secondStep: { token, expiresAt } };
  }
  const started = await startSessionForClient(user.id, options);
  // Null: a reset or change replaced the password while it was being checked.
  return started ? { ok: true, loggedIn: { user, ...started } } : secondStepExpired();
}

/**
 * The second step: an authenticator or recovery code for a live challenge. The challenge takes a
 * try and the person's budget one before the code is checked; a right code uses the challenge and
 * the code in one transaction, then starts the session.
 */
export async function passSecondStep(token: string, code: string, now = new Date()): Promise<Outcome<{ loggedIn: LoggedIn; used: UsedFactor }>> {
  const ids = challengeIds(token);
  const challenge = await claimChallengeTry(ids, SECOND_STEP_TRIES, now);
  if (!challenge) return secondStepExpired();
  const result = await useSecondFactor(challenge.userId, code, { alongside: (tx) => useChallenge(tx, challenge.id, now) }, now);
  if (!result.ok) return result;
  const user = await findUserById(challenge.userId);
  const started =
    user &&
    (await startSessionForClient(user.id, {
      remember: challenge.remember === 1,
      method: challenge.method ?? 'password',
      passwordHash: challenge.passwordHash ?? undefined,
    }));
  if (!user || !started) return secondStepExpired();
  return { ok: true, loggedIn: { user, ...started }, used: result.used };
}

/** Whether a challenge can still be answered (the second-step page shows its form only then). */
export async function secondStepPending(token: string, now = new Date()): Promise<boolean> {
  return Boolean(await findLiveChallenge(challengeIds(token), SECOND_STEP_TRIES, now));
}

/**
 * A session for this request's client, for a person who just proved who they are (every step
 * done), recorded as a login in their activity. `passwordHash`: see startSession.
 */
export async function startSessionForClient(
  userId: number,
  options: { remember: boolean; method: SignInMethod; passwordHash?: string },
): Promise<StartedSession | null> {
  const client = await currentClient();
  const started = await startSession({ userId, userAgent: client.userAgent, ip: client.ip, ...options });
  if (started) await recordSecurityEvent(userId, 'login', new Date(), options.method);
  return started;
}
