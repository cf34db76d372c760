// The one place a session JWT is made or checked. Web Crypto only (jose), so the Edge middleware,
// Auth.js's jwt.encode/decode, server pages and the bearer API all share it.
import { SignJWT, errors, jwtVerify } from 'jose';

export const ISSUER = 'gatehouse';
export const AUDIENCE = 'gatehouse';
/** Access-token lifetime. Activity renews it (see middleware.ts); an hour without activity ends it. */
export const TOKEN_TTL_SECONDS = 60 * 60;
/** Clock skew tolerated between this server's processes and the token's iat/nbf/exp. */
const CLOCK_TOLERANCE_SECONDS = 5;
/** Ours are ~300 bytes; anything far larger is not ours and is refused before any parsing. */
const MAX_TOKEN_LENGTH = 2048;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export type SessionIdentity = { sub: string; sid: string; username: string };
export type SessionClaims = SessionIdentity & { iat: number; exp: number };
export type VerifyResult =
  | { ok: true; claims: SessionClaims }
  | { ok: false; reason: 'expired'; sid: string }
  | { ok: false; reason: 'invalid' };

const encoder = new TextEncoder();
let cached: { source: string; keys: Promise<CryptoKey[]> } | undefined;

/**
 * Signing key first, then AUTH_SECRET_PREVIOUS (comma-separated) for verification only, so a
 * rotated secret doesn't log everybody out at once. Imported once as Web Crypto keys: importing a
 * raw secret on every verify cost more than the HMAC itself.
 */
function keys(): Promise<CryptoKey[]> {
  const source = `${process.env.AUTH_SECRET ?? ''}|${process.env.AUTH_SECRET_PREVIOUS ?? ''}`;
  if (cached?.source !== source) {
    const current = process.env.AUTH_SECRET;
    if (!current) throw new Error('AUTH_SECRET is not set');
    const previous = (process.env.AUTH_SECRET_PREVIOUS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const imported = Promise.all(
      [current, ...previous].map((secret) =>
        crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']),
      ),
    );
    cached = { source, keys: imported };
  }
  return cached.keys;
}

export async function signSessionToken(identity: SessionIdentity, now = Date.now()): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT({ sid: identity.sid, username: identity.username })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(identity.sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + TOKEN_TTL_SECONDS)
    .sign((await keys())[0]!);
}

export async function verifySessionToken(token: string, now = Date.now()): Promise<VerifyResult> {
  if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) return { ok: false, reason: 'invalid' };
  for (const key of await keys()) {
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        typ: 'JWT',
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['sub', 'sid', 'iat', 'exp'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        maxTokenAge: TOKEN_TTL_SECONDS,
        currentDate: new Date(now),
      });
      const { sub, sid, username, iat, exp } = payload;
      if (typeof sub !== 'string' || !/^[1-9][0-9]{0,15}$/.test(sub)) return { ok: false, reason: 'invalid' };
      if (typeof sid !== 'string' || typeof username !== 'string') return { ok: false, reason: 'invalid' };
      return { ok: true, claims: { sub, sid, username, iat: iat!, exp: exp! } };
    } catch (error) {
      if (error instanceof errors.JWSSignatureVerificationFailed) continue;
      // jose checks the signature before any claim, so an expired token here is one we issued.
      if (error instanceof errors.JWTExpired && typeof error.payload.sid === 'string') {
        return { ok: false, reason: 'expired', sid: error.payload.sid };
      }
      return { ok: false, reason: 'invalid' };
    }
  }
  return { ok: false, reason: 'invalid' };
}

/** Seconds since the token was issued: the middleware renews tokens past a threshold. */
export function tokenAgeSeconds(claims: SessionClaims, now = Date.now()): number {
  return Math.floor(now / 1000) - claims.iat;
}
