// The one place a session JWT is made or checked. Web Crypto only (jose), so the Edge middleware
// can import it; server code verifies through token-node.ts, which plugs Node's HMAC into the same
// rules.
import { SignJWT, UnsecuredJWT, base64url, decodeProtectedHeader, errors } from 'jose';
import { secretsFingerprint } from '@/lib/env-edge';
import { deriveKeys } from './keys';

export const ISSUER = 'gatehouse';
/**
 * Two kinds of token for one session, told apart by their audience: the browser's cookie (renewed
 * by the middleware while the person is active) and the API's bearer token (an hour, never
 * renewed). Each is refused where the other belongs, so a bearer token planted in a cookie can't
 * be renewed hour after hour, and a cookie can't be replayed as a bearer token.
 */
export const AUDIENCES = { browser: 'gatehouse/browser', api: 'gatehouse/api' } as const;
export type TokenKind = keyof typeof AUDIENCES;
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

/** Checks an HS256 signature over a token's signing input, for one key. */
export type SignatureCheck = (signingInput: Uint8Array<ArrayBuffer>, signature: Uint8Array<ArrayBuffer>) => boolean | Promise<boolean>;
/** Prepares the check for one key, once: preparing a key costs more than the HMAC itself. */
export type Hs256 = (key: Uint8Array<ArrayBuffer>) => SignatureCheck;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const INVALID: VerifyResult = { ok: false, reason: 'invalid' };
const HEADER = { alg: 'HS256', typ: 'JWT' } as const;
// Every token we sign starts with this header; recognising it skips decoding and re-encoding it.
const OUR_HEADER = base64url.encode(JSON.stringify(HEADER));
const OUR_HEADER_UNSECURED = base64url.encode(JSON.stringify({ ...HEADER, alg: 'none' }));

const jwtKeys = () => deriveKeys('session-jwt');

const prepared = new WeakMap<Hs256, { source: string; checks: Promise<SignatureCheck[]> }>();
function signatureChecks(hs256: Hs256): Promise<SignatureCheck[]> {
  const source = secretsFingerprint();
  let entry = prepared.get(hs256);
  if (entry?.source !== source) {
    entry = { source, checks: jwtKeys().then((keys) => keys.map(hs256)) };
    prepared.set(hs256, entry);
  }
  return entry.checks;
}

let signing: { source: string; key: Promise<CryptoKey> } | undefined;
function signingKey(): Promise<CryptoKey> {
  const source = secretsFingerprint();
  if (signing?.source !== source) {
    const key = jwtKeys().then(([key]) => crypto.subtle.importKey('raw', key!, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']));
    signing = { source, key };
  }
  return signing.key;
}

/** Web Crypto, the only HMAC the Edge runtime has. */
const webCryptoHs256: Hs256 = (raw) => {
  const key = crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  return async (signingInput, signature) => crypto.subtle.verify('HMAC', await key, signature, signingInput);
};

export async function signSessionToken(identity: SessionIdentity, kind: TokenKind, now = Date.now()): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT({ sid: identity.sid, username: identity.username })
    .setProtectedHeader(HEADER)
    .setSubject(identity.sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCES[kind])
    .setIssuedAt(iat)
    .setExpirationTime(iat + TOKEN_TTL_SECONDS)
    .sign(await signingKey());
}

/**
 * The verify function for one HMAC implementation. The signature is checked here; everything
 * after it (crit, typ, iss, aud, exp, nbf, iat, required claims) is jose's own claim validation,
 * the code jwtVerify runs. jose checks signatures with Web Crypto only, and on Node every such
 * check is a thread-pool round trip that costs ~45 µs for 2 µs of hashing (see docs/performance.md),
 * so once our signature is confirmed the same header and payload go through UnsecuredJWT.decode:
 * the "unsecured" token is built here, from bytes just proven to be ours, and never leaves.
 */
export function sessionTokenVerifier(hs256: Hs256) {
  const known = knownTokens();
  return async function verifySessionToken(token: string, kind: TokenKind, now = Date.now()): Promise<VerifyResult> {
    const remembered = known.get(kind, token);
    if (remembered) return timeChecks(remembered, now);
    if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) return INVALID;
    const [encodedHeader, encodedPayload, encodedSignature] = token.split('.') as [string, string, string];
    try {
      const header = encodedHeader === OUR_HEADER ? undefined : decodeProtectedHeader(token);
      if (header && header.alg !== 'HS256') return INVALID;
      const signingInput = encoder.encode(`${encodedHeader}.${encodedPayload}`);
      const signature = new Uint8Array(base64url.decode(encodedSignature));
      let signed = false;
      for (const check of await signatureChecks(hs256)) {
        if (await check(signingInput, signature)) {
          signed = true;
          break;
        }
      }
      if (!signed) return INVALID;

      const unsecuredHeader = header ? base64url.encode(JSON.stringify({ ...header, alg: 'none' })) : OUR_HEADER_UNSECURED;
      const verified = `${unsecuredHeader}.${encodedPayload}.`;
      const { payload } = UnsecuredJWT.decode(verified, {
        typ: 'JWT',
        issuer: ISSUER,
        audience: AUDIENCES[kind],
        requiredClaims: ['sub', 'sid', 'iat', 'exp'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        maxTokenAge: TOKEN_TTL_SECONDS,
        currentDate: new Date(now),
      });
      const { sub, sid, username, iat, exp } = payload;
      if (typeof sub !== 'string' || !/^[1-9][0-9]{0,15}$/.test(sub)) return INVALID;
      if (typeof sid !== 'string' || typeof username !== 'string') return INVALID;
      const claims: SessionClaims = Object.freeze({ sub, sid, username, iat: iat!, exp: exp! });
      // Ours never carry nbf; one that does is checked in full each time.
      if (payload.nbf === undefined) known.add(kind, token, claims);
      return { ok: true, claims };
    } catch (error) {
      // Claims are validated only after the signature, so an expired token here is one we issued.
      if (error instanceof errors.JWTExpired && typeof error.payload.sid === 'string') {
        return { ok: false, reason: 'expired', sid: error.payload.sid };
      }
      return INVALID;
    }
  };
}

/**
 * Tokens this process has verified, by kind and exact text, with their claims. A browser sends
 * the same token with every request for five minutes and an API client for up to an hour; a
 * second sight skips the signature and the parsing, about a tenth of what a protected page or
 * GET /api/v1/me costs, and only the time checks run again. Only tokens that passed every check
 * are kept, at most KNOWN_LIMIT (the oldest leaves first), and none outlives a change of secrets:
 * a token signed with a secret just retired must be refused at once.
 */
const KNOWN_LIMIT = 4096;
function knownTokens() {
  let source = '';
  const byKind: Record<TokenKind, Map<string, SessionClaims>> = { browser: new Map(), api: new Map() };
  const current = (kind: TokenKind) => {
    const fingerprint = secretsFingerprint();
    if (fingerprint !== source) {
      source = fingerprint;
      byKind.browser.clear();
      byKind.api.clear();
    }
    return byKind[kind];
  };
  return {
    get: (kind: TokenKind, token: string) => current(kind).get(token),
    add(kind: TokenKind, token: string, claims: SessionClaims) {
      const tokens = current(kind);
      if (tokens.size >= KNOWN_LIMIT) tokens.delete(tokens.keys().next().value!);
      // A copy of its own: the token is cut from a header (a whole Cookie header, perhaps kilobytes),
      // and kept as it is it would keep that header alive with it.
      tokens.set(decoder.decode(encoder.encode(token)), claims);
    },
  };
}

/** jose's time rules (exp, then the token's age), for claims whose every other check has passed. */
function timeChecks(claims: SessionClaims, now: number): VerifyResult {
  const seconds = Math.floor(now / 1000);
  const age = seconds - claims.iat;
  if (claims.exp <= seconds - CLOCK_TOLERANCE_SECONDS || age - CLOCK_TOLERANCE_SECONDS > TOKEN_TTL_SECONDS) {
    return { ok: false, reason: 'expired', sid: claims.sid };
  }
  if (age < -CLOCK_TOLERANCE_SECONDS) return INVALID;
  return { ok: true, claims };
}

/**
 * Runs anywhere, for the Edge middleware: its name says so. Server code uses token-node.ts's
 * `verifySessionToken`, which is ~10× faster on Node.
 */
export const verifySessionTokenOnEdge = sessionTokenVerifier(webCryptoHs256);

/** The middleware renews a page's token once it is this old, so an active person's session never runs out. */
export const RENEW_AFTER_SECONDS = 5 * 60;

/** Seconds since the token was issued: the middleware renews tokens past a threshold. */
export function tokenAgeSeconds(claims: SessionClaims, now = Date.now()): number {
  return Math.floor(now / 1000) - claims.iat;
}
