import { describe, expect, it } from 'vitest';
import { isProtectedPath, loginUrl, safeNext } from '@/lib/routes';

describe('protected paths', () => {
  it('cover /account and everything below it, nothing else', () => {
    expect(isProtectedPath('/account')).toBe(true);
    expect(isProtectedPath('/account/security')).toBe(true);
    expect(isProtectedPath('/accounting')).toBe(false);
    expect(isProtectedPath('/')).toBe(false);
    expect(isProtectedPath('/login')).toBe(false);
  });
});

describe('safeNext', () => {
  it.each([
    ['/account', '/account'],
    ['/account/security?tab=1#x', '/account/security?tab=1#x'],
    ['/account/../account', '/account'],
  ])('keeps same-site path %s', (input, expected) => {
    expect(safeNext(input)).toBe(expected);
  });

  it.each([
    'https://evil.example',
    '//evil.example/account',
    '/\\evil.example',
    '\\\\evil.example',
    'javascript:alert(1)',
    '/acc\u0000ount',
    'account',
    '/login',
    '/login?next=/account',
    '/register',
    '/auth/refresh',
    '',
  ])('refuses %s', (input) => {
    expect(safeNext(input)).toBe('/account');
  });

  it('refuses an oversized value', () => {
    expect(safeNext(`/${'x'.repeat(3000)}`)).toBe('/account');
  });

  it('keeps encoded line breaks encoded, so they can never split a header', () => {
    expect(safeNext('/%0d%0aSet-Cookie:x')).toBe('/%0d%0aSet-Cookie:x');
  });

  it('refuses non-strings', () => {
    expect(safeNext(undefined)).toBe('/account');
    expect(safeNext(['/account'])).toBe('/account');
    expect(safeNext(null, '/')).toBe('/');
  });

  it('builds login URLs that carry only safe destinations', () => {
    expect(loginUrl('/account?x=1', 'expired')).toBe('/login?next=%2Faccount%3Fx%3D1&reason=expired');
    expect(loginUrl('https://evil.example')).toBe('/login?next=%2Faccount');
    expect(loginUrl()).toBe('/login');
  });
});
