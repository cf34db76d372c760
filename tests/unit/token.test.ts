import { SignJWT, base64url } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { signSessionToken, verifySessionToken, TOKEN_TTL_SECONDS } from '@/lib/auth/token';

const SECRET = 'unit-test-secret-that-is-at-least-32-bytes-long';
const identity = { sub: '42', sid: 'session-abc', username: 'ada' };

beforeEach(() => {
  process.env.AUTH_SECRET = SECRET;
  delete process.env.AUTH_SECRET_PREVIOUS;
});

function parts(token: string) {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  return { header, payload, signature };
}
const json = (value: unknown) => base64url.encode(JSON.stringify(value));

describe('session tokens', () => {
  it('are compact HS256 JWS with the claims a reader expects', async () => {
    const token = await signSessionToken(identity);
    const { header, payload } = parts(token);
    expect(JSON.parse(new TextDecoder().decode(base64url.decode(header)))).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload)));
    expect(claims).toMatchObject({ sub: '42', sid: 'session-abc', username: 'ada', iss: 'gatehouse', aud: 'gatehouse' });
    expect(claims.exp - claims.iat).toBe(TOKEN_TTL_SECONDS);
    expect(TOKEN_TTL_SECONDS).toBeLessThanOrEqual(3600);
    expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'sid', 'sub', 'username']);
  });

  it('verify what they sign', async () => {
    const result = await verifySessionToken(await signSessionToken(identity));
    expect(result).toMatchObject({ ok: true, claims: identity });
  });

  it('tell an expired token from an invalid one', async () => {
    const issued = Date.now() - (TOKEN_TTL_SECONDS + 60) * 1000;
    expect(await verifySessionToken(await signSessionToken(identity, issued))).toEqual({
      ok: false,
      reason: 'expired',
      sid: 'session-abc',
    });
  });

  it('accept a token within the clock tolerance of its expiry and refuse one past it', async () => {
    const token = await signSessionToken(identity, 0);
    expect((await verifySessionToken(token, (TOKEN_TTL_SECONDS + 3) * 1000)).ok).toBe(true);
    expect(await verifySessionToken(token, (TOKEN_TTL_SECONDS + 30) * 1000)).toMatchObject({ reason: 'expired' });
  });

  it('refuse a payload changed under its signature', async () => {
    const { header, signature } = parts(await signSessionToken(identity));
    const forged = `${header}.${json({ sub: '1', sid: 'session-abc', username: 'admin', iss: 'gatehouse', aud: 'gatehouse', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 60 })}.${signature}`;
    expect(await verifySessionToken(forged)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuse a flipped signature character', async () => {
    const token = await signSessionToken(identity);
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    expect((await verifySessionToken(`${token.slice(0, -2)}${last}${token.at(-1)}`)).ok).toBe(false);
  });

  it('refuse alg "none", other HMAC algorithms and other keys', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sid: 's', username: 'ada', sub: '42', iss: 'gatehouse', aud: 'gatehouse', iat: now, exp: now + 60 };
    const none = `${json({ alg: 'none', typ: 'JWT' })}.${json(claims)}.`;
    expect((await verifySessionToken(none)).ok).toBe(false);
    const sign = (alg: string, key: string) =>
      new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(new TextEncoder().encode(key));
    expect(await verifySessionToken(await sign('HS512', SECRET))).toEqual({ ok: false, reason: 'invalid' });
    expect(await verifySessionToken(await sign('HS256', 'another-secret-that-is-also-32-bytes-long!'))).toEqual({
      ok: false,
      reason: 'invalid',
    });
    // An expired token signed with someone else's key is "invalid", never "expired".
    const expired = await new SignJWT({ ...claims, exp: now - 3600 })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new TextEncoder().encode('another-secret-that-is-also-32-bytes-long!'));
    expect(await verifySessionToken(expired)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('ignore kid/jku tricks: the key never comes from the token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ sid: 's', username: 'ada' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: '../../../../dev/null', jku: 'https://evil.example/jwks' })
      .setSubject('42')
      .setIssuer('gatehouse')
      .setAudience('gatehouse')
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(new TextEncoder().encode('attacker-chosen-key-that-is-32-bytes-long'));
    expect((await verifySessionToken(token)).ok).toBe(false);
  });

  it('refuse a token issued in the future, not yet valid, or for another audience', async () => {
    const now = Math.floor(Date.now() / 1000);
    const base = () =>
      new SignJWT({ sid: 's', username: 'ada' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject('42').setIssuer('gatehouse');
    const key = new TextEncoder().encode(SECRET);
    const future = await base().setAudience('gatehouse').setIssuedAt(now + 3600).setExpirationTime(now + 7200).sign(key);
    const notYet = await base().setAudience('gatehouse').setIssuedAt(now).setNotBefore(now + 3600).setExpirationTime(now + 60).sign(key);
    const otherAudience = await base().setAudience('somebody-else').setIssuedAt(now).setExpirationTime(now + 60).sign(key);
    for (const token of [future, notYet, otherAudience]) expect((await verifySessionToken(token)).ok).toBe(false);
  });

  it('refuse junk without throwing', async () => {
    for (const junk of ['', 'a.b', 'a.b.c.d', '%%%.%%%.%%%', `${'a'.repeat(5000)}.b.c`, 'eyJ.eyJ.sig']) {
      expect(await verifySessionToken(junk)).toEqual({ ok: false, reason: 'invalid' });
    }
  });

  it('keep accepting tokens signed with the previous secret after a rotation', async () => {
    const old = await signSessionToken(identity);
    process.env.AUTH_SECRET = 'the-new-secret-after-rotation-32-bytes-long';
    expect((await verifySessionToken(old)).ok).toBe(false);
    process.env.AUTH_SECRET_PREVIOUS = SECRET;
    expect((await verifySessionToken(old)).ok).toBe(true);
    // New tokens are signed with the new secret only.
    const fresh = await signSessionToken(identity);
    delete process.env.AUTH_SECRET_PREVIOUS;
    expect((await verifySessionToken(fresh)).ok).toBe(true);
  });
});
