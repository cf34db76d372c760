import 'server-only';
import { redirect } from 'next/navigation';
import { requestCookie, responseCookies } from '@/lib/request-scope';
import type { PublicUser } from '@/lib/db/queries/users';
import {
  clearAuthCookies,
  refreshCookieName,
  secondStepCookieName,
  sessionCookieName,
  setRefreshCookie,
  setSecondStepCookie,
  setSessionCookie,
} from './cookies';
import { recordSecurityEvent } from './audit';
import { currentDeviceCookie, knownDevice, rememberDevice } from './device';
import { noticeNewDevice } from './new-device';
import { revokeSession } from '@/lib/db/queries/sessions';
import { endSessionByRefreshToken, type StartedSession } from './session';
import type { SignIn } from './sign-in';
import { signSessionToken } from './token';
import { verifySessionToken } from './token-node';

// A session in a browser is three cookies: the session JWT (a browser-session cookie, renewed by
// the middleware while the person is active), the refresh token when they chose "Keep me signed
// in", and the device cookie that makes this browser known for the account (lib/auth/device.ts).

const identity = (user: Pick<PublicUser, 'id' | 'username'>, sessionId: string) => ({ sub: String(user.id), sid: sessionId, username: user.username });

/**
 * Puts a session that just started (login, registration, reset) into this browser. `login`: a
 * sign-in by the person's own credentials, which mails them when this browser is new to the
 * account (registration, a reset and a verified address already mailed them).
 */
export async function signInBrowser(user: Pick<PublicUser, 'id' | 'username' | 'email'>, started: StartedSession, login = false): Promise<void> {
  const jar = await responseCookies();
  const device = await currentDeviceCookie();
  setSessionCookie(jar, await signSessionToken(identity(user, started.sessionId), 'browser'));
  if (started.refreshToken) setRefreshCookie(jar, started.refreshToken);
  if (login && !knownDevice(device, user.id)) await noticeNewDevice(user);
  rememberDevice(jar, device, user.id);
}

/**
 * The end of a first step in a browser: into the session, or — with two-step verification on —
 * the challenge into its cookie. Answers where to go: `destination`, or the second step's page on
 * the way there. `login`: see signInBrowser.
 */
export async function enterSignIn(signedIn: Extract<SignIn, { ok: true }>, destination: string, login = false): Promise<string> {
  if (signedIn.loggedIn) {
    await signInBrowser(signedIn.loggedIn.user, signedIn.loggedIn, login);
    return destination;
  }
  const seconds = Math.floor((signedIn.secondStep.expiresAt.getTime() - Date.now()) / 1000);
  setSecondStepCookie(await responseCookies(), signedIn.secondStep.token, seconds);
  return `/login/two-step?${new URLSearchParams({ next: destination })}`;
}

/** enterSignIn, then there (a redirect). */
export async function continueSignIn(signedIn: Extract<SignIn, { ok: true }>, destination: string, login = false): Promise<never> {
  redirect(await enterSignIn(signedIn, destination, login));
}

/** The second step's challenge this browser holds, if any. */
export const secondStepToken = (): Promise<string | undefined> => requestCookie(secondStepCookieName());

export async function forgetSecondStep(): Promise<void> {
  setSecondStepCookie(await responseCookies(), null);
}

/**
 * After the session moved to a new id (rotateSession: a username or password change): this
 * browser's cookies follow it, so the old token and refresh cookie are worth nothing.
 */
export async function followRotatedSession(user: Pick<PublicUser, 'id' | 'username'>, rotated: StartedSession): Promise<void> {
  const jar = await responseCookies();
  setSessionCookie(jar, await signSessionToken(identity(user, rotated.sessionId), 'browser'));
  if (rotated.refreshToken) setRefreshCookie(jar, rotated.refreshToken);
}

/** Ends the current session on the server (not just in this browser) and clears its cookies. */
export async function signOutCurrentSession(): Promise<void> {
  const token = await requestCookie(sessionCookieName());
  const refreshToken = await requestCookie(refreshCookieName());
  const verified = token ? await verifySessionToken(token, 'browser') : null;
  if (verified?.ok) {
    await revokeSession(verified.claims.sid, new Date());
    await recordSecurityEvent(Number(verified.claims.sub), 'logout');
  } else if (verified?.reason === 'expired') {
    await revokeSession(verified.sid, new Date());
  }
  if (refreshToken) await endSessionByRefreshToken(refreshToken);
  clearAuthCookies(await responseCookies());
}

/** Clears this browser's session cookies without touching the server (the session is already gone). */
export async function clearSessionCookies(): Promise<void> {
  clearAuthCookies(await responseCookies());
}
