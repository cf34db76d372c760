// The sign-in providers' settings are checked at start-up like the rest (lib/env.ts): an http://
// provider only on this machine, and no half-configured provider.
import { afterEach, describe, expect, it, vi } from 'vitest';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

async function settings(values: Record<string, string>) {
  process.env = { ...saved, ...values };
  vi.resetModules();
  const { env } = await import('@/lib/env');
  return () => env();
}

describe('sign-in provider settings', () => {
  it('take an https issuer, and http only on loopback', async () => {
    const oidc = { AUTH_OIDC_ID: 'id', AUTH_OIDC_SECRET: 'secret' };
    expect((await settings({ ...oidc, AUTH_OIDC_ISSUER: 'https://sso.example.com/realms/main' }))().AUTH_OIDC_ISSUER).toBe('https://sso.example.com/realms/main');
    expect((await settings({ ...oidc, AUTH_OIDC_ISSUER: 'http://localhost:8080' }))().AUTH_OIDC_ISSUER).toBe('http://localhost:8080');
    expect(await settings({ ...oidc, AUTH_OIDC_ISSUER: 'http://sso.example.com' })).toThrow('AUTH_OIDC_ISSUER: must be an https:// URL (http:// only for localhost)');
    expect(await settings({ AUTH_GITHUB_ID: 'id', AUTH_GITHUB_SECRET: 's', AUTH_GITHUB_ENTERPRISE_URL: 'http://git.example.com' })).toThrow('AUTH_GITHUB_ENTERPRISE_URL');
  });

  it('name what a half-configured provider lacks', async () => {
    expect(await settings({ AUTH_GITHUB_ID: 'id' })).toThrow('AUTH_GITHUB_SECRET: is needed with AUTH_GITHUB_ID');
    expect(await settings({ AUTH_OIDC_ISSUER: 'https://sso.example.com', AUTH_OIDC_SECRET: 's' })).toThrow('AUTH_OIDC_ID: is needed with AUTH_OIDC_ISSUER and AUTH_OIDC_SECRET');
  });

  it('leave everything as it was when none is set', async () => {
    const read = (await settings({}))();
    expect([read.AUTH_GITHUB_ID, read.AUTH_GOOGLE_ID, read.AUTH_OIDC_ISSUER, read.AUTH_OIDC_NAME]).toEqual([undefined, undefined, undefined, 'OpenID Connect']);
  });
});
