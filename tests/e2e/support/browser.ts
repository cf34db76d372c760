import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';
import { onTestFinished } from 'vitest';
import { clientAddress } from '../../support/generators';
import { baseUrl } from './shared-server';

// Debian's Chromium, never a downloaded browser; the flags keep it off this closed network.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A browser with a fresh profile (Playwright gives each launch its own --user-data-dir). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath, args: ARGS });
}

/**
 * A visitor of its own (a client address of its own), on the shared server unless `baseURL` says
 * otherwise; closed when the test ends, so its pages stop taking memory and time from the files
 * running alongside.
 */
export async function newContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: baseUrl(), extraHTTPHeaders: { 'X-Forwarded-For': clientAddress() }, ...options });
  onTestFinished(() => context.close());
  return context;
}

/** A browser on a profile folder of our own, so a test can close and reopen "the same browser". */
export function launchProfile(userDataDir: string, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath,
    args: ARGS,
    baseURL: baseUrl(),
    extraHTTPHeaders: { 'X-Forwarded-For': clientAddress() },
    ...options,
  });
}

export const tempProfileDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-profile-'));
