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

  // The review's table (issue 11, item 2): raw values that look local but resolve to another host,
  // and each way of hiding a slash or a scheme. Whatever comes back must be a path on this site.
  const OPEN_REDIRECTS = [
    '/.//x',
    '/..//x',
    '/%2e//x',
    '/%2e%2e//x',
    '/a/..//x',
    '/\\x',
    '/%5cx',
    '/%2f%2fx',
    '/%09/x',
    '//x',
    'https://x',
    'javascript:alert(1)',
    '/./\\x',
    '/%2E%2E//x',
  ];
  it.each(OPEN_REDIRECTS)('never sends %s to another host', (input) => {
    const target = safeNext(input);
    expect(target.startsWith('/')).toBe(true);
    expect(target.startsWith('//')).toBe(false);
    expect(target).not.toContain('\\');
    expect(new URL(target, 'https://site.example').host).toBe('site.example');
  });

  it.each(['/.//x', '/..//x', '/%2e//x', '/%2e%2e//x', '/a/..//x'])('refuses %s, whose dot segments resolve to //x', (input) => {
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
