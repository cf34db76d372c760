import 'server-only';
import NextAuth, { AuthError, type User } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { cookies, headers } from 'next/headers';
import { clientIp, userAgent } from '@/lib/request';
import { loginSchema } from '@/lib/validation/auth';
import {
  expiredCookieOptions,
  refreshCookieName,
  sessionCookieName,
  sessionCookieOptions,
  setRefreshCookie,
  setSessionCookie,
} from './cookies';
import { recordSecurityEvent } from './audit';
import { logIn, loginBlockedFor } from './login';
import { endSession, endSessionByRefreshToken, rotateSessionId } from './session';
import { TOKEN_TTL_SECONDS, signSessionToken } from './token';
import { verifySessionToken } from './token-node';

declare module 'next-auth' {
  interface User {
    sid?: string;
  }
}

// Auth.js runs sign-in and sign-out and writes the session cookie; the cookie's content is our
// HS256 JWT from token.ts. Its HTTP endpoints (/api/auth/*) are deliberately not mounted: every
// login goes through our server action (or the API), which validates first.
const { signIn, signOut } = NextAuth({
  secret: process.env.AUTH_SECRET,
  trustHost: true,
  session: { strategy: 'jwt', maxAge: TOKEN_TTL_SECONDS },
  cookies: {
    sessionToken: { name: sessionCookieName(), options: sessionCookieOptions() },
    callbackUrl: { name: `${sessionCookieName()}.callback`, options: sessionCookieOptions() },
  },
  jwt: {
    async encode({ token }) {
      if (!token?.sub || typeof token.sid !== 'string' || typeof token.username !== 'string') {
        throw new Error('session token without sub, sid or username');
      }
      return signSessionToken({ sub: token.sub, sid: token.sid, username: token.username });
    },
    async decode({ token }) {
      if (!token) return null;
      const result = await verifySessionToken(token);
      return result.ok ? result.claims : null;
    },
  },
  providers: [
    Credentials({
      credentials: { login: {}, password: {}, remember: {} },
      async authorize(raw): Promise<User | null> {
        const parsed = loginSchema.safeParse(raw);
        if (!parsed.success) return null;
        const requestHeaders = await headers();
        const attempt = await logIn({ ...parsed.data, userAgent: userAgent(requestHeaders), ip: clientIp(requestHeaders) });
        if (!attempt.ok) return null;
        const { user, sessionId, refreshToken } = attempt.loggedIn;
        if (refreshToken) setRefreshCookie(await cookies(), refreshToken);
        return { id: String(user.id), name: user.username, sid: sessionId };
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) return { sub: user.id, sid: user.sid, username: user.name };
      return token;
    },
  },
  logger: {
    // A failed login is an expected outcome, not an error with a stack trace.
    error(error) {
      if (error.name === 'CredentialsSignin') return;
      console.error(`[auth] ${error.name}: ${error.message}`);
    },
    warn() {},
    debug() {},
  },
});

/**
 * Signs in with an email-or-username and password. Not ok when they don't match, or, with
 * `retryAfterSeconds`, when this account or client has failed too often (checked first, so the
 * answer can say how long to wait).
 */
export async function signInWithPassword(input: {
  login: string;
  password: string;
  remember: boolean;
}): Promise<{ ok: true } | { ok: false; retryAfterSeconds?: number }> {
  const wait = await loginBlockedFor(input.login, clientIp(await headers()));
  if (wait > 0) return { ok: false, retryAfterSeconds: wait };
  try {
    // redirectTo is unused (we redirect ourselves) but keeps Auth.js from echoing the Referer.
    await signIn('credentials', { ...input, remember: input.remember ? '1' : '', redirectTo: '/', redirect: false });
  } catch (error) {
    if (error instanceof AuthError && error.type === 'CredentialsSignin') return { ok: false };
    throw error;
  }
  // Auth.js gives the cookie an Expires; ours is a browser-session cookie, because persistence
  // ("Keep me signed in") is the refresh cookie's job.
  const jar = await cookies();
  const token = jar.get(sessionCookieName())?.value;
  if (token) setSessionCookie(jar, token);
  return { ok: true };
}

/** Ends the current session on the server (not just in this browser) and clears its cookies. */
export async function signOutCurrentSession(): Promise<void> {
  const jar = await cookies();
  const token = jar.get(sessionCookieName())?.value;
  const refreshToken = jar.get(refreshCookieName())?.value;
  const verified = token ? await verifySessionToken(token) : null;
  if (verified?.ok) {
    endSession(verified.claims.sid);
    await recordSecurityEvent(Number(verified.claims.sub), 'logout');
  } else if (verified?.reason === 'expired') {
    endSession(verified.sid);
  }
  if (refreshToken) endSessionByRefreshToken(refreshToken);
  await clearSessionCookies();
}

/**
 * After a username change: moves this session to a new id and puts a token for it in the cookie,
 * so the new token carries the new name and the old token (old id) stops working. Returns the new
 * session id, or null when the session ended meanwhile.
 */
export async function reissueSessionToken(sessionId: string, user: { id: number; username: string }): Promise<string | null> {
  const next = rotateSessionId(sessionId);
  if (!next) return null;
  setSessionCookie(await cookies(), await signSessionToken({ sub: String(user.id), sid: next, username: user.username }));
  return next;
}

/** Clears this browser's session cookies without touching the server (the session is already gone). */
export async function clearSessionCookies(): Promise<void> {
  await signOut({ redirect: false });
  (await cookies()).set(refreshCookieName(), '', expiredCookieOptions());
}
