import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { SignJWT, base64url, jwtVerify } from 'jose';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deriveKey } from '@/lib/auth/keys';
import { AUDIENCES, ISSUER, signSessionToken, verifySessionTokenOnEdge as webVerify, TOKEN_TTL_SECONDS } from '@/lib/auth/token';
import { verifySessionToken as nodeVerify } from '@/lib/auth/token-node';

const SECRET = 'unit-test-secret-that-is-at-least-32-bytes-long';
const identity = { sub: '42', sid: 'session-abc', username: 'ada' };
const AUDIENCE = AUDIENCES.browser;
/** The session-JWT key HKDF derives from SECRET: what tokens are really signed with. */
let KEY: Uint8Array<ArrayBuffer>;
beforeAll(async () => {
  KEY = await deriveKey(SECRET, 'session-jwt');
});

beforeEach(() => {
  process.env.AUTH_SECRET = SECRET;
  delete process.env.AUTH_SECRET_PREVIOUS;
});

function parts(token: string) {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  return { header, payload, signature };
}
const json = (value: unknown) => base64url.encode(JSON.stringify(value));

describe.each([
  ['Web Crypto (Edge middleware)', webVerify],
  ['node:crypto (server)', nodeVerify],
])('session tokens, verified with %s', (_, verifySessionToken) => {
  it('are compact HS256 JWS with the claims a reader expects', async () => {
    const token = await signSessionToken(identity, 'browser');
    const { header, payload } = parts(token);
    expect(JSON.parse(new TextDecoder().decode(base64url.decode(header)))).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload)));
    expect(claims).toMatchObject({ sub: '42', sid: 'session-abc', username: 'ada', iss: 'gatehouse', aud: 'gatehouse/browser' });
    expect(claims.exp - claims.iat).toBe(TOKEN_TTL_SECONDS);
    expect(TOKEN_TTL_SECONDS).toBeLessThanOrEqual(3600);
    expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'sid', 'sub', 'username']);
  });

  it('verify what they sign', async () => {
    const result = await verifySessionToken(await signSessionToken(identity, 'browser'), 'browser');
    expect(result).toMatchObject({ ok: true, claims: identity });
  });

  it('tell an expired token from an invalid one', async () => {
    const issued = Date.now() - (TOKEN_TTL_SECONDS + 60) * 1000;
    expect(await verifySessionToken(await signSessionToken(identity, 'browser', issued), 'browser')).toEqual({
      ok: false,
      reason: 'expired',
      sid: 'session-abc',
    });
  });

  it('accept a token within the clock tolerance of its expiry and refuse one past it', async () => {
    const token = await signSessionToken(identity, 'browser', 0);
    expect((await verifySessionToken(token, 'browser', (TOKEN_TTL_SECONDS + 3) * 1000)).ok).toBe(true);
    expect(await verifySessionToken(token, 'browser', (TOKEN_TTL_SECONDS + 30) * 1000)).toMatchObject({ reason: 'expired' });
  });

  it('refuse a payload changed under its signature', async () => {
    const { header, signature } = parts(await signSessionToken(identity, 'browser'));
    const forged = `${header}.${json({ sub: '1', sid: 'session-abc', username: 'admin', iss: 'gatehouse', aud: AUDIENCE, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 60 })}.${signature}`;
    expect(await verifySessionToken(forged, 'browser')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuse a flipped signature character', async () => {
    const token = await signSessionToken(identity, 'browser');
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    expect((await verifySessionToken(`${token.slice(0, -2)}${last}${token.at(-1)}`, 'browser')).ok).toBe(false);
  });

  it('refuse alg "none", other HMAC algorithms and other keys', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sid: 's', username: 'ada', sub: '42', iss: 'gatehouse', aud: AUDIENCE, iat: now, exp: now + 60 };
    const none = `${json({ alg: 'none', typ: 'JWT' })}.${json(claims)}.`;
    expect((await verifySessionToken(none, 'browser')).ok).toBe(false);
    const sign = (alg: string, key: string | Uint8Array) =>
      new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(typeof key === 'string' ? new TextEncoder().encode(key) : key);
    expect(await verifySessionToken(await sign('HS512', KEY), 'browser')).toEqual({ ok: false, reason: 'invalid' });
    expect(await verifySessionToken(await sign('HS256', 'another-secret-that-is-also-32-bytes-long!'), 'browser')).toEqual({
      ok: false,
      reason: 'invalid',
    });
    // An expired token signed with someone else's key is "invalid", never "expired".
    const expired = await new SignJWT({ ...claims, exp: now - 3600 })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new TextEncoder().encode('another-secret-that-is-also-32-bytes-long!'));
    expect(await verifySessionToken(expired, 'browser')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('ignore kid/jku tricks: the key never comes from the token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ sid: 's', username: 'ada' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: '../../../../dev/null', jku: 'https://evil.example/jwks' })
      .setSubject('42')
      .setIssuer('gatehouse')
      .setAudience(AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(new TextEncoder().encode('attacker-chosen-key-that-is-32-bytes-long'));
    expect((await verifySessionToken(token, 'browser')).ok).toBe(false);
  });

  it('refuse a token issued in the future, not yet valid, or for another audience', async () => {
    const now = Math.floor(Date.now() / 1000);
    const base = () =>
      new SignJWT({ sid: 's', username: 'ada' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject('42').setIssuer('gatehouse');
    const key = KEY;
    const future = await base().setAudience(AUDIENCE).setIssuedAt(now + 3600).setExpirationTime(now + 7200).sign(key);
    const notYet = await base().setAudience(AUDIENCE).setIssuedAt(now).setNotBefore(now + 3600).setExpirationTime(now + 60).sign(key);
    const otherAudience = await base().setAudience('somebody-else').setIssuedAt(now).setExpirationTime(now + 60).sign(key);
    for (const token of [future, notYet, otherAudience]) expect((await verifySessionToken(token, 'browser')).ok).toBe(false);
  });

  it('refuse a token of the other kind: a browser cookie is no bearer token, an API token no cookie', async () => {
    const browser = await signSessionToken(identity, 'browser');
    const api = await signSessionToken(identity, 'api');
    expect((await verifySessionToken(browser, 'browser')).ok).toBe(true);
    expect((await verifySessionToken(api, 'api')).ok).toBe(true);
    expect(await verifySessionToken(browser, 'api')).toEqual({ ok: false, reason: 'invalid' });
    expect(await verifySessionToken(api, 'browser')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('are signed with a key derived for them, not with AUTH_SECRET itself', async () => {
    const now = Math.floor(Date.now() / 1000);
    const raw = await new SignJWT({ sid: 's', username: 'ada' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject('42')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(new TextEncoder().encode(SECRET));
    expect(await verifySessionToken(raw, 'browser')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuse junk without throwing', async () => {
    for (const junk of ['', 'a.b', 'a.b.c.d', '%%%.%%%.%%%', `${'a'.repeat(5000)}.b.c`, 'eyJ.eyJ.sig']) {
      expect(await verifySessionToken(junk, 'browser')).toEqual({ ok: false, reason: 'invalid' });
    }
  });

  it('keep accepting tokens signed with the previous secret after a rotation', async () => {
    const old = await signSessionToken(identity, 'browser');
    // Verified (and remembered) before the rotation, refused after it.
    expect((await verifySessionToken(old, 'browser')).ok).toBe(true);
    process.env.AUTH_SECRET = 'the-new-secret-after-rotation-32-bytes-long';
    expect((await verifySessionToken(old, 'browser')).ok).toBe(false);
    process.env.AUTH_SECRET_PREVIOUS = SECRET;
    expect((await verifySessionToken(old, 'browser')).ok).toBe(true);
    // New tokens are signed with the new secret only.
    const fresh = await signSessionToken(identity, 'browser');
    delete process.env.AUTH_SECRET_PREVIOUS;
    expect((await verifySessionToken(fresh, 'browser')).ok).toBe(true);
  });
});

describe('purpose keys', () => {
  it('are the same bytes from Web Crypto (Edge) and node:crypto, and differ per purpose and per secret', async () => {
    const { purposeKey } = await import('@/lib/auth/keys-node');
    expect(Buffer.from(KEY).equals(purposeKey('session-jwt'))).toBe(true);
    expect(Buffer.from(await deriveKey(SECRET, 'otp')).equals(purposeKey('otp'))).toBe(true);
    const keys = ['session-jwt', 'otp', 'refresh-token', 'device-cookie'] as const;
    const all = keys.map((purpose) => purposeKey(purpose).toString('hex'));
    expect(new Set(all).size).toBe(keys.length);
    expect(all).not.toContain(Buffer.from(SECRET).toString('hex'));
    process.env.AUTH_SECRET = 'the-new-secret-after-rotation-32-bytes-long';
    expect(purposeKey('otp').toString('hex')).not.toBe(all[1]);
  });
});

describe('the two verifiers', () => {
  const now = Math.floor(Date.now() / 1000);
  const claims = { sid: 's', username: 'ada', sub: '42', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 60 };
  // By hand, not SignJWT: jose refuses to sign some of the headers worth testing (crit, b64).
  const sign = (header: Record<string, unknown>, payload: Record<string, unknown>) => {
    const input = `${json(header)}.${json(payload)}`;
    return `${input}.${createHmac('sha256', KEY).update(input).digest('base64url')}`;
  };
  const joseVerdict = (token: string, currentDate?: Date) =>
    jwtVerify(token, KEY, {
      currentDate,
      algorithms: ['HS256'],
      typ: 'JWT',
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ['sub', 'sid', 'iat', 'exp'],
      clockTolerance: 5,
      maxTokenAge: TOKEN_TTL_SECONDS,
    }).then(
      () => 'ok',
      (error: { code?: string }) => (error.code === 'ERR_JWT_EXPIRED' ? 'expired' : 'invalid'),
    );
  const verdict = (result: Awaited<ReturnType<typeof webVerify>>) => (result.ok ? 'ok' : result.reason);

  // The signature is ours, the claim rules are jose's: whatever the header and claims say, both
  // verifiers must answer what jose's own jwtVerify answers (ignoring our extra sub/sid checks,
  // which only ever turn "ok" into "invalid").
  it('agree with jose jwtVerify on signed tokens with arbitrary headers and claims', async () => {
    // A good token with one or two things changed, so every rule gets reached: a header parameter,
    // or a claim missing, of the wrong type, or a time just either side of a limit.
    const odd = fc.oneof(fc.constant(undefined), fc.constantFrom('', 'x', 1.5, null, [], ['x'], {}));
    const around = (t: number) => fc.integer({ min: t - 8, max: t + 8 });
    const change = fc.oneof(
      fc.tuple(fc.constant('header'), fc.constant('alg'), fc.constantFrom('HS512', 'none', 'hs256', undefined)),
      fc.tuple(fc.constant('header'), fc.constant('typ'), fc.constantFrom(undefined, 'jwt', 'application/jwt', 'at+jwt', 1)),
      fc.tuple(fc.constant('header'), fc.constant('crit'), fc.constantFrom(['b64'], ['kid'], 'b64', [])),
      fc.tuple(fc.constant('header'), fc.constantFrom('b64', 'kid'), fc.constantFrom(true, false, 'k1')),
      fc.tuple(fc.constant('payload'), fc.constant('sub'), fc.oneof(odd, fc.constantFrom('0', '007', '1'))),
      fc.tuple(fc.constant('payload'), fc.constantFrom('sid', 'username'), odd),
      fc.tuple(fc.constant('payload'), fc.constant('iss'), fc.oneof(odd, fc.constant('someone-else'))),
      fc.tuple(fc.constant('payload'), fc.constant('aud'), fc.oneof(odd, fc.constantFrom([AUDIENCE, 'x'], ['x'], 'x'))),
      fc.tuple(fc.constant('payload'), fc.constant('iat'), fc.oneof(odd, around(now), around(now - TOKEN_TTL_SECONDS))),
      fc.tuple(fc.constant('payload'), fc.constant('exp'), fc.oneof(odd, around(now))),
      fc.tuple(fc.constant('payload'), fc.constant('nbf'), fc.oneof(odd, around(now))),
    );
    const tally: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(fc.array(change, { maxLength: 2 }), async (changes) => {
        const parts: Record<string, Record<string, unknown>> = { header: { alg: 'HS256', typ: 'JWT' }, payload: { ...claims } };
        for (const [part, name, value] of changes) {
          if (value === undefined) delete parts[part]![name];
          else parts[part]![name] = value;
        }
        const clean = parts.payload!;
        const token = sign(parts.header!, clean);
        const expected = await joseVerdict(token);
        tally[expected] = (tally[expected] ?? 0) + 1;
        for (const verify of [webVerify, nodeVerify]) {
          const ours = verdict(await verify(token, 'browser'));
          const sidOk = typeof clean.sid === 'string';
          const subOk = typeof clean.sub === 'string' && /^[1-9][0-9]{0,15}$/.test(clean.sub);
          if (expected === 'ok') expect(ours).toBe(sidOk && subOk && typeof clean.username === 'string' ? 'ok' : 'invalid');
          else if (expected === 'expired') expect(ours).toBe(sidOk ? 'expired' : 'invalid');
          else expect(ours).toBe('invalid');
        }
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 1000) },
    );
    // The property is only worth something if every verdict came up.
    expect(Object.keys(tally).sort()).toEqual(['expired', 'invalid', 'ok']);
  });

  // A token seen before is answered from memory, with only the time rules checked again: at any
  // moment after it, both verifiers still answer what jose answers for that moment.
  it('agree with jose jwtVerify on a token seen before, whenever it comes back', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -10, max: 10 }), fc.array(fc.integer({ min: -20, max: TOKEN_TTL_SECONDS + 20 }), { maxLength: 6 }), async (firstAt, later) => {
        const token = sign({ alg: 'HS256', typ: 'JWT' }, { ...claims, sid: `s${firstAt}-${later.join('_')}` });
        for (const at of [firstAt, ...later]) {
          const moment = (now + at) * 1000;
          const expected = await joseVerdict(token, new Date(moment));
          expect(verdict(await webVerify(token, 'browser', moment))).toBe(expected);
          expect(verdict(await nodeVerify(token, 'browser', moment))).toBe(expected);
          // Never for the other kind, however often it was seen as this one.
          expect(verdict(await nodeVerify(token, 'api', moment))).toBe('invalid');
        }
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 300) },
    );
  });

  it('refuse the same altered tokens', async () => {
    const token = sign({ typ: 'JWT' }, claims);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    await fc.assert(
      fc.asyncProperty(fc.nat(token.length - 1), fc.constantFrom(...alphabet), async (at, char) => {
        const altered = token.slice(0, at) + char + token.slice(at + 1);
        const expected = await joseVerdict(altered);
        expect(verdict(await webVerify(altered, 'browser'))).toBe(expected);
        expect(verdict(await nodeVerify(altered, 'browser'))).toBe(expected);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 300) },
    );
  });
});
