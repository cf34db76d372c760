import type { Page } from 'playwright-core';
import { expect } from 'vitest';

// What a page says, read as a person reads it.

export async function textOf(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).innerText()).trim();
}

/** Waits (up to 10 s) for an element to show exactly `text`, as a person waits for an answer. */
export async function expectText(page: Page, selector: string, text: string): Promise<void> {
  try {
    await page.waitForFunction(
      ([sel, want]) => (document.querySelector(sel!) as HTMLElement | null)?.innerText.trim() === want,
      [selector, text],
      // Polling, not requestAnimationFrame: pages under test may run with JavaScript off.
      { timeout: 10_000, polling: 100 },
    );
  } catch {
    // Fall through to an assertion that shows what was there instead.
  }
  expect(await page.locator(selector).innerText().catch(() => '(no such element)')).toBe(text);
}
