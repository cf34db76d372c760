import 'server-only';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { isDatabaseUnavailable } from '@/lib/db/client';
import type { PublicUser } from '@/lib/db/queries/users';
import { loginUrl, type LoginReason } from '@/lib/routes';
import { pageQuery } from '@/lib/unavailable';
import { sessionCookieName } from './cookies';
import { getLiveSessionUser } from './session';
import { verifySessionToken } from './token-node';

// The real guard. The middleware only checks the token's signature and expiry (it can't reach the
// database); every page, action and route handler that reads "who is this" comes through here,
// which also checks that the session was not revoked.

export type CurrentSession = { user: PublicUser; sessionId: string };
type Lookup = { session: CurrentSession; reason?: never } | { session: null; reason?: LoginReason };

const lookup = cache(async (): Promise<Lookup> => {
  const token = (await cookies()).get(sessionCookieName())?.value;
  if (!token) return { session: null };
  const verified = await verifySessionToken(token, 'browser');
  if (!verified.ok) return { session: null, reason: verified.reason };
  const user = await getLiveSessionUser(verified.claims.sid, Number(verified.claims.sub));
  if (!user) return { session: null, reason: 'ended' };
  return { session: { user, sessionId: verified.claims.sid } };
});

/**
 * The logged-in person, or null. Cached per request: one token check and one query. Null too
 * while the database is out of reach: nobody can be recognised, so the page renders as for a
 * visitor (the header, the login form), and whatever needs the account says it is unavailable.
 */
export async function getCurrentSession(): Promise<CurrentSession | null> {
  try {
    return (await lookup()).session;
  } catch (error) {
    if (isDatabaseUnavailable(error)) return null;
    throw error;
  }
}

/**
 * The logged-in person, or a redirect to the login page that says why and comes back to `path`.
 * With the database out of reach, a page goes to /unavailable (a 503, which a page can't answer
 * itself), and an action gets the error, which lib/actions.ts turns into the form's message.
 */
export async function requireSession(path: string, caller: 'page' | 'action' = 'page'): Promise<CurrentSession> {
  const { session, reason } = await (caller === 'page' ? pageQuery(path, lookup()) : lookup());
  if (!session) redirect(loginUrl(path, reason));
  return session;
}
