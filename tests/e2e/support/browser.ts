import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
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

let launched: Promise<Browser> | undefined;

/**
 * The worker's browser, with a fresh profile (Playwright gives each launch its own
 * --user-data-dir): one Chromium for every file the worker runs, since the e2e files share the
 * worker's modules (vitest.config.mts). A launch costs about 0.4 s of CPU, and the contexts below
 * are then reused across files too. Nobody closes it: it ends with the worker, as Playwright
 * ends the browsers it launched when their process exits. Launched again if it went away.
 */
export async function workerBrowser(): Promise<Browser> {
  const browser = await (launched ??= chromium.launch({ executablePath, args: ARGS }));
  if (browser.isConnected()) return browser;
  launched = undefined;
  return workerBrowser();
}

/**
 * A visitor of its own: no cookies, no storage, no permissions, and a client address of its own
 * (X-Forwarded-For), on the shared server unless `baseURL` says otherwise. Its pages are new tabs;
 * `visitorPage` gives the tab it already has.
 *
 * The context itself is reused, one test after another in the worker's files. A new context costs
 * Chromium about 0.3 s of CPU, and its first pages as much again: a new renderer process, and
 * the site's JavaScript compiled with no code cache. Tests make a hundred-odd of them, on a
 * machine the browser already keeps busy. So when a test ends, its context is emptied of what
 * the visitor leaves behind (its other tabs closed, cookies, permissions and the site's storage
 * cleared) and handed to the next test that asks for the same options. What stays is what
 * nobody could tell from a new visitor: the cache of the site's static files (pages are
 * `no-store`), and one tab on the site's robots.txt (below). A test that closes the context
 * itself simply takes it out of the reuse.
 */
export async function newContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return (await lease(browser, options)).context;
}

/**
 * A page for a visitor of its own (as `newContext`): the tab their context keeps open on the
 * site. A new tab starts two renderer processes (one for its blank page, one for the site):
 * measured alone, a test's page loads cost Chromium about 0.2 s of CPU more in a new tab than in
 * this one. Between tests the tab rests on the site's robots.txt, which ends the last test's page
 * (its scripts, timers and requests in flight) and keeps the renderer. It carries no listeners,
 * cookies or storage over; only its history does, and no test goes back in it. Tests that attach
 * to the tab itself (a virtual authenticator, a script for every document) open a new tab instead.
 */
export async function visitorPage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  return (await lease(browser, options)).tab;
}

type Reusable = { context: BrowserContext; tab: Page; origin: string; closed: boolean };
const pools = new WeakMap<Browser, Map<string, Reusable[]>>();

async function lease(browser: Browser, options: BrowserContextOptions): Promise<Reusable> {
  const { extraHTTPHeaders, ...fixed } = { baseURL: baseUrl(), ...options };
  const idle = idleContexts(browser, JSON.stringify(fixed));
  const reused = idle.pop() ?? (await openReusable(browser, fixed));
  await reused.context.setExtraHTTPHeaders({ 'X-Forwarded-For': clientAddress(), ...extraHTTPHeaders });
  onTestFinished(async () => {
    if (await emptied(reused)) idle.push(reused);
  });
  return reused;
}

function idleContexts(browser: Browser, key: string): Reusable[] {
  let byOptions = pools.get(browser);
  if (!byOptions) pools.set(browser, (byOptions = new Map()));
  let idle = byOptions.get(key);
  if (!idle) byOptions.set(key, (idle = []));
  return idle;
}

async function openReusable(browser: Browser, options: BrowserContextOptions): Promise<Reusable> {
  const context = await browser.newContext(options);
  const reusable: Reusable = { context, tab: await context.newPage(), origin: new URL(options.baseURL!).origin, closed: false };
  context.once('close', () => (reusable.closed = true));
  return reusable;
}

/** Clears what a visitor leaves in `reusable`; false when it can't be reused (closed, or the browser gone). */
async function emptied(reusable: Reusable): Promise<boolean> {
  if (reusable.closed) return false;
  const { context, origin } = reusable;
  try {
    await Promise.all(context.pages().filter((page) => page !== reusable.tab).map((page) => page.close()));
    if (reusable.tab.isClosed()) reusable.tab = await context.newPage();
    const { tab } = reusable;
    tab.removeAllListeners();
    // Off the test's page before the cookies go, so no answer still on its way can set one again.
    await tab.goto(`${origin}/robots.txt`);
    await tab.evaluate(() => sessionStorage.clear());
    await tab.bringToFront();
    await Promise.all([context.clearCookies(), context.clearPermissions()]);
    const cdp = await context.newCDPSession(tab);
    await cdp.send('Storage.clearDataForOrigin', { origin, storageTypes: 'local_storage,indexeddb,cache_storage,service_workers,file_systems' });
    await cdp.detach();
    return true;
  } catch (error) {
    if (reusable.closed) return false;
    throw error;
  }
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
