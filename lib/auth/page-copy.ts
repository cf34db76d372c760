import 'server-only';
import { createHash } from 'node:crypto';
import { isDatabaseUnavailable, logUnavailable } from '@/lib/db/client';
import type { PublicUser } from '@/lib/db/queries/users';
import { cookieHeaderValue } from '@/lib/request-scope';
import { unavailableUrl } from '@/lib/unavailable';
import { sessionCookieName } from './cookies';
import { getLiveSessionUser } from './session';
import { RENEW_AFTER_SECONDS, tokenAgeSeconds } from './token';
import { verifySessionToken } from './token-node';

// A person's own page, kept by the server in front of Next (scripts/page-cache.mjs) and served
// again while nothing it shows has changed. What it shows is a function of its address, the
// person's row and the process's settings; the key below names the row by a digest, and the page
// names the digest of the row it was rendered from, so a copy is kept only under the key of the
// data it shows, even when a change lands while it renders (docs/security.md, "Choices and limits").

/** The name of the page's `<meta>` that carries the digest of the row it was rendered from. */
export const COPY_META = 'gatehouse-copy';

/** A digest of everything in the person's row; any change to it is a new digest. */
export function copyDigest(user: PublicUser): string {
  return createHash('sha256').update(JSON.stringify(user)).digest('base64url');
}

/** What `personalCopyKey` found: the copy's key, or where the page would send the person. */
export type CopyKey = { key: string } | { unavailable: string };

/**
 * For a request for the page at `path` with these cookies: `{ key: '<session id> <digest>' }`
 * when Next would render the page for a live session and change no cookie (the token is valid and
 * too young to renew); with the database out of reach, the page's own answer (its redirect to the
 * 503 page: asking Next would wait for the database a second time); else null, and Next answers
 * (renewal, refresh, the login redirect). The same checks as the middleware and lib/auth/dal.ts
 * make for the page, in one token check and one query.
 */
export async function personalCopyKey(cookieHeader: string | undefined, path: string): Promise<CopyKey | null> {
  const token = cookieHeaderValue(cookieHeader ?? null, sessionCookieName());
  if (!token) return null;
  const verified = await verifySessionToken(token, 'browser');
  if (!verified.ok || tokenAgeSeconds(verified.claims) >= RENEW_AFTER_SECONDS) return null;
  let user: PublicUser | null;
  try {
    user = await getLiveSessionUser(verified.claims.sid, Number(verified.claims.sub));
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    logUnavailable('page', error);
    return { unavailable: unavailableUrl(path) };
  }
  return user && { key: `${verified.claims.sid} ${copyDigest(user)}` };
}
