// Response headers that harden every page. Edge-safe (no Node APIs): the middleware builds the
// per-request CSP, next.config.ts sets the static ones on every route.
// Relative, not '@/': next.config.ts imports this file, and its loader knows no path aliases.
import { isProduction, providerOrigins } from '../env-edge';

/**
 * Scripts run only with this response's nonce ('strict-dynamic' lets Next's own chunks load);
 * no 'unsafe-inline' for scripts. Styles allow inline attributes (React's style props), which
 * can't run code. Development adds 'unsafe-eval', which React's dev tooling needs. Forms post
 * only here, and "Continue with …" goes on to the configured providers' sign-in pages.
 */
export function contentSecurityPolicy(nonce: string, dev = !isProduction()): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    ["form-action 'self'", ...providerOrigins()].join(' '),
    "frame-ancestors 'none'",
    ...(dev ? [] : ['upgrade-insecure-requests']),
  ].join('; ');
}

/** A fresh, unguessable nonce per response. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

/**
 * Sent with pages and API answers on sites served over https (the rule of Secure cookies). Set at
 * run time, not in next.config.ts, whose headers are fixed at build time.
 */
export const HSTS = 'max-age=31536000; includeSubDomains';

/** The same on every response, pages, API and files alike (fixed at build time). */
export function staticSecurityHeaders(): { key: string; value: string }[] {
  return [
    { key: 'X-Content-Type-Options', value: 'nosniff' },
    { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
    { key: 'X-Frame-Options', value: 'DENY' },
    { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
    { key: 'Cross-Origin-Resource-Policy', value: 'same-origin' },
    {
      key: 'Permissions-Policy',
      value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()',
    },
  ];
}
