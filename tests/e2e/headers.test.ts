// Security headers on every kind of route, and a CSP the app itself never trips over.
import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { newPerson } from '../support/generators';
import { RegisterPage } from './pages/register';
import { httpCall } from './support/api';
import { visitorPage, workerBrowser } from './support/browser';
import { baseUrl } from './support/shared-server';

let browser: Browser;
beforeAll(async () => {
  browser = await workerBrowser();
});

const get = (p: string) => httpCall(`${baseUrl()}${p}`, 'GET');

describe('response headers', () => {
  it('pages carry a nonce-based CSP without unsafe-inline scripts, and the hardening headers', async () => {
    const first = await get('/login');
    const second = await get('/login');
    const csp = first.headers.get('content-security-policy')!;
    const scriptSrc = csp.split('; ').find((d) => d.startsWith('script-src '))!;
    expect(scriptSrc).toMatch(/^script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}' 'strict-dynamic'$/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'self'");
    expect(csp).toContain("form-action 'self'");
    // A fresh nonce per response, and it is the one on the page's scripts.
    expect(second.headers.get('content-security-policy')).not.toBe(csp);
    // Both come from the copy of the page kept for visitors without a session (scripts/page-cache.mjs).
    for (const page of [first, second]) {
      const nonce = /'nonce-([^']+)'/.exec(page.headers.get('content-security-policy')!)![1]!;
      const onScripts = [...page.text.matchAll(/nonce="([^"]+)"/g)].map((m) => m[1]);
      expect(onScripts.length).toBeGreaterThan(0);
      expect(new Set(onScripts)).toEqual(new Set([nonce]));
    }
  });

  it('every route type gets nosniff, a referrer policy, a permissions policy and no framing; pages and API get HSTS', async () => {
    for (const p of ['/', '/login', '/account', '/api/v1/me', '/api/v1/openapi.json', '/icon.svg', '/favicon.ico', '/robots.txt', '/nothing-here']) {
      const response = await get(p);
      expect(response.headers.get('x-content-type-options'), p).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), p).toBe('strict-origin-when-cross-origin');
      expect(response.headers.get('permissions-policy'), p).toContain('camera=()');
      expect(response.headers.get('x-frame-options'), p).toBe('DENY');
      expect(response.headers.get('x-powered-by'), p).toBeNull();
      // The test server runs as production without AUTH_URL: an https site, as far as it knows.
      if (!p.includes('.')) expect(response.headers.get('strict-transport-security'), p).toBe('max-age=31536000; includeSubDomains');
    }
  });
});

describe('the site icon', () => {
  // Browsers ask for /favicon.ico on pages whose icon link has not arrived yet (Next streams metadata), and so do bots.
  it('is served at /favicon.ico as well as /icon.svg, not as a 404 page', async () => {
    const response = await fetch(`${baseUrl()}/favicon.ico`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/x-icon');
    expect(Buffer.from(await response.arrayBuffer()).subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0]));
  });
});

describe('the CSP in a real browser', () => {
  it('blocks nothing the app needs: no console errors (CSP or other) while registering and using the account pages', async () => {
    const page = await visitorPage(browser);
    const violations: string[] = [];
    page.on('console', (message) => {
      // A failed load names no resource in its text; its location does.
      if (message.type() === 'error') violations.push(`${message.text()} (${message.location().url} on ${page.url()})`);
    });
    await new RegisterPage(page).register(newPerson());
    for (const p of ['/', '/account', '/account/profile', '/account/security', '/forgot-password']) await page.goto(p);
    // The page's scripts ran: React hydrated the document (it tags the nodes it owns).
    await page.waitForFunction(() => Object.keys(document.querySelector('main') ?? {}).some((key) => key.startsWith('__react')), undefined, {
      timeout: 10_000,
      polling: 100,
    });
    expect(violations, violations.join('\n')).toEqual([]);
  });
});

describe('cross-site posts', () => {
  it('a server-action post from another origin, or with Origin: null, is refused with 403 and changes nothing', async () => {
    for (const origin of ['https://evil.example', 'null']) {
      const response = await httpCall(`${baseUrl()}/login`, 'POST', {
        headers: { origin, 'next-action': '0'.repeat(40), 'content-type': 'text/plain;charset=UTF-8' },
        body: '["x"]',
      });
      expect(response.status).toBe(403);
      expect(response.text).toContain('This form was not sent from this site');
    }
  });
});
